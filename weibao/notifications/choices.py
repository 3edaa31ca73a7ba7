"""Vocabularies of in-app notifications (站内通知)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a notification is about; lets the UI pick an icon and later channels pick a template."""

    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    SLA_ESCALATION = "sla_escalation", _("SLA escalation")
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned")
    TICKET_UPDATE = "ticket_update", _("Ticket update")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    GENERIC = "generic", _("General")


class NotificationLevel(models.TextChoices):
    """How loud a notification is: the colour of its marker (Tabler ``bg-<level>``)."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    DANGER = "danger", _("Urgent")


class NotifyEvent(models.TextChoices):
    """What happened to a ticket that people may be told about (the rules' events, COM-1, SLA-5)."""

    TICKET_CREATED = "ticket_created", _("Ticket created")
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned")
    CUSTOMER_REPLIED = "customer_replied", _("Customer replied")
    AGENT_REPLIED = "agent_replied", _("Public reply to the customer")
    PENDING_TOO_LONG = "pending_too_long", _("Pending too long")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach")
    RESOLVED = "resolved", _("Ticket resolved")
    VERIFIED = "verified", _("Ticket verified")
    CLOSED = "closed", _("Ticket closed")
    RATED_LOW = "rated_low", _("Low satisfaction rating")
    PLAN_REMINDER = "plan_reminder", _("Maintenance reminder")


#: Events the rules grid decides; a plan reminder goes to the routine's engineers and the contacts.
RULE_EVENTS = tuple(e for e in NotifyEvent if e != NotifyEvent.PLAN_REMINDER)


class RuleAudience(models.TextChoices):
    """Who a rule tells, relative to the ticket."""

    ASSIGNEE = "assignee", _("Assignee")
    TEAM = "team", _("Team")
    CONTACT = "contact", _("Customer contact")
    SERVICE_MANAGERS = "service_managers", _("Service managers")
    WATCHERS = "watchers", _("Watchers")


#: A robot webhook without its own event list hears these: what a group chat wants to see.
DEFAULT_WEBHOOK_EVENTS = (
    NotifyEvent.TICKET_CREATED,
    NotifyEvent.TICKET_ASSIGNED,
    NotifyEvent.SLA_WARNING,
    NotifyEvent.SLA_BREACH,
    NotifyEvent.RESOLVED,
    NotifyEvent.RATED_LOW,
)

#: A customer's robot (a group chat the customer is in) without its own event list hears only what
#: the customer may hear (see ``CONTACT_EVENTS``); an administrator may choose more explicitly.
CUSTOMER_WEBHOOK_EVENTS = (NotifyEvent.TICKET_CREATED, NotifyEvent.RESOLVED, NotifyEvent.CLOSED)

#: Events a customer contact may be emailed about: nothing internal (SLA, assignment) ever is.
CONTACT_EVENTS = frozenset(
    {
        NotifyEvent.TICKET_CREATED,
        NotifyEvent.AGENT_REPLIED,
        NotifyEvent.RESOLVED,
        NotifyEvent.VERIFIED,
        NotifyEvent.CLOSED,
    }
)


class Channel(models.TextChoices):
    """How a message travels. In-app rows are ``Notification``; the others are ``Delivery`` rows."""

    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Robot webhook")


class WebhookKind(models.TextChoices):
    """The group-chat robot a webhook posts to; each has its own body shape and signing scheme."""

    DINGTALK = "dingtalk", _("DingTalk robot")
    WECOM = "wecom", _("WeCom robot")
    FEISHU = "feishu", _("Feishu / Lark robot")
    GENERIC = "generic", _("Generic JSON (HMAC-SHA256)")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
