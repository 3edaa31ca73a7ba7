"""The installed base (AST-1..3): configuration items per customer and delivered project, their
components with their own warranties, relations between items, suppliers, technical handover
documents per project, and Excel imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.assets.choices import DocumentKind, ImportStatus, ItemKind, ItemStatus, RelationKind


class Supplier(models.Model):
    """Who sold or makes an item (the manufacturer's or distributor's warranty runs through them)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class ConfigurationItem(models.Model):
    """One thing we maintain at a customer (配置项): an application module, a server, a switch, a
    terminal, a line. ``code`` is the asset tag, unique per customer; imports match rows on it."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="items"
    )
    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("delivered project / system"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    code = models.CharField(_("asset tag"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    model = models.CharField(_("model"), max_length=100, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("Building, floor, room, rack.")
    )
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.IN_USE
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["customer_id", "code"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        constraints = [
            models.UniqueConstraint(fields=["customer", "code"], name="item_code_unique_per_customer"),
            models.CheckConstraint(
                condition=Q(warranty_end__isnull=True)
                | Q(purchase_date__isnull=True)
                | Q(warranty_end__gte=F("purchase_date")),
                name="item_warranty_after_purchase",
            ),
        ]
        # One index per list filter (DESIGN rule 7): customer+kind, system, warranty end, serial, status.
        indexes = [
            models.Index(fields=["customer", "kind"], name="item_customer_kind"),
            models.Index(fields=["system", "kind"], name="item_system_kind"),
            models.Index(fields=["warranty_end"], name="item_warranty_end"),
            models.Index(fields=["serial_number"], name="item_serial"),
            models.Index(fields=["status"], name="item_status"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemComponent(models.Model):
    """A part of an item with its own warranty (a server's disks, a UPS battery): FLD-3 charges per part."""

    item = models.ForeignKey(
        ConfigurationItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="components"
    )
    name = models.CharField(_("name"), max_length=200)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["item_id", "name", "id"]
        verbose_name = _("component")
        verbose_name_plural = _("components")

    def __str__(self) -> str:
        return self.name


class ItemRelation(models.Model):
    """``source`` runs on / is connected to / is part of ``target``; both of the same customer."""

    source = models.ForeignKey(
        ConfigurationItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="relations_out"
    )
    kind = models.CharField(_("relation"), max_length=16, choices=RelationKind.choices)
    target = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("related item"),
        on_delete=models.CASCADE,
        related_name="relations_in",
    )

    class Meta:
        ordering = ["source_id", "kind", "target_id"]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "target"], name="relation_unique"),
            models.CheckConstraint(condition=~Q(source=F("target")), name="relation_not_to_itself"),
        ]
        indexes = [models.Index(fields=["target", "kind"], name="relation_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


def handover_upload_to(instance: HandoverDocument, filename: str) -> str:
    return f"handover/{instance.system_id}/{timezone.now():%Y%m}/{filename}"


class HandoverDocument(models.Model):
    """A technical handover document of a delivered project (AST-3)."""

    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("delivered project / system"),
        on_delete=models.CASCADE,
        related_name="handover_documents",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=handover_upload_to, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["system_id", "kind", "-uploaded_at"]
        verbose_name = _("handover document")
        verbose_name_plural = _("handover documents")
        indexes = [models.Index(fields=["system", "kind"], name="handover_system_kind")]

    def __str__(self) -> str:
        return self.title


class HandoverWaiver(models.Model):
    """A document kind that does not apply to a project (no drawings for a pure software module):
    it leaves the checklist of what is missing, with the reason and who decided."""

    system = models.ForeignKey(
        "customers.DeliveredSystem",
        verbose_name=_("delivered project / system"),
        on_delete=models.CASCADE,
        related_name="handover_waivers",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    reason = models.CharField(_("reason"), max_length=300)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    waived_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("handover waiver")
        verbose_name_plural = _("handover waivers")
        constraints = [models.UniqueConstraint(fields=["system", "kind"], name="handover_waiver_unique")]

    def __str__(self) -> str:
        return f"{self.system_id} {self.kind}"


def import_upload_to(instance: ItemImport, filename: str) -> str:
    return f"imports/{timezone.now():%Y%m}/{filename}"


class ItemImport(models.Model):
    """An Excel import of one customer's items: checked in the background (progress in
    ``processed_rows``), every bad row reported, then applied in one transaction or not at all."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="item_imports",
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    to_create = models.PositiveIntegerField(_("new items"), default=0)
    to_update = models.PositiveIntegerField(_("changed items"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("item import")
        verbose_name_plural = _("item imports")
        indexes = [models.Index(fields=["customer", "-created_at"], name="import_customer_recent")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else min(100, round(100 * self.processed_rows / self.total_rows))
