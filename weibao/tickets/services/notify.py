"""Who hears about what happened to a ticket, and how (COM-1, SLA-5): the fan-out of one notice.

A notice is one occurrence of a ``NotifyEvent`` on one ticket (a timeline event, an SLA alert, a wait
that got too long), with a key unique to that occurrence. The rules grid (``NotificationRule``) names
the audiences - assignee, team, contact, service managers, watchers - and, per audience, in-app and/or
email; each user's preferences mute events per channel and hold email back in their quiet hours
(never for critical or emergency tickets); the ticket's team's and customer's robot webhooks (and
global ones) that listen to the event get a post. The person who acted is never told of their own act.

Everything is rendered here, per recipient language, and handed to ``notifications``: in-app rows
(unique per recipient and key) and deliveries (unique per key, channel and recipient), so a fan-out
that runs twice notifies nobody twice. Runs in Celery after the event's transaction committed
(``tickets.tasks``), never in the request.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from html import unescape
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.accounts.models import User
from weibao.customers.models import Contact
from weibao.notifications.choices import (
    CONTACT_EVENTS,
    CUSTOMER_WEBHOOK_EVENTS,
    DEFAULT_WEBHOOK_EVENTS,
    Channel,
    NotificationKind,
    NotificationLevel,
    NotifyEvent,
    RuleAudience,
)
from weibao.notifications.models import NotificationPreference, NotificationRule, Webhook
from weibao.notifications.quiet import quiet_until
from weibao.notifications.services import (
    DeliveryDraft,
    NotificationDraft,
    delivery_queue,
    notification_send_many,
)
from weibao.sla.choices import EscalationTrigger
from weibao.tickets.choices import EventKind, Priority, Status, Visibility
from weibao.tickets.models import SlaAlert, Ticket, TicketComment, TicketEvent
from weibao.tickets.services._common import desk_settings
from weibao.tickets.services.sla_sweep import alert_description

#: A rating at or below this is "rated low".
LOW_RATING = 2
SERVICE_MANAGER_ROLE = "service_manager"
COMMENT_EXCERPT = 2000
PENDING_BATCH = 500

_TRANSITION_EVENTS = {
    Status.RESOLVED: NotifyEvent.RESOLVED,
    Status.VERIFIED: NotifyEvent.VERIFIED,
    Status.CLOSED: NotifyEvent.CLOSED,
}
_IN_APP_KIND = {
    NotifyEvent.TICKET_ASSIGNED: NotificationKind.TICKET_ASSIGNED,
    NotifyEvent.CUSTOMER_REPLIED: NotificationKind.CUSTOMER_REPLIED,
    NotifyEvent.SLA_WARNING: NotificationKind.SLA_WARNING,
    NotifyEvent.SLA_BREACH: NotificationKind.SLA_BREACH,
}
_LOUD = {NotifyEvent.SLA_BREACH, NotifyEvent.RATED_LOW}
_WARN = {NotifyEvent.SLA_WARNING, NotifyEvent.PENDING_TOO_LONG, NotifyEvent.CUSTOMER_REPLIED}


@dataclass(frozen=True)
class TicketNotice:
    """One occurrence of an event on a ticket. ``key`` is unique to the occurrence (``ev<event id>``,
    ``sla:<clock>:<rule>``, ``pend:<ticket>:<since>``) and becomes every message's deduplication key."""

    event: str
    key: str
    actor_id: int | None = None
    comment: TicketComment | None = None
    note: str = ""


@dataclass
class FanOut:
    """What one fan-out produced."""

    in_app: int = 0
    deliveries: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- entry points


def ticket_event_notify(*, event_id: int) -> FanOut:
    """Fan out one timeline event, if it is one people are told about (called by a Celery task)."""
    event = TicketEvent.objects.filter(pk=event_id).first()
    if event is None:
        return FanOut()
    notice = notice_for_event(event=event)
    if notice is None:
        return FanOut()
    ticket = _ticket(ticket_id=event.ticket_id)
    return ticket_notify(ticket=ticket, notice=notice) if ticket else FanOut()


