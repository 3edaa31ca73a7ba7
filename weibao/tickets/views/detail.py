"""The ticket page (staff and portal), the action endpoints and attachment downloads."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_portal_user, is_staff_user
from weibao.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.sla.choices import TargetKind
from weibao.tickets import selectors, services, sla_selectors
from weibao.tickets.forms import ACTION_FORMS, ActionForm, Pickers, pickers_for
from weibao.tickets.models import Ticket
from weibao.tickets.permissions import allowed_actions, can_view_internal
from weibao.tickets.transitions import Action
from weibao.tickets.views._common import HtmxHttpRequest, staff_or_portal

# The order of the action buttons: the flow first, then the rest.
ACTION_ORDER = [
    "assign", "start", "pend", "resume", "resolve", "verify", "close", "rate", "reopen",
    "progress", "edit", "escalate", "add_collaborator", "merge", "cancel",
]  # fmt: skip
PRIMARY_ACTIONS = frozenset({"assign", "start", "resume", "resolve", "verify", "close", "rate"})
# Actions whose form needs people or teams to choose from.
PICKER_ACTIONS = frozenset({"assign", "escalate", "add_collaborator"})
MODAL_SIZES = {"edit": "modal-lg", "assign": "modal-lg"}

SUCCESS = {
    "assign": _("The ticket was dispatched."),
    "start": _("Work has started."),
    "pend": _("The ticket is pending."),
    "resume": _("Work continues."),
    "resolve": _("The ticket is resolved; customer service verifies next."),
    "verify": _("Verified; the customer was sent your reply."),
    "close": _("The ticket is closed. Thank you."),
    "rate": _("Thank you for your rating."),
    "reopen": _("The ticket was reopened."),
    "cancel": _("The ticket was cancelled."),
    "merge": _("The ticket was merged."),
    "escalate": _("The ticket was escalated."),
    "add_collaborator": _("The collaborator was added."),
    "progress": _("The progress update was recorded."),
    "comment": _("Your message was added."),
    "note": _("The internal note was added."),
    "edit": _("The details were saved."),
    "arrive": _("The arrival on site was recorded."),
    "explain_breach": _("The explanation was saved."),
}
HELP = {
    "start": _("Start working on this ticket now?"),
    "assign": _("Dispatch to an engineer and/or a team, with a deadline and what is expected."),
    "resolve": _("Record what caused the problem and how it was solved; customer service verifies next."),
    "verify": _("Check the result with the customer; your note is sent to the customer as a reply."),
    "close": _("Confirm the problem is solved and tell us how satisfied you are."),
    "reopen": _("The problem is back or was not solved: say why."),
    "merge": _(
        "Close this ticket as a duplicate of another ticket of the same customer; its history is kept."
    ),
    "escalate": _("Ask a superior for help; they join the ticket as a collaborator."),
    "progress": _("Record the progress update you gave the customer (by phone or in writing)."),
    "arrive": _("When did the engineer arrive on site? This meets the on-site target."),
    "explain_breach": _("Say why the target was missed; the reason feeds the quality figures."),
}
ANCHORS = {
    "comment": "conversation",
    "note": "conversation",
    "progress": "conversation",
    "arrive": "sla",
    "explain_breach": "sla",
}


def action_label(*, action: str, portal: bool) -> str:
    if action == "close":
        return str(_("Confirm and rate")) if portal else str(_("Close on the customer's behalf"))
    return str(Action(action).label)


def _pickers(request: HtmxHttpRequest, actions: list[str]) -> Pickers:
    if is_staff_user(user=request.user) and PICKER_ACTIONS & set(actions):
        return pickers_for(actor=request.user)
    return Pickers()


def _form_kwargs(request: HtmxHttpRequest, action: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"auto_id": f"id_{action}_%s"}
    if action in ("comment", "note"):
        kwargs["allow_internal"] = can_view_internal(actor=request.user)
    return kwargs


def _shown_actions(allowed: list[str]) -> list[str]:
    shown = [a for a in ACTION_ORDER if a in allowed]
    if "close" in shown and "rate" in shown:
        shown.remove("rate")  # closing asks for the rating already
    return shown


def _ticket_context(request: HtmxHttpRequest, ticket: Ticket) -> dict[str, Any]:
    actor = request.user
    portal = is_portal_user(user=actor)
    # First: it prefetches the items, which the triage form below reads again.
    # Staff only - the portal has its own terms.
    ticket_items = None if portal else selectors.ticket_items(ticket=ticket)
    allowed = allowed_actions(actor=actor, ticket=ticket)
    shown = _shown_actions(allowed)
    pickers = _pickers(request, shown)
    actions = [
        {
            "code": code,
            "label": action_label(action=code, portal=portal),
            "primary": code in PRIMARY_ACTIONS,
            "danger": code == "cancel",
            "modal_size": MODAL_SIZES.get(code, ""),
            "help": HELP.get(code, ""),
            "form": ACTION_FORMS[code](ticket=ticket, pickers=pickers, **_form_kwargs(request, code)),
            "url": reverse("tickets:action", args=[ticket.number, code]),
        }
        for code in shown
    ]
    reply_action = "comment" if "comment" in allowed else ("note" if "note" in allowed else "")
    reply_form = (
        ACTION_FORMS[reply_action](ticket=ticket, **_form_kwargs(request, reply_action))
        if reply_action
        else None
    )
    comments = list(selectors.ticket_comments(actor=actor, ticket=ticket))
    return {
        "ticket": ticket,
        "portal_view": portal,
        "can_internal": can_view_internal(actor=actor),
        "actions": actions,
        "reply_form": reply_form,
        "reply_url": reverse("tickets:action", args=[ticket.number, reply_action]) if reply_action else "",
        "comments": comments,
        "events": list(selectors.ticket_events(actor=actor, ticket=ticket)),
        "attachments": list(selectors.ticket_attachments(actor=actor, ticket=ticket)),
        "collaborators": list(ticket.collaborators.all()),
        "sla": _sla_context(ticket, allowed=allowed, portal=portal),
        "ticket_items": ticket_items,  # the items the report is about and who pays (AST-2)
    }


def _sla_context(ticket: Ticket, *, allowed: list[str], portal: bool) -> dict[str, Any] | None:
    """The service-level card: badges for everyone; segments, breaches, alerts and forms for staff."""
    now = timezone.now()
    if portal:
        views = sla_selectors.clock_views(clocks=ticket.sla_clocks.all(), now=now)
        if not views:
            return None
        return {"now": now, "targets": [{"view": v} for v in views], "staff": False}
    sla = sla_selectors.ticket_sla(ticket=ticket, now=now)
    if not sla.clocks:
        return None
    targets = [
        {"view": view, "clock": clock, "segments": list(clock.segments.all())}
        for clock, view in zip(sla.clocks, sla.views, strict=True)
    ]
    explain = "explain_breach" in allowed
    onsite_running = any(
        v.kind == TargetKind.ONSITE and v.seconds_left is not None and v.met_at is None for v in sla.views
    )
    return {
        "now": now,
        "staff": True,
        "policy": sla.clocks[0].policy,  # the clocks' policy, read with them (no query of its own)
        "targets": targets,
        "breaches": [
            {
                "breach": breach,
                "form": ACTION_FORMS["explain_breach"](
                    ticket=ticket,
                    initial={"kind": breach.kind, "reason": breach.reason},
                    auto_id=f"id_explain_{breach.kind}_%s",
                )
                if explain
                else None,
            }
            for breach in sla.breaches
        ],
        "explain_url": reverse("tickets:action", args=[ticket.number, "explain_breach"]),
        "alerts": sla.alerts,
        "arrive_form": (
            ACTION_FORMS["arrive"](ticket=ticket, auto_id="id_arrive_%s")
            if "arrive" in allowed and onsite_running and ticket.onsite_arrived_at is None
            else None
        ),
        "arrive_url": reverse("tickets:action", args=[ticket.number, "arrive"]),
    }


@allowed_if(staff_or_portal)
def ticket_detail(request: HtmxHttpRequest, number: int) -> HttpResponse:
    """Everything about one ticket, with the actions the viewer may take now."""
    ticket = selectors.ticket_get_by_number(actor=request.user, number=number)
    return render(request, "tickets/detail.html", _ticket_context(request, ticket))


@allowed_if(staff_or_portal)
def ticket_action(request: HtmxHttpRequest, number: int, action: str) -> HttpResponse:
    """GET: the action's form on its own page. POST: run it; on success back to the ticket (PRG).

    A refused action is shown again with the message beside its field (4xx), or as an alert for a
    conflict (409: the ticket changed meanwhile or the state no longer allows it).
    """
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    ticket = selectors.ticket_get_by_number(actor=request.user, number=number)
    pickers = (
        pickers_for(actor=request.user)
        if action in PICKER_ACTIONS and is_staff_user(user=request.user)
        else None
    )
    kwargs = _form_kwargs(request, action)
    conflict: DomainError | None = None
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, ticket=ticket, pickers=pickers, **kwargs)
        if form.is_valid():
            conflict, status = _run(request, form, action=action, ticket=ticket)
            if status == 302:
                messages.success(request, SUCCESS[action])
                url = reverse("tickets:detail", args=[number])
                return redirect(f"{url}#{ANCHORS[action]}" if action in ANCHORS else url)
        else:
            status = 400
    else:
        form = form_class(ticket=ticket, pickers=pickers, **kwargs)
    context = {
        "ticket": ticket,
        "action": action,
        "label": action_label(action=action, portal=is_portal_user(user=request.user)),
        "help": HELP.get(action, ""),
        "form": form,
        "conflict": conflict,
        "url": reverse("tickets:action", args=[number, action]),
    }
    return render(request, "tickets/action.html", context, status=status)


def _run(
    request: HtmxHttpRequest, form: ActionForm, *, action: str, ticket: Ticket
) -> tuple[DomainError | None, int]:
    """Call the action's service. Returns (conflict or None, HTTP status; 302 on success)."""
    kwargs = form.service_kwargs()
    if form.versioned:
        kwargs["version"] = form.cleaned_data.get("version")
    try:
        if action == "merge":
            target = selectors.ticket_get_by_number(
                actor=request.user, number=form.cleaned_data["into_ticket"]
            )
            kwargs["into_ticket_id"] = target.pk
        getattr(services, form.service)(actor=request.user, ticket_id=ticket.pk, **kwargs)
    except NotFound as exc:
        if action != "merge":
            raise
        form.add_error("into_ticket", str(exc.detail))
        return None, 422
    except Conflict as exc:
        return exc, exc.status
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return None, exc.status
    return None, 302


@allowed_if(staff_or_portal)
def attachment_download(request: HtmxHttpRequest, attachment_id: int) -> HttpResponse:
    """Stream an attachment as a download (never rendered inline), if its ticket is in scope."""
    attachment = selectors.attachment_get(actor=request.user, attachment_id=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.filename, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return cast("HttpResponse", response)  # a streaming response; the decorator only passes it on
