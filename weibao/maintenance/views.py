"""Maintenance-plan pages (/plans/) and the calendar feeds (/calendar/<token>.ics).
Thin: parse, call one service or selector, render; a refusal goes beside its field or in a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from weibao.accounts.decorators import allowed_if
from weibao.accounts.permissions import is_portal_user
from weibao.core.errors import DomainError, NotFound, PermissionDenied
from weibao.core.forms import add_domain_error
from weibao.maintenance import ical, selectors, services
from weibao.maintenance.choices import AdjustmentStatus, OccurrenceStatus, PlanStatus
from weibao.maintenance.forms import (
    AdjustmentForm,
    CompleteForm,
    DecisionForm,
    PlanForm,
    RescheduleOccurrenceForm,
    RoutineForm,
)
from weibao.maintenance.models import Occurrence
from weibao.maintenance.permissions import can_approve_plans, can_manage_plans, can_see_plans

_FIELDS = {
    "customer_id": "customer",
    "system_id": "system",
    "responsible_id": "responsible",
    "assignee_ids": "assignees",
}


def _try(form: Any, call: Callable[[], Any]) -> int:
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        if form is not None:
            add_domain_error(form, exc, field_map=_FIELDS)
        return exc.status
    return 302


def _message(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    try:
        call()
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, done)


@allowed_if(can_see_plans)
def plan_list(request: HttpRequest) -> HttpResponse:
    year = request.GET.get("year")
    plans = selectors.plan_list(actor=request.user, year=int(year) if year and year.isdigit() else None)
    context = {"plans": plans, "can_manage": can_manage_plans(user=request.user), "year": year or ""}
    return render(request, "maintenance/list.html", context)


@allowed_if(can_manage_plans)
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(
        request.POST or None, initial={"year": timezone.localdate().year + 1, "responsible": request.user.pk}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            created: dict[str, Any] = {}

            def call() -> None:
                created["plan"] = services.plan_create(actor=request.user, fields=form.fields_for_service())

            status = _try(form, call)
            if status == 302:
                messages.success(request, _("The plan was drafted; add its routines."))
                return redirect("maintenance:detail", plan_id=created["plan"].pk)
    return render(request, "maintenance/form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, plan_id: int, **forms: Any) -> dict[str, Any]:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id)
    occurrences = list(selectors.plan_occurrences(actor=request.user, plan_id=plan_id))
    today = timezone.localdate()
    manage, approve = can_manage_plans(user=request.user), can_approve_plans(user=request.user)
    context = {
        "plan": plan,
        "routines": list(plan.routines.all()),
        "upcoming": [o for o in occurrences if o.status == OccurrenceStatus.SCHEDULED and o.due_on >= today][
            :40
        ],
        "overdue": [o for o in occurrences if o.is_overdue],
        "done": [o for o in occurrences if o.status == OccurrenceStatus.DONE][-20:],
        "report": selectors.plan_report(actor=request.user, plan_id=plan_id),
        "adjustments": list(plan.adjustments.select_related("requested_by", "decided_by")),
        "events": list(plan.events.select_related("actor").order_by("-at", "-id")[:30]),
        "can_manage": manage and not is_portal_user(user=request.user),
        "can_approve": approve,
        "routine_form": RoutineForm() if manage and plan.status == PlanStatus.DRAFT else None,
        "adjustment_form": AdjustmentForm()
        if manage and plan.status in (PlanStatus.APPROVED, PlanStatus.ACTIVE)
        else None,
        "reschedule_form": RescheduleOccurrenceForm(),
        "complete_form": CompleteForm(),
        "decision_form": DecisionForm(),
        "requested": AdjustmentStatus.REQUESTED,
    }
    context.update(forms)
    return context


@allowed_if(can_see_plans)
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    return render(request, "maintenance/detail.html", _detail(request, plan_id))


@require_POST
@allowed_if(can_manage_plans)
def routine_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    form = RoutineForm(request.POST)
    status = 400
    if form.is_valid():
        status = _try(
            form,
            lambda: services.routine_add(
                actor=request.user, plan_id=plan_id, fields=form.fields_for_service()
            ),
        )
        if status == 302:
            messages.success(request, _("The routine was added."))
            return redirect("maintenance:detail", plan_id=plan_id)
    return render(
        request, "maintenance/detail.html", _detail(request, plan_id, routine_form=form), status=status
    )


_TRANSITIONS = {
    "approve": (services.plan_approve, lambda: _("The plan was approved.")),
    "activate": (services.plan_activate, lambda: _("The plan is active; its work is being scheduled.")),
    "close": (services.plan_close, lambda: _("The plan was closed.")),
}


@require_POST
@allowed_if(can_see_plans)
def plan_transition(request: HttpRequest, plan_id: int, action: str) -> HttpResponse:
    if action not in _TRANSITIONS:
        raise Http404
    service, done = _TRANSITIONS[action]
    _message(request, lambda: service(actor=request.user, plan_id=plan_id), done())
    return redirect("maintenance:detail", plan_id=plan_id)


@require_POST
@allowed_if(can_manage_plans)
def adjustment_request(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id)
    form = AdjustmentForm(request.POST)
    status = 400
    if form.is_valid():
        status = _try(
            form,
            lambda: services.adjustment_request(
                actor=request.user,
                plan_id=plan.pk,
                changes=form.changes(routines=list(plan.routines.all())),
                reason=form.cleaned_data["reason"],
            ),
        )
        if status == 302:
            messages.success(request, _("The adjustment was requested; it applies once approved."))
            return redirect("maintenance:detail", plan_id=plan_id)
    return render(
        request, "maintenance/detail.html", _detail(request, plan_id, adjustment_form=form), status=status
    )


@require_POST
@allowed_if(can_approve_plans)
def adjustment_decide(request: HttpRequest, plan_id: int, adjustment_id: int, verdict: str) -> HttpResponse:
    if verdict not in ("approve", "reject"):
        raise Http404
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id)
    if not plan.adjustments.filter(pk=adjustment_id).exists():
        raise Http404
    form = DecisionForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    _message(
        request,
        lambda: services.adjustment_decide(
            actor=request.user, adjustment_id=adjustment_id, approve=verdict == "approve", note=note
        ),
        _("The adjustment was approved.") if verdict == "approve" else _("The adjustment was rejected."),
    )
    return redirect("maintenance:detail", plan_id=plan_id)


def _occurrence(request: HttpRequest, plan_id: int, occurrence_id: int) -> Occurrence:
    selectors.plan_get(actor=request.user, plan_id=plan_id)
    occurrence = Occurrence.objects.filter(pk=occurrence_id, plan_id=plan_id).first()
    if occurrence is None:
        raise Http404
    return occurrence


@require_POST
@allowed_if(can_manage_plans)
def occurrence_reschedule(request: HttpRequest, plan_id: int, occurrence_id: int) -> HttpResponse:
    occurrence = _occurrence(request, plan_id, occurrence_id)
    form = RescheduleOccurrenceForm(request.POST)
    if form.is_valid():
        _message(
            request,
            lambda: services.occurrence_reschedule(
                actor=request.user,
                occurrence_id=occurrence.pk,
                to_date=form.cleaned_data["to_date"],
                reason=form.cleaned_data["reason"],
            ),
            _("Rescheduled."),
        )
    else:
        messages.error(request, _("Give the new date and the reason."))
    return redirect("maintenance:detail", plan_id=plan_id)


@require_POST
@allowed_if(can_see_plans)
def occurrence_complete(request: HttpRequest, plan_id: int, occurrence_id: int) -> HttpResponse:
    occurrence = _occurrence(request, plan_id, occurrence_id)
    form = CompleteForm(request.POST)
    if form.is_valid():
        _message(
            request,
            lambda: services.occurrence_complete(
                actor=request.user, occurrence_id=occurrence.pk, outcome=form.cleaned_data["outcome"]
            ),
            _("Recorded as done."),
        )
    else:
        messages.error(request, _("Say what came of it."))
    return redirect("maintenance:detail", plan_id=plan_id)


# --------------------------------------------------------------------------- calendar feeds


@allowed_if(can_see_plans)
def feeds(request: HttpRequest) -> HttpResponse:
    """The actor's calendar feeds; a new one shows its URL once."""
    new_url = ""
    if request.method == "POST":
        customer_id = request.POST.get("customer")
        if is_portal_user(user=request.user):
            contact = getattr(request.user, "contact", None)
            customer_id = str(contact.customer_id) if contact else None
        try:
            _feed, raw = services.feed_create(
                actor=request.user,
                customer_id=int(customer_id) if customer_id and customer_id.isdigit() else None,
            )
        except (NotFound, PermissionDenied) as exc:
            messages.error(request, str(exc.detail))
        else:
            new_url = request.build_absolute_uri(f"/calendar/{raw}.ics")
            messages.success(request, _("Copy the address now: it is shown only once."))
    context = {
        "feeds": selectors.feed_list(actor=request.user),
        "new_url": new_url,
        "is_portal": is_portal_user(user=request.user),
        "customers": []
        if is_portal_user(user=request.user)
        else selectors.feed_customers(actor=request.user),
    }
    return render(request, "maintenance/feeds.html", context)


@require_POST
@allowed_if(can_see_plans)
def feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    _message(
        request,
        lambda: services.feed_revoke(actor=request.user, feed_id=feed_id),
        _("The calendar feed was revoked."),
    )
    return redirect("maintenance:feeds")


@require_GET
def feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed itself: no sign-in, the token in the URL is the secret (phones cannot sign in)."""
    try:
        name, events = selectors.feed_calendar(raw_token=token)
    except NotFound as exc:
        raise Http404 from exc
    response = HttpResponse(
        ical.calendar(name=name, events=events), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="weibao.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