def sla_alert_notify(*, alert_id: int) -> FanOut:
    """Fan out a delivered SLA alert by the rules grid (its escalation rule already told its people
    in the app, under the same key, so nobody hears of it twice)."""
    alert = SlaAlert.objects.select_related("clock", "rule").filter(pk=alert_id).first()
    if alert is None or alert.rule is None:
        return FanOut()
    ticket = _ticket(ticket_id=alert.clock.ticket_id)
    if ticket is None:
        return FanOut()
    event = (
        NotifyEvent.SLA_WARNING if alert.rule.trigger == EscalationTrigger.PERCENT else NotifyEvent.SLA_BREACH
    )
    with override(settings.LANGUAGE_CODE):
        note = str(alert_description(kind=alert.clock.kind, rule=alert.rule))
    notice = TicketNotice(event=event, key=f"sla:{alert.clock_id}:{alert.rule_key}", note=note)
    return ticket_notify(ticket=ticket, notice=notice)


def pending_too_long_notify(*, now: datetime | None = None) -> int:
    """Tell people about tickets pending longer than the desk's limit, once per wait; return how many."""
    now = now or timezone.now()
    hours = desk_settings().pending_alert_hours
    due = list(
        Ticket.objects.filter(status=Status.PENDING, pending_since__lte=now - timedelta(hours=hours))
        .order_by("pending_since")
        .values_list("pk", "pending_since")[:PENDING_BATCH]
    )
    told = 0
    for ticket_id, since in due:
        ticket = _ticket(ticket_id=ticket_id)
        if ticket is None:
            continue
        notice = TicketNotice(
            event=NotifyEvent.PENDING_TOO_LONG,
            key=f"pend:{ticket_id}:{since:%Y%m%d%H%M%S%f}",
            note=str(hours),
        )
        result = ticket_notify(ticket=ticket, notice=notice)
        told += bool(result.in_app or result.deliveries)
    return told


def notice_for_event(*, event: TicketEvent) -> TicketNotice | None:
    """The notice a timeline event stands for, or None (most events tell nobody)."""
    changes: dict[str, Any] = event.changes or {}
    key = f"ev{event.pk}"
    if event.kind == EventKind.CREATED:
        return TicketNotice(event=NotifyEvent.TICKET_CREATED, key=key, actor_id=event.actor_id)
    if event.kind == EventKind.ASSIGNED and ("assignee" in changes or "team" in changes):
        return TicketNotice(
            event=NotifyEvent.TICKET_ASSIGNED, key=key, actor_id=event.actor_id, note=event.note
        )
    if event.kind == EventKind.COMMENTED and not event.is_internal:
        comment_id = (changes.get("comment") or [None, None])[1]
        comment = (
            TicketComment.objects.select_related("author", "author_contact").filter(pk=comment_id).first()
            if comment_id
            else None
        )
        if comment is None or comment.visibility != Visibility.PUBLIC:
            return None
        from_customer = comment.author_contact_id is not None or bool(
            comment.author and comment.author.is_portal
        )
        notify_event = NotifyEvent.CUSTOMER_REPLIED if from_customer else NotifyEvent.AGENT_REPLIED
        return TicketNotice(event=notify_event, key=key, actor_id=event.actor_id, comment=comment)
    if event.kind == EventKind.TRANSITION:
        target = (changes.get("status") or [None, None])[1]
        if target in _TRANSITION_EVENTS:
            return TicketNotice(
                event=_TRANSITION_EVENTS[target], key=key, actor_id=event.actor_id, note=event.note
            )
    if event.kind == EventKind.RATED:
        score = (changes.get("satisfaction") or [None, None])[1]
        if isinstance(score, int) and score <= LOW_RATING:
            return TicketNotice(
                event=NotifyEvent.RATED_LOW, key=key, actor_id=event.actor_id, note=event.note
            )
    return None


