"""Customer organisations, their sites, contacts and the systems delivered to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel
from weibao.customers.choices import DistanceClass


class Customer(TimeStampedModel):
    """An organisation the company delivered systems to (e.g. a hospital)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email_domains = models.CharField(
        _("email domains"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. hospital.example.cn"),
    )
    notes = models.TextField(_("notes"), blank=True)
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the default working calendar. SLA targets and maintenance dates count on it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name


class Site(TimeStampedModel):
    """A place where a customer runs delivered systems; its distance class drives on-site targets."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    distance_class = models.CharField(
        _("distance class"), max_length=16, choices=DistanceClass.choices, default=DistanceClass.LOCAL
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("working calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the customer's working calendar."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["customer_id", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(fields=["customer", "name"], name="site_unique_name_per_customer")
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at a customer. With ``user`` set, the contact signs in to the portal."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["customer_id", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            models.Index(fields=["email"], name="contact_email_idx"),
            # Email intake matches senders case-insensitively (weibao.mail).
            models.Index(Lower("email"), name="contact_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class DeliveredSystem(TimeStampedModel):
    """A system delivered to a customer (e.g. HIS, LIS, PACS, a network): the thing we maintain."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="systems"
    )
    site = models.ForeignKey(
        Site, verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="systems"
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50, blank=True)
    project_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("project manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="managed_systems",
    )  # fmt: skip
    go_live_date = models.DateField(_("go-live date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["customer_id", "name"]
        verbose_name = _("delivered system")
        verbose_name_plural = _("delivered systems")

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class SystemModule(models.Model):
    """A module of a delivered system (e.g. 门诊挂号 in a HIS), with its own version."""

    system = models.ForeignKey(
        DeliveredSystem, verbose_name=_("system"), on_delete=models.CASCADE, related_name="modules"
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50, blank=True)
    # Removing a module from a system only deactivates it: tickets keep pointing at it.
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["system_id", "name"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["system", "name"], name="module_unique_name_per_system")
        ]

    def __str__(self) -> str:
        return self.name
