"""From a received mail to a ticket or a reply on one (INT-1), and the held/quarantined mail workflow.

Every mail is recorded once (``InboundMail.message_key`` is unique) together with what became of it,
in the same transaction as the ticket or comment it produced: a mail is never half-processed and
never processed twice. Whatever goes wrong with one mail puts it in the quarantine with the reason;
the poll goes on with the next.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.choices import Perm, UserKind
from weibao.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from weibao.core.html import text_to_html
from weibao.customers.models import Contact, Customer
from weibao.customers.services import contact_create
from weibao.mail.choices import InboundStatus, UnknownSender
from weibao.mail.models import InboundMail, Mailbox
from weibao.mail.parsing import (
    MailFile,
    ParsedMail,
    UnparseableMail,
    body_for_reply,
    body_for_ticket,
    clean_subject,
    parse_mail,
    ticket_number_in,
    ticket_numbers_in_ids,
)
from weibao.mail.permissions import can_handle_inbound, can_manage_mailboxes
from weibao.tickets.choices import Channel, Status
from weibao.tickets.models import Ticket
from weibao.tickets.services import comment_from_contact, ticket_assign, ticket_create
from weibao.tickets.services.intake import ALLOWED_EXTENSIONS

logger = logging.getLogger(__name__)

INTAKE_USERNAME = "weibao-mail"
# Exactly what the intake may do on a sender's behalf; it signs in nowhere (unusable password).
INTAKE_PERMS = frozenset(
    {Perm.TICKET_CREATE, Perm.TICKET_ASSIGN, Perm.TICKET_VIEW_ALL, Perm.CUSTOMER_MANAGE, Perm.CUSTOMER_VIEW}
)
# Webmail domains many customers share: a sender there says nothing about which customer it is.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com",
        "aliyun.com", "139.com", "189.cn", "wo.cn", "gmail.com", "outlook.com", "hotmail.com", "live.com",
        "yahoo.com", "icloud.com", "me.com",
    }
)  # fmt: skip
CLOSED_STATUSES = (Status.CLOSED, Status.CANCELLED)


def intake_actor() -> Any:
    """The system account tickets created from mail are recorded under (``created_by``)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=INTAKE_USERNAME,
        defaults={"kind": UserKind.STAFF, "first_name": "邮件收取", "is_active": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user._weibao_perms = INTAKE_PERMS  # type: ignore[attr-defined]  # not from roles: an administrator cannot widen it by accident
    return user


@dataclass
class _Decision:
    status: str
    reason: str = ""
    ticket: Ticket | None = None
    comment: Any = None


def _uploads(files: list[MailFile]) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments the desk accepts (type, size, count), and a note for each one left out."""
    kept: list[SimpleUploadedFile] = []
    skipped: list[str] = []
    for item in files:
        suffix = PurePath(item.filename.lower()).suffix
        if suffix not in ALLOWED_EXTENSIONS:
            skipped.append(_("%(name)s (type not accepted)") % {"name": item.filename})
        elif len(item.data) > settings.ATTACHMENT_MAX_BYTES:
            skipped.append(_("%(name)s (too large)") % {"name": item.filename})
        elif len(kept) >= settings.ATTACHMENT_MAX_FILES:
            skipped.append(_("%(name)s (too many files)") % {"name": item.filename})
        else:
            kept.append(SimpleUploadedFile(item.filename, item.data, content_type=item.content_type))
    return kept, skipped


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower()


def _customers_by_domain(address: str) -> list[Customer]:
    domain = _domain(address)
    if domain in PUBLIC_MAIL_DOMAINS:
        return []
    candidates = Customer.objects.filter(email_domains__icontains=domain, is_active=True)
    return [
        c
        for c in candidates
        if domain in {d.strip().lower() for d in c.email_domains.split(",") if d.strip()}
    ]


def _contact_for(*, address: str, customer_id: int | None) -> Contact | str | None:
    """The sender's contact (within ``customer_id`` when given); 'ambiguous' when several customers match."""
    contacts = list(
        Contact.objects.alias(email_lower=Lower("email"))
        .filter(email_lower=address.lower(), is_active=True, customer__is_active=True)
        .select_related("customer", "user")
        .order_by("id")
    )
    if customer_id is not None:
        contacts = [c for c in contacts if c.customer_id == customer_id] or contacts
    if len({c.customer_id for c in contacts}) > 1:
        return "ambiguous"
    return contacts[0] if contacts else None


def _new_contact(*, parsed: ParsedMail, customer: Customer) -> Contact:
    name = parsed.from_name or parsed.from_address.split("@", 1)[0]
    return contact_create(
        actor=intake_actor(), customer_id=customer.pk, name=name[:100], email=parsed.from_address
    )


def _thread_ticket(parsed: ParsedMail) -> Ticket | None:
    """The ticket this mail answers: by Message-ID chain first, then the number in the subject."""
    ids = parsed.thread_ids
    if ids:
        ticket_id = (
            InboundMail.objects.filter(message_id__in=ids, ticket__isnull=False)
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if ticket_id is not None:
            return Ticket.objects.filter(pk=ticket_id).first()
    numbers = ticket_numbers_in_ids(ids)
    number = ticket_number_in(parsed.subject)
    if number is not None:
        numbers.append(number)
    for candidate in numbers:
        ticket = Ticket.objects.filter(number=candidate).first()
        if ticket is not None:
            return ticket
    return None


def _follow_merges(ticket: Ticket) -> Ticket:
    seen = {ticket.pk}
    while ticket.merged_into_id and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _reply(*, parsed: ParsedMail, ticket: Ticket, contact: Contact) -> _Decision:
    uploads, skipped = _uploads(parsed.files)
    body = body_for_reply(parsed)
    if not body.strip():
        # Only quoted text (or only files): keep the whole text rather than an empty comment.
        body = text_to_html(value=parsed.text) or text_to_html(value=_("(attachments only)"))
    comment = comment_from_contact(
        ticket_id=ticket.pk, contact=contact, body=body, body_is_html=True, attachments=uploads
    )
    return _Decision(status=InboundStatus.THREADED, reason="; ".join(skipped), ticket=ticket, comment=comment)


def _create_ticket(
    *, parsed: ParsedMail, contact: Contact, mailbox: Mailbox | None, follow_up_of: Ticket | None = None
) -> _Decision:
    uploads, skipped = _uploads(parsed.files)
    description, is_html = body_for_ticket(parsed)
    if follow_up_of is not None:
        note = _("Follow-up by email to the closed ticket #%(number)s.") % {"number": follow_up_of.number}
        description = text_to_html(value=note) + (description if is_html else text_to_html(value=description))
        is_html = True
    now = timezone.now()
    reported_at: datetime = min(parsed.date, now) if parsed.date else now
    actor = intake_actor()
    ticket = ticket_create(
        actor=actor,
        customer_id=contact.customer_id,
        contact_id=contact.pk,
        channel=Channel.EMAIL,
        title=clean_subject(parsed.subject) or _("(no subject)"),
        description=description or _("(empty message)"),
        description_is_html=is_html,
        reporter_email=parsed.from_address,
        reported_at=reported_at,
        attachments=uploads,
    )
    if mailbox is not None and mailbox.team_id:
        ticket = ticket_assign(actor=actor, ticket_id=ticket.pk, team_id=mailbox.team_id)
    return _Decision(status=InboundStatus.TICKET_CREATED, reason="; ".join(skipped), ticket=ticket)


def _decide(*, parsed: ParsedMail, mailbox: Mailbox | None) -> _Decision:
    """What to do with a person's mail: reply on a ticket, new ticket, or hold."""
    if parsed.auto_reason:
        return _Decision(status=InboundStatus.AUTO_REPLY, reason=parsed.auto_reason)
    found = _thread_ticket(parsed)
    ticket = _follow_merges(found) if found is not None else None
    customer_id = mailbox.customer_id if mailbox is not None else None
    if ticket is not None:
        contact = _contact_for(address=parsed.from_address, customer_id=ticket.customer_id)
        if isinstance(contact, Contact) and contact.customer_id == ticket.customer_id:
            if ticket.status in CLOSED_STATUSES:
                return _create_ticket(parsed=parsed, contact=contact, mailbox=mailbox, follow_up_of=ticket)
            return _reply(parsed=parsed, ticket=ticket, contact=contact)
        # Someone else at the same customer (a colleague in Cc) may join the conversation.
        may_add = mailbox is None or mailbox.unknown_sender == UnknownSender.CREATE_CONTACT
        if contact is None and may_add and ticket.customer in _customers_by_domain(parsed.from_address):
            new = _new_contact(parsed=parsed, customer=ticket.customer)
            if ticket.status in CLOSED_STATUSES:
                return _create_ticket(parsed=parsed, contact=new, mailbox=mailbox, follow_up_of=ticket)
            return _reply(parsed=parsed, ticket=ticket, contact=new)
        # A stranger naming a ticket gets no access to it: the mail is handled as a new one.
    contact = _contact_for(address=parsed.from_address, customer_id=customer_id)
    if contact == "ambiguous":
        return _Decision(
            status=InboundStatus.HELD,
            reason=_("The sender is a contact of several customers; choose one."),
        )
    if isinstance(contact, Contact):
        return _create_ticket(parsed=parsed, contact=contact, mailbox=mailbox)
    if mailbox is not None and mailbox.unknown_sender == UnknownSender.CREATE_CONTACT:
        customers = [mailbox.customer] if mailbox.customer else _customers_by_domain(parsed.from_address)
        if len(customers) == 1:
            new = _new_contact(parsed=parsed, customer=customers[0])
            return _create_ticket(parsed=parsed, contact=new, mailbox=mailbox)
    return _Decision(
        status=InboundStatus.HELD,
        reason=_("Unknown sender %(address)s; assign the mail to a customer.")
        % {"address": parsed.from_address},
    )


def _key_of_raw(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _apply(row: InboundMail, decision: _Decision) -> None:
    row.status = decision.status
    row.reason = decision.reason
    row.ticket = decision.ticket
    row.comment = decision.comment
    row.processed_at = timezone.now()


def _quarantine(row: InboundMail, reason: str) -> InboundMail:
    row.status = InboundStatus.QUARANTINED
    row.reason = reason[:2000]
    row.ticket = row.comment = None
    row.processed_at = timezone.now()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # a concurrent poll recorded the same mail first
        return InboundMail.objects.get(message_key=row.message_key)
    return row


def inbound_receive(*, mailbox_id: int | None, uid: int | None, raw: bytes) -> InboundMail:
    """Record one received mail and act on it; returns the existing row for a mail seen before."""
    mailbox = Mailbox.objects.select_related("customer").filter(pk=mailbox_id).first() if mailbox_id else None
    parsed: ParsedMail | None = None
    problem = ""
    if len(raw) > settings.MAIL_MAX_BYTES:
        problem = _("The mail is larger than %(mb)s MB.") % {"mb": settings.MAIL_MAX_BYTES // (1024 * 1024)}
    else:
        try:
            parsed = parse_mail(raw)
        except UnparseableMail as exc:
            problem = _("The mail could not be read: %(error)s") % {"error": exc}
    key = parsed.message_key if parsed else _key_of_raw(raw)
    existing = InboundMail.objects.filter(message_key=key).first()
    if existing is not None:
        return existing
    row = InboundMail(
        mailbox=mailbox,
        uid=uid,
        message_key=key[:255],
        message_id=parsed.message_id if parsed else "",
        from_address=parsed.from_address if parsed else "",
        from_name=parsed.from_name if parsed else "",
        subject=parsed.subject if parsed else "",
        size=len(raw),
    )
    row.raw.save("mail.eml", ContentFile(raw), save=False)
    if parsed is None:
        return _quarantine(row, problem)
    return _process(row=row, parsed=parsed, mailbox=mailbox)


def _process(*, row: InboundMail, parsed: ParsedMail, mailbox: Mailbox | None) -> InboundMail:
    is_new = row.pk is None
    try:
        with transaction.atomic():
            if is_new:
                row.status = InboundStatus.QUARANTINED  # replaced below, in the same transaction
                row.save()  # claims the message key first: a concurrent poll stops here
            _apply(row, _decide(parsed=parsed, mailbox=mailbox))
            row.save()
        return row
    except IntegrityError:
        existing = InboundMail.objects.filter(message_key=row.message_key).first()
        if existing is not None and is_new:
            return existing
        reason = _("The mail could not be stored.")
    except DomainError as exc:
        reason = f"{exc.code}: {exc.detail}"
    except Exception as exc:  # one bad mail must never stop the poll
        logger.exception("mail intake failed for %s", row.message_key)
        reason = f"{type(exc).__name__}: {exc}"
    if is_new:
        row.pk = None  # the insert was rolled back with the rest
    return _quarantine(row, reason)


def _inbound_for_action(*, actor: Any, inbound_id: int, admin: bool) -> InboundMail:
    allowed = can_manage_mailboxes(user=actor) if admin else can_handle_inbound(user=actor)
    if not allowed:
        raise PermissionDenied(_("You may not handle received mail."), code="permission_denied")
    row = InboundMail.objects.select_related("mailbox").filter(pk=inbound_id).first()
    if row is None:
        raise NotFound(_("Mail not found."), code="mail_not_found")
    return row


def inbound_retry(*, actor: Any, inbound_id: int) -> InboundMail:
    """Process a quarantined mail again from its stored original (after a fix or a configuration change)."""
    row = _inbound_for_action(actor=actor, inbound_id=inbound_id, admin=True)
    if row.status != InboundStatus.QUARANTINED:
        raise ValidationFailed(_("Only quarantined mail can be retried."), code="invalid_state")
    with row.raw.open("rb") as handle:
        raw = handle.read()
    try:
        parsed = parse_mail(raw)
    except UnparseableMail as exc:
        row.attempts += 1
        row.handled_by = actor
        return _quarantine(row, _("The mail could not be read: %(error)s") % {"error": exc})
    row.attempts += 1
    row.handled_by = actor
    return _process(row=row, parsed=parsed, mailbox=row.mailbox)


def inbound_discard(*, actor: Any, inbound_id: int) -> InboundMail:
    """Drop a held or quarantined mail from the list; the original stays on file."""
    row = _inbound_for_action(actor=actor, inbound_id=inbound_id, admin=False)
    if row.status not in (InboundStatus.HELD, InboundStatus.QUARANTINED):
        raise ValidationFailed(_("Only held or quarantined mail can be discarded."), code="invalid_state")
    row.status = InboundStatus.DISCARDED
    row.handled_by = actor
    row.processed_at = timezone.now()
    row.save(update_fields=["status", "handled_by", "processed_at"])
    return row


def inbound_assign(
    *, actor: Any, inbound_id: int, customer_id: int, contact_id: int | None = None
) -> InboundMail:
    """Make a held mail a ticket of ``customer_id``, from ``contact_id`` or a new contact for the sender."""
    row = _inbound_for_action(actor=actor, inbound_id=inbound_id, admin=False)
    if row.status != InboundStatus.HELD:
        raise ValidationFailed(_("Only held mail can be assigned."), code="invalid_state")
    customer = Customer.objects.filter(pk=customer_id, is_active=True).first()
    if customer is None:
        raise ValidationFailed(_("Choose the customer."), code="required", field="customer_id")
    contact = None
    if contact_id is not None:
        contact = Contact.objects.filter(pk=contact_id, customer=customer, is_active=True).first()
        if contact is None:
            raise ValidationFailed(
                _("The contact does not belong to this customer."),
                code="invalid_reference",
                field="contact_id",
            )
    with row.raw.open("rb") as handle:
        parsed = parse_mail(handle.read())
    with transaction.atomic():
        if contact is None:
            contact = _new_contact(parsed=parsed, customer=customer)
        _apply(row, _create_ticket(parsed=parsed, contact=contact, mailbox=row.mailbox))
        row.handled_by = actor
        row.save()
    return row