# --------------------------------------------------------------------------- the fan-out


def _ticket(*, ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("customer", "assignee", "team", "contact", "contact__user")
        .filter(pk=ticket_id)
        .first()
    )


@transaction.atomic
def ticket_notify(*, ticket: Ticket, notice: TicketNotice, now: datetime | None = None) -> FanOut:
    """Tell everyone the rules name about ``notice`` on every channel they get it on.

    One transaction: the in-app rows and the deliveries are written together or not at all, so a
    fan-out that failed half-way and runs again finds nothing done twice and nothing missing.
    """
    now = now or timezone.now()
    cells = {
        rule.audience: (rule.in_app, rule.email)
        for rule in NotificationRule.objects.filter(event=notice.event)
        if rule.in_app or rule.email
    }
    in_app_ids, email_ids = _staff_recipients(ticket=ticket, cells=cells, actor_id=notice.actor_id)
    users = {
        user.pk: user
        for user in User.objects.filter(pk__in=in_app_ids | email_ids, is_active=True).only(
            "pk",
            "email",
            "language",
            "time_zone",
            "kind",
            "username",
            "display_name",
            "first_name",
            "last_name",
        )
    }
    preferences = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=users)}
    result = FanOut()
    result.in_app = _send_in_app(
        ticket=ticket,
        notice=notice,
        languages={
            pk: users[pk].language
            for pk in in_app_ids
            if pk in users and notice.event not in _muted(preferences, pk, "in_app")
        },
    )
    drafts: list[DeliveryDraft] = []
    for pk in sorted(email_ids):
        user = users.get(pk)
        if user is None or not user.email or notice.event in _muted(preferences, pk, "email"):
            continue
        drafts.append(
            _email_to_user(ticket=ticket, notice=notice, user=user, preference=preferences.get(pk), now=now)
        )
    contact = _contact_recipient(ticket=ticket, notice=notice, cells=cells)
    if contact is not None:
        drafts.append(_email_to_contact(ticket=ticket, notice=notice, contact=contact))
    drafts.extend(_webhook_drafts(ticket=ticket, notice=notice))
    result.deliveries = delivery_queue(drafts=drafts, now=now) if drafts else []
    return result


def _muted(preferences: dict[int, NotificationPreference], user_id: int, channel: str) -> list[str]:
    preference = preferences.get(user_id)
    if preference is None:
        return []
    return list(preference.muted_in_app if channel == "in_app" else preference.muted_email)


def _staff_recipients(
    *, ticket: Ticket, cells: dict[str, tuple[bool, bool]], actor_id: int | None
) -> tuple[set[int], set[int]]:
    """(in-app user ids, email user ids) the staff audiences of ``cells`` name for this ticket."""
    audiences: dict[str, set[int]] = defaultdict(set)
    wanted = set(cells)
    if RuleAudience.ASSIGNEE in wanted and ticket.assignee_id:
        audiences[RuleAudience.ASSIGNEE] = {ticket.assignee_id}
    if RuleAudience.TEAM in wanted and ticket.team_id:
        audiences[RuleAudience.TEAM] = set(
            User.objects.filter(teams=ticket.team_id, is_active=True).values_list("pk", flat=True)
        )
    if RuleAudience.SERVICE_MANAGERS in wanted:
        audiences[RuleAudience.SERVICE_MANAGERS] = set(
            User.objects.filter(roles__code=SERVICE_MANAGER_ROLE, is_active=True).values_list("pk", flat=True)
        )
    if RuleAudience.WATCHERS in wanted:
        audiences[RuleAudience.WATCHERS] = set(ticket.collaborators.values_list("pk", flat=True))
    in_app: set[int] = set()
    email: set[int] = set()
    for audience, user_ids in audiences.items():
        by_app, by_email = cells[audience]
        if by_app:
            in_app |= user_ids
        if by_email:
            email |= user_ids
    in_app.discard(actor_id or 0)
    email.discard(actor_id or 0)
    return in_app, email


