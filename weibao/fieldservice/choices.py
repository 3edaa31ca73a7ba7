"""Vocabularies of work orders (派工单, FLD-1..5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Who pays is decided by the installed base's warranties (AST-2); work orders use the same vocabulary.
from weibao.assets.choices import ServiceType as ServiceType


class OrderKind(models.TextChoices):
    ONSITE = "onsite", _("On-site visit")
    REMOTE = "remote", _("Remote support session")


class OrderStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Work finished, awaiting signature")
    SIGNED = "signed", _("Signed by the customer")
    CANCELLED = "cancelled", _("Cancelled")


class FeeStatus(models.TextChoices):
    NONE = "none", _("No fees")
    QUOTED = "quoted", _("Quoted, awaiting the customer's acceptance")
    ACCEPTED = "accepted", _("Quote accepted")
    SETTLED = "settled", _("Settled")
    INVOICED = "invoiced", _("Invoiced")


class CheckResult(models.TextChoices):
    PENDING = "", _("Not checked")
    OK = "ok", _("OK")
    ISSUE = "issue", _("Issue found")
    NOT_APPLICABLE = "na", _("Not applicable")


class OrderEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Details changed")
    CHECKED_IN = "checked_in", _("Checked in")
    RECORDED = "recorded", _("Work recorded")
    PHOTO = "photo", _("Photo added")
    CHECKED_OUT = "checked_out", _("Checked out")
    QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted by the customer")
    SIGNED = "signed", _("Signed by the customer")
    ANNOTATED = "annotated", _("Annotation added")
    CANCELLED = "cancelled", _("Cancelled")
    FEES = "fees", _("Fees changed")
    RECEIPT = "receipt", _("Equipment taken back")
    RETURNED = "returned", _("Equipment returned")
    REPORT = "report", _("Service report produced")
