"""Choices of the installed base (AST-1..3) and of the service type its warranties decide (FLD-3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    """What a configuration item is (配置项类型)."""

    MODULE = "module", _("Application module")
    SERVER = "server", _("Server")
    NETWORK = "network", _("Network device")
    STORAGE = "storage", _("Storage")
    TERMINAL = "terminal", _("Terminal")
    LINE = "line", _("Line")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    SPARE = "spare", _("Spare")
    IN_REPAIR = "in_repair", _("In repair")
    RETIRED = "retired", _("Retired")


class RelationKind(models.TextChoices):
    """How two items depend on each other; read as "source <kind> target"."""

    RUNS_ON = "runs_on", _("runs on")
    CONNECTED_TO = "connected_to", _("is connected to")
    PART_OF = "part_of", _("is part of")


class ServiceType(models.TextChoices):
    """Who pays (FLD-3), decided from the items' warranties and the customer's contract (AST-2)."""

    WARRANTY = "warranty", _("Free under warranty")
    CONTRACT = "contract", _("Contract service")
    PAID = "paid", _("Paid service")


class DocumentKind(models.TextChoices):
    """Technical handover documents a delivered project must hand over (AST-3)."""

    DESIGN = "design", _("Design")
    DRAWING = "drawing", _("Drawings")
    MANUAL = "manual", _("Manuals")
    CERTIFICATE = "certificate", _("Certificates")
    TEST_REPORT = "test_report", _("Test reports")
    ACCEPTANCE = "acceptance", _("Acceptance documents")


class ImportStatus(models.TextChoices):
    """An Excel import: checked first (nothing written), then applied all at once on confirmation."""

    CHECKING = "checking", _("Checking")
    INVALID = "invalid", _("Has errors")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