def _contact_recipient(
    *, ticket: Ticket, notice: TicketNotice, cells: dict[str, tuple[bool, bool]]
) -> Contact | None:
    contact = ticket.contact
    if not cells.get(RuleAudience.CONTACT, (False, False))[1] or notice.event not in CONTACT_EVENTS:
        return None
    if contact is None or not contact.is_active or not contact.email:
        return None
    if notice.actor_id is not None and contact.user_id == notice.actor_id:
        return None  # the customer's own act through the portal
    return contact


def _is_critical(ticket: Ticket) -> bool:
    return ticket.is_emergency or ticket.priority == Priority.CRITICAL


def _language(value: str | None) -> str:
    return value or settings.LANGUAGE_CODE


# --------------------------------------------------------------------------- rendering


def _actor_name(notice: TicketNotice) -> str:
    if notice.comment is not None:
        if notice.comment.author_contact is not None:
            return notice.comment.author_contact.name
        if notice.comment.author is not None:
            return str(notice.comment.author)
    if notice.actor_id:
        user = (
            User.objects.filter(pk=notice.actor_id)
            .only("username", "display_name", "first_name", "last_name")
            .first()
        )
        return str(user) if user else ""
    return ""


def headline(*, ticket: Ticket, notice: TicketNotice, for_customer: bool) -> str:
    """One line saying what happened, in the active language."""
    event = notice.event
    if event == NotifyEvent.TICKET_CREATED:
        if for_customer:
            return _("We have received your report")
        return _("New ticket from %(customer)s") % {"customer": ticket.customer.name}
    if event == NotifyEvent.TICKET_ASSIGNED:
        who = str(ticket.assignee) if ticket.assignee else (ticket.team.name if ticket.team else "")
        return _("Assigned to %(who)s") % {"who": who} if who else _("Assignment changed")
    if event == NotifyEvent.CUSTOMER_REPLIED:
        return _("%(name)s replied") % {"name": _actor_name(notice) or ticket.customer.name}
    if event == NotifyEvent.AGENT_REPLIED:
        return (
            _("Reply from %(name)s") % {"name": _actor_name(notice)}
            if _actor_name(notice)
            else _("New reply")
        )
    if event == NotifyEvent.PENDING_TOO_LONG:
        return _("Pending for more than %(hours)s hours") % {"hours": notice.note}
    if event in (NotifyEvent.SLA_WARNING, NotifyEvent.SLA_BREACH):
        return notice.note or str(NotifyEvent(event).label)
    if event == NotifyEvent.RESOLVED:
        if for_customer:
            return _("Your ticket has been resolved; please check the result")
        return _("Resolved")
    if event == NotifyEvent.VERIFIED:
        if for_customer:
            return _("We have checked the result with you; the ticket closes unless you object")
        return _("Verified")
    if event == NotifyEvent.CLOSED:
        return _("Your ticket is closed. Thank you!") if for_customer else _("Closed")
    if event == NotifyEvent.RATED_LOW:
        return _("Rated %(score)s of 5 by the customer") % {"score": ticket.satisfaction}
    return str(NotifyEvent(event).label)


def subject_line(*, ticket: Ticket, text: str) -> str:
    """The mail subject: the ticket number in the form replies are threaded by (【工单 #N】 / [#N])."""
    return _("[#%(number)s] %(what)s: %(title)s") % {
        "number": ticket.number,
        "what": text,
        "title": ticket.title,
    }


def _plain(html: str) -> str:
    text = unescape(strip_tags(html.replace("<br>", "\n").replace("</p>", "\n\n")))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return text if len(text) <= COMMENT_EXCERPT else text[: COMMENT_EXCERPT - 1] + "…"


