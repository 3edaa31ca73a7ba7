"""Working-calendar pages: list with missing-year warnings, edit weekly periods, days of a year, imports.

Staff read (``calendars.permissions.can_view_calendars``); ``sla.manage`` edits. Thin: parse, call one
service or selector, render. Refusals from services go beside their field (``add_domain_error``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from weibao.accounts.decorators import allowed_if
from weibao.calendars import selectors, services
from weibao.calendars.builtin import CN_WORKDAY
from weibao.calendars.choices import Weekday
from weibao.calendars.engine import format_periods
from weibao.calendars.forms import CalendarForm, DayDeleteForm, DayForm, HolidayFileForm, YearForm
from weibao.calendars.models import Calendar, WorkingPeriod
from weibao.calendars.permissions import can_manage_calendars, can_view_calendars
from weibao.core.errors import DomainError, PermissionDenied
from weibao.core.forms import add_domain_error


def _year(value: Any) -> int:
    """The year asked for (``?year=``), or this year when absent or out of range."""
    form = YearForm({"year": value})
    return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year


def _weekly_rows(periods: Iterable[WorkingPeriod]) -> list[dict[str, Any]]:
    """One row per weekday (Monday first) with its periods as text, from already loaded periods."""
    by_day: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in periods:
        by_day[p.weekday].append((p.start_minute, p.end_minute))
    return [
        {"weekday": w, "label": label, "text": format_periods(sorted(by_day.get(w, [])))}
        for w, label in Weekday.choices
    ]


def _summary(rows: list[dict[str, Any]]) -> list[str]:
    """Consecutive weekdays with the same periods folded: ``Monday–Friday: 08:30-12:00, 13:30-17:30``."""
    groups: list[list[dict[str, Any]]] = []
    for row in rows:
        if groups and groups[-1][-1]["text"] == row["text"]:
            groups[-1].append(row)
        else:
            groups.append([row])
    lines = []
    for group in groups:
        if not group[0]["text"]:
            continue
        days = group[0]["label"] if len(group) == 1 else f"{group[0]['label']}–{group[-1]['label']}"
        lines.append(f"{days}: {group[0]['text']}")
    return lines


def _year_ranges(years: Iterable[int]) -> list[str]:
    """``[2004, 2005, 2006, 2010]`` -> ``["2004–2006", "2010"]``: a calendar knows twenty years."""
    ranges: list[list[int]] = []
    for year in sorted(years):
        if ranges and ranges[-1][-1] == year - 1:
            ranges[-1].append(year)
        else:
            ranges.append([year])
    return [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in ranges]


def _import_command(calendar: Calendar, year: int) -> str:
    option = "" if calendar.slug == CN_WORKDAY else f" --calendar {calendar.slug}"
    return f"python manage.py import_holidays --year {year}{option}"


# --------------------------------------------------------------------------- list


@allowed_if(can_view_calendars)
def calendar_list(request: HttpRequest) -> HttpResponse:
    """Every calendar with its weekly pattern and holiday years; warnings for missing years."""
    calendars = list(selectors.calendar_list(actor=request.user))
    rows = [
        {
            "calendar": c,
            "summary": _summary(_weekly_rows(c.periods.all())),
            "years": _year_ranges(h.year for h in c.holiday_years.all()),
        }
        for c in calendars
    ]
    warnings = [
        {"calendar": w.calendar, "year": w.year, "command": _import_command(w.calendar, w.year)}
        for w in selectors.missing_holiday_years()
    ]
    context = {
        "rows": rows,
        "warnings": warnings,
        "can_manage": can_manage_calendars(user=request.user),
    }
    return render(request, "calendars/list.html", context)


# --------------------------------------------------------------------------- create / edit


@allowed_if(can_manage_calendars)
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None, initial={"periods_0": "08:30-12:00, 13:30-17:30"})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                calendar = services.calendar_create(actor=request.user, **form.service_kwargs())
            except PermissionDenied:
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Working calendar %(name)s created.") % {"name": calendar.name})
                return redirect("calendars:detail", slug=calendar.slug)
    return render(request, "calendars/form.html", {"form": form, "calendar": None}, status=status)


@allowed_if(can_manage_calendars)
def calendar_edit(request: HttpRequest, slug: str) -> HttpResponse:
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    periods = selectors.weekly_periods_text(calendar=calendar)
    initial = {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "makeup_weekday": calendar.makeup_weekday,
        "uses_holidays": calendar.uses_holidays,
        "is_default": calendar.is_default,
        "description": calendar.description,
        **{f"periods_{weekday}": text for weekday, text in periods.items()},
    }
    form = CalendarForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.calendar_update(actor=request.user, calendar=calendar, **form.service_kwargs())
            except PermissionDenied:
                raise
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Changes saved."))
                return redirect("calendars:detail", slug=calendar.slug)
    return render(request, "calendars/form.html", {"form": form, "calendar": calendar}, status=status)


# --------------------------------------------------------------------------- detail (days of a year)


def _detail(
    request: HttpRequest,
    calendar: Calendar,
    year: int,
    *,
    day_form: DayForm | None = None,
    file_form: HolidayFileForm | None = None,
    status: int = 200,
) -> HttpResponse:
    days = list(selectors.calendar_days(calendar=calendar, year=year))
    years = selectors.covered_years(calendar=calendar)
    if day_form is None:
        editing = request.GET.get("day", "")
        day = next((d for d in days if d.date.isoformat() == editing), None)
        day_form = DayForm(
            initial={"date": day.date, "kind": day.kind, "name": day.name} if day else {"date": None}
        )
    this_year = timezone.localdate().year
    context = {
        "calendar": calendar,
        "weekly": _weekly_rows(calendar.periods.all()),
        "year": year,
        "years": sorted({*range(this_year - 2, this_year + 2), year - 1, year, year + 1}),
        "covered_years": _year_ranges(years),
        "import_command": _import_command(calendar, year),
        "year_covered": year in years,
        "days": days,
        "day_form": day_form,
        "file_form": file_form or HolidayFileForm(),
        "can_manage": can_manage_calendars(user=request.user),
    }
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    template = "calendars/partials/year.html" if htmx and request.method == "GET" else "calendars/detail.html"
    return render(request, template, context, status=status)


def _back(calendar: Calendar, year: int) -> HttpResponse:
    return redirect(f"{reverse('calendars:detail', args=[calendar.slug])}?year={year}")


@allowed_if(can_view_calendars)
def calendar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The weekly pattern and the holidays / make-up workdays of ``?year=`` (default this year)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    return _detail(request, calendar, _year(request.GET.get("year")))


@require_POST
@allowed_if(can_manage_calendars)
def day_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Add a holiday / make-up workday, or replace the one on that date (a manual edit)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    year = _year(request.POST.get("year"))
    form = DayForm(request.POST)
    if not form.is_valid():
        return _detail(request, calendar, year, day_form=form, status=400)
    day = form.cleaned_data["date"]
    try:
        services.calendar_day_set(
            actor=request.user,
            calendar=calendar,
            date=day,
            kind=form.cleaned_data["kind"],
            name=form.cleaned_data["name"],
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return _detail(request, calendar, year, day_form=form, status=exc.status)
    messages.success(request, _("%(date)s saved.") % {"date": day.isoformat()})
    return _back(calendar, day.year)


@require_POST
@allowed_if(can_manage_calendars)
def day_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Remove a dated exception; the date follows the weekly pattern again."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    form = DayDeleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a date."))
        return _back(calendar, _year(request.POST.get("year")))
    day: dt.date = form.cleaned_data["date"]
    services.calendar_day_delete(actor=request.user, calendar=calendar, date=day)
    messages.success(request, _("%(date)s removed.") % {"date": day.isoformat()})
    return _back(calendar, day.year)


@require_POST
@allowed_if(can_manage_calendars)
def import_package(request: HttpRequest, slug: str) -> HttpResponse:
    """Refresh the shown year from the installed chinesecalendar package (manual edits are kept)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    year = _year(request.POST.get("year"))
    try:
        written, kept = services.holidays_import_package(actor=request.user, calendar=calendar, year=year)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(
            request,
            _("%(year)d refreshed from the package: %(written)d days written, %(kept)d edited days kept.")
            % {"year": year, "written": written, "kept": kept},
        )
    return _back(calendar, year)


@require_POST
@allowed_if(can_manage_calendars)
def import_file(request: HttpRequest, slug: str) -> HttpResponse:
    """Import a CSV or iCalendar file, all or nothing; the errors are shown beside the file field."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    year = _year(request.POST.get("year"))
    form = HolidayFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, calendar, year, file_form=form, status=400)
    try:
        written, kept = services.holidays_import_file(
            actor=request.user, calendar=calendar, content=form.content(), filename=form.filename()
        )
    except PermissionDenied:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return _detail(request, calendar, year, file_form=form, status=exc.status)
    messages.success(
        request,
        _("%(written)d days imported from %(file)s, %(kept)d edited days kept.")
        % {"written": written, "file": form.filename(), "kept": kept},
    )
    return _back(calendar, year)


@require_POST
@allowed_if(can_manage_calendars)
def confirm_year(request: HttpRequest, slug: str) -> HttpResponse:
    """Record that the shown year's holidays are complete (after entering them by hand)."""
    calendar = selectors.calendar_get(actor=request.user, slug=slug)
    year = _year(request.POST.get("year"))
    try:
        services.calendar_year_confirm(actor=request.user, calendar=calendar, year=year)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("The holidays of %(year)d are marked complete.") % {"year": year})
    return _back(calendar, year)
