"""Email pages: mailboxes (administrators) and received mail that needs a person (held: agents;
quarantined: administrators retry or discard). Thin: parse, call one service or selector, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weibao.accounts.decorators import allowed_if
from weibao.core.errors import DomainError, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.mail import selectors, services
from weibao.mail.choices import InboundStatus
from weibao.mail.forms import InboundAssignForm, MailboxForm
from weibao.mail.permissions import can_handle_inbound, can_manage_mailboxes

_FIELDS = {"customer_id": "customer", "team_id": "team", "contact_id": "contact"}


def _save(form: Any, call: Callable[[], Any]) -> int:
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc, field_map=_FIELDS)
        return exc.status
    return 302


@allowed_if(can_manage_mailboxes)
def mailbox_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "mail/mailbox_list.html", {"mailboxes": selectors.mailbox_list(actor=request.user)}
    )


@allowed_if(can_manage_mailboxes)
def mailbox_edit(request: HttpRequest, mailbox_id: int | None = None) -> HttpResponse:
    mailbox = selectors.mailbox_get(actor=request.user, mailbox_id=mailbox_id) if mailbox_id else None
    form = MailboxForm(request.POST or None, initial=MailboxForm.initial_for(mailbox) if mailbox else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _save(
                form,
                lambda: services.mailbox_save(
                    actor=request.user, mailbox_id=mailbox_id, **form.service_kwargs()
                ),
            )
            if status == 302:
                messages.success(request, _("The mailbox was saved."))
                return redirect("mail:mailboxes")
    return render(request, "mail/mailbox_form.html", {"form": form, "mailbox": mailbox}, status=status)


@require_POST
@allowed_if(can_manage_mailboxes)
def mailbox_test(request: HttpRequest, mailbox_id: int) -> HttpResponse:
    """Sign in with the stored settings and open the folder; say what happened."""
    check = services.mailbox_test(actor=request.user, mailbox_id=mailbox_id)
    if check.ok:
        messages.success(request, _("Connected. The folder holds %(n)s messages.") % {"n": check.messages})
    else:
        messages.error(request, _("The connection failed: %(error)s") % {"error": check.error})
    return redirect("mail:mailboxes")


@allowed_if(can_handle_inbound)
def inbound_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status == "open" or status in InboundStatus.values else "open"
    rows = selectors.inbound_list(actor=request.user, status=status)
    context = {
        "rows": rows,
        "status": status,
        "statuses": InboundStatus.choices,
        "can_admin": can_manage_mailboxes(user=request.user),
    }
    return render(request, "mail/inbound_list.html", context)


@allowed_if(can_handle_inbound)
def inbound_detail(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """One received mail: what it said, why it waits, and the actions it allows."""
    row = selectors.inbound_get(actor=request.user, inbound_id=inbound_id)
    form = InboundAssignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = _save(
                form,
                lambda: services.inbound_assign(
                    actor=request.user,
                    inbound_id=row.pk,
                    customer_id=form.cleaned_data["customer"].pk,
                    contact_id=form.cleaned_data["contact"].pk if form.cleaned_data.get("contact") else None,
                ),
            )
            if status == 302:
                messages.success(request, _("The mail is now a ticket."))
                return redirect("mail:inbound_detail", inbound_id=row.pk)
    context = {
        "row": row,
        "form": form,
        "preview": selectors.inbound_preview(actor=request.user, inbound_id=row.pk),
        "can_admin": can_manage_mailboxes(user=request.user),
    }
    return render(request, "mail/inbound_detail.html", context, status=status)


@allowed_if(can_handle_inbound)
def inbound_raw(request: HttpRequest, inbound_id: int) -> HttpResponse:
    """The original message as received (.eml), for a closer look in a mail program (never inline)."""
    row = selectors.inbound_get(actor=request.user, inbound_id=inbound_id)
    response = FileResponse(
        row.raw.open("rb"), as_attachment=True, filename=f"mail-{row.pk}.eml", content_type="message/rfc822"
    )
    return cast("HttpResponse", response)  # a streaming response; the decorator only passes it on


def _act(request: HttpRequest, inbound_id: int, call: Callable[[], Any], done: str) -> HttpResponse:
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done)
    return redirect("mail:inbound_detail", inbound_id=inbound_id)


@require_POST
@allowed_if(can_handle_inbound)
def inbound_retry(request: HttpRequest, inbound_id: int) -> HttpResponse:
    return _act(
        request,
        inbound_id,
        lambda: services.inbound_retry(actor=request.user, inbound_id=inbound_id),
        _("The mail was processed again."),
    )


@require_POST
@allowed_if(can_handle_inbound)
def inbound_discard(request: HttpRequest, inbound_id: int) -> HttpResponse:
    return _act(
        request,
        inbound_id,
        lambda: services.inbound_discard(actor=request.user, inbound_id=inbound_id),
        _("The mail was discarded."),
    )