def _context(*, ticket: Ticket, notice: TicketNotice, for_customer: bool) -> dict[str, Any]:
    comment = notice.comment
    return {
        "ticket": ticket,
        "headline": headline(ticket=ticket, notice=notice, for_customer=for_customer),
        "status": ticket.get_status_display(),
        "priority": ticket.get_priority_display(),
        "comment_text": _plain(comment.body) if comment is not None else "",
        "comment_html": comment.body if comment is not None else "",
        "note": notice.note if notice.event in (NotifyEvent.TICKET_ASSIGNED, NotifyEvent.RATED_LOW) else "",
        "url": f"{settings.WEIBAO_BASE_URL}/tickets/{ticket.number}/",
        "for_customer": for_customer,
    }


def _mail_domain() -> str:
    address = parseaddr(settings.WEIBAO_REPLY_TO or settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "weibao.localhost"


def threading_headers(*, ticket: Ticket, key: str, recipient: str, automatic: bool) -> dict[str, str]:
    """Message-ID in the form intake recognises (``<ticket-N.x@host>``), and a thread root per ticket
    so every mail about one ticket lands in one conversation and a reply names the ticket twice over."""
    domain = _mail_domain()
    token = hashlib.sha256(f"{key}:{recipient}".encode()).hexdigest()[:16]
    root = f"<ticket-{ticket.number}.root@{domain}>"
    headers = {
        "Message-ID": f"<ticket-{ticket.number}.{token}@{domain}>",
        "In-Reply-To": root,
        "References": root,
        "X-Weibao-Ticket": str(ticket.number),
    }
    if automatic:
        # RFC 3834: an automatic message; autoresponders (and Outlook, by the second header) stay quiet.
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    return headers


def _render_email(
    *, ticket: Ticket, notice: TicketNotice, language: str, for_customer: bool
) -> tuple[str, str, str]:
    with override(language):
        context = _context(ticket=ticket, notice=notice, for_customer=for_customer)
        subject = subject_line(ticket=ticket, text=context["headline"])
        text = render_to_string("notifications/email/ticket.txt", context)
        html = render_to_string("notifications/email/ticket.html", context)
    return subject, text, html


def _email_to_user(
    *,
    ticket: Ticket,
    notice: TicketNotice,
    user: User,
    preference: NotificationPreference | None,
    now: datetime,
) -> DeliveryDraft:
    language = _language(user.language)
    subject, text, html = _render_email(ticket=ticket, notice=notice, language=language, for_customer=False)
    held = None
    if preference is not None and not _is_critical(ticket):
        held = quiet_until(
            start=preference.quiet_start, end=preference.quiet_end, time_zone=user.time_zone, now=now
        )
    return DeliveryDraft(
        channel=Channel.EMAIL,
        event=notice.event,
        dedupe_key=f"{notice.key}:email:u{user.pk}",
        subject=subject,
        body=text,
        html_body=html,
        to_address=user.email,
        language=language,
        user_id=user.pk,
        headers=threading_headers(ticket=ticket, key=notice.key, recipient=f"u{user.pk}", automatic=True),
        ticket_number=ticket.number,
        is_critical=_is_critical(ticket),
        not_before=held,
    )


def _email_to_contact(*, ticket: Ticket, notice: TicketNotice, contact: Contact) -> DeliveryDraft:
    language = _language(contact.user.language if contact.user else "")
    subject, text, html = _render_email(ticket=ticket, notice=notice, language=language, for_customer=True)
    # A person's reply is not an automatic message; acknowledgements and status mails are.
    automatic = notice.event != NotifyEvent.AGENT_REPLIED
    return DeliveryDraft(
        channel=Channel.EMAIL,
        event=notice.event,
        dedupe_key=f"{notice.key}:email:c{contact.pk}",
        subject=subject,
        body=text,
        html_body=html,
        to_address=contact.email,
        language=language,
        contact_id=contact.pk,
        headers=threading_headers(
            ticket=ticket, key=notice.key, recipient=f"c{contact.pk}", automatic=automatic
        ),
        ticket_number=ticket.number,
        is_critical=_is_critical(ticket),
    )


def _webhooks_for(*, ticket: Ticket, event: str) -> Iterable[Webhook]:
    scope = Q(team__isnull=True, customer__isnull=True) | Q(customer_id=ticket.customer_id)
    if ticket.team_id:
        scope |= Q(team_id=ticket.team_id)
    for webhook in Webhook.objects.filter(scope, is_active=True).order_by("pk"):
        customers_only = webhook.customer_id is not None and webhook.team_id is None
        default = CUSTOMER_WEBHOOK_EVENTS if customers_only else DEFAULT_WEBHOOK_EVENTS
        if event in (webhook.events or default):
            yield webhook


def _webhook_drafts(*, ticket: Ticket, notice: TicketNotice) -> list[DeliveryDraft]:
    webhooks = list(_webhooks_for(ticket=ticket, event=notice.event))
    if not webhooks:
        return []
    # Group chats read the default language (Chinese); the generic JSON carries codes as well.
    with override(settings.LANGUAGE_CODE):
        context = _context(ticket=ticket, notice=notice, for_customer=False)
        title = f"#{ticket.number} {context['headline']}"
        lines = [
            f"**{ticket.title}**",
            f"{_('Customer')}: {ticket.customer.name}",
            f"{_('Status')}: {context['status']} · {_('Priority')}: {context['priority']}",
        ]
        if ticket.assignee:
            lines.append(f"{_('Assignee')}: {ticket.assignee}")
        if context["comment_text"] and notice.event != NotifyEvent.CUSTOMER_REPLIED:
            lines.append(context["comment_text"][:500])
        lines.append(context["url"])
        body = "\n".join(lines)
    payload = {
        "event": notice.event,
        "occurred": notice.key,
        "ticket": {
            "number": ticket.number,
            "title": ticket.title,
            "status": ticket.status,
            "priority": ticket.priority,
            "is_emergency": ticket.is_emergency,
            "customer": ticket.customer.name,
            "assignee": str(ticket.assignee) if ticket.assignee else None,
            "team": ticket.team.name if ticket.team else None,
            "url": context["url"],
        },
        "text": context["headline"],
    }
    return [
        DeliveryDraft(
            channel=Channel.WEBHOOK,
            event=notice.event,
            dedupe_key=f"{notice.key}:webhook:w{webhook.pk}",
            subject=title,
            body=body,
            webhook_id=webhook.pk,
            to_address=webhook.name[:254],
            language=settings.LANGUAGE_CODE,
            payload=payload,
            ticket_number=ticket.number,
            is_critical=_is_critical(ticket),
        )
        for webhook in webhooks
    ]


def _send_in_app(*, ticket: Ticket, notice: TicketNotice, languages: dict[int, str]) -> int:
    """In-app rows for these users (id -> their language), one draft per language."""
    if not languages:
        return 0
    by_language: dict[str, set[int]] = defaultdict(set)
    for pk, language in languages.items():
        by_language[_language(language)].add(pk)
    level = (
        NotificationLevel.DANGER
        if notice.event in _LOUD or _is_critical(ticket)
        else NotificationLevel.WARNING
        if notice.event in _WARN
        else NotificationLevel.INFO
    )
    drafts = []
    for language, ids in sorted(by_language.items()):
        with override(language):
            text = headline(ticket=ticket, notice=notice, for_customer=False)
            title = _("#%(number)s: %(alert)s") % {"number": ticket.number, "alert": text}
            body = f"{ticket.title} ({ticket.customer.name})"
            if notice.comment is not None:
                body += "\n" + _plain(notice.comment.body)[:300]
        drafts.append(
            NotificationDraft(
                recipient_ids=ids,
                kind=_IN_APP_KIND.get(NotifyEvent(notice.event), NotificationKind.TICKET_UPDATE),
                level=level,
                title=title,
                body=body,
                url=f"/tickets/{ticket.number}/",
                dedupe_key=notice.key,
            )
        )
    return notification_send_many(drafts=drafts)
