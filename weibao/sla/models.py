"""Service-level policies (服务级别): targets per priority, escalation rules, contracts (SLA-1, SLA-2)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.customers.choices import DistanceClass
from weibao.sla.choices import EscalationTrigger, Priority, TargetKind, TargetMode


class SlaPolicy(models.Model):
    """A set of targets per priority; attached to customers through their service contracts."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_default = models.BooleanField(
        _("default policy"), default=False, help_text=_("Applies to customers without an active contract.")
    )
    # Which pending reasons stop the resolution clock (SLA-4). Waiting for the customer or a supplier is
    # not the company's time; "other" keeps counting unless the policy says otherwise.
    pause_on_customer = models.BooleanField(_("pause while waiting for the customer"), default=True)
    pause_on_third_party = models.BooleanField(_("pause while waiting for a third party"), default=True)
    pause_on_other = models.BooleanField(_("pause for other pending reasons"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="slapolicy_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One promise: for a priority (and optionally a distance class), how long until each target is met.

    ``calendar`` empty means "the ticket's working calendar" (site -> customer -> default calendar);
    naming a calendar (e.g. ``24x7``) fixes it. A row with a distance class overrides the general row.
    """

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    kind = models.CharField(_("target"), max_length=16, choices=TargetKind.choices)
    distance_class = models.CharField(
        _("distance class"),
        max_length=16,
        choices=DistanceClass.choices,
        blank=True,
        help_text=_("Empty: every site. Set: overrides the general target for sites of this class."),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=TargetMode.choices, default=TargetMode.MINUTES)
    minutes = models.PositiveIntegerField(
        _("working minutes"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    days = models.PositiveSmallIntegerField(
        _("working days"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the working calendar of the ticket's site or customer."),
    )

    class Meta:
        ordering = ["policy_id", "priority", "kind", "distance_class"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority", "kind", "distance_class"], name="slatarget_unique"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(mode="minutes", minutes__isnull=False)
                    | models.Q(mode="day_end", days__isnull=False)
                ),
                name="slatarget_amount_for_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} P{self.priority} {self.kind}"


class EscalationRule(models.Model):
    """When to warn and whom (SLA-5): at a share of the target elapsed, or some minutes after the breach."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="escalation_rules"
    )
    kind = models.CharField(
        _("target"),
        max_length=16,
        choices=TargetKind.choices,
        blank=True,
        help_text=_("Empty: every target."),
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=EscalationTrigger.choices)
    value = models.PositiveIntegerField(
        _("value"),
        help_text=_("Percent of the target (1-99), or minutes after the breach (0 = at the breach)."),
    )
    notify_assignee = models.BooleanField(_("notify the assignee"), default=False)
    notify_team = models.BooleanField(_("notify the team"), default=False)
    notify_superior = models.BooleanField(_("notify the assignee's superior"), default=False)
    notify_role = models.ForeignKey(
        "accounts.Role",
        verbose_name=_("notify everyone with role"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["policy_id", "trigger", "value"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trigger="after_breach") | models.Q(value__gte=1, value__lte=99),
                name="escalationrule_percent_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} {self.trigger} {self.value}"


class ServiceContract(models.Model):
    """A customer's service contract (维保合同); its SLA policy applies to the customer's tickets."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="service_contracts",
    )
    number = models.CharField(_("contract number"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("SLA policy"), on_delete=models.PROTECT, related_name="contracts"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["customer_id", "-starts_on"]
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        indexes = [models.Index(fields=["customer", "starts_on"], name="contract_customer_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
