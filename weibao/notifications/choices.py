"""Vocabularies of in-app notifications (站内通知)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about; lets the UI pick an icon and later channels pick a template."""

    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    SLA_ESCALATION = "sla_escalation", _("SLA escalation")
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned")
    GENERIC = "generic", _("General")


class NotificationLevel(models.TextChoices):
    """How loud a notification is: the colour of its marker (Tabler ``bg-<level>``)."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Urgent")
