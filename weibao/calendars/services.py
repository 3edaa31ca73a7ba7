"""Every write to working calendars (SLA-3): weekly periods, single days, holiday imports.

Each public function is keyword-only, needs ``sla.manage`` (``actor=None`` is the system: migrations,
``import_holidays``), validates everything before the first write, runs in one transaction, bumps the
calendar's ``version`` (so every process recompiles) and records an audit event.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.calendars.builtin import package_days
from weibao.calendars.choices import DayKind, DaySource
from weibao.calendars.engine import CalendarError, CalendarSpec, Period, compile_calendar, parse_periods
from weibao.calendars.importers import ParsedDay, parse_holiday_file
from weibao.calendars.models import Calendar, CalendarDay, HolidayYear, WorkingPeriod
from weibao.calendars.permissions import can_manage_calendars
from weibao.core.errors import PermissionDenied, ValidationFailed
from weibao.core.validation import validate_unique_code

MAX_IMPORT_BYTES = 1024 * 1024


def _require_manager(actor: Any) -> None:
    if actor is not None and not can_manage_calendars(user=actor):
        raise PermissionDenied(_("You need the permission to manage calendars and service levels."))


def _bump(calendar: Calendar) -> None:
    Calendar.objects.filter(pk=calendar.pk).update(version=F("version") + 1, updated_at=timezone.now())
    calendar.refresh_from_db(fields=["version", "updated_at"])


def _validate_periods(periods_text: Mapping[int, str]) -> dict[int, tuple[Period, ...]]:
    parsed: dict[int, tuple[Period, ...]] = {}
    for weekday in range(7):
        text = periods_text.get(weekday, "") or ""
        try:
            parsed[weekday] = parse_periods(text)
        except ValueError as exc:
            raise ValidationFailed(
                _("%(part)s is not a valid period; write e.g. 08:30-12:00, 13:30-17:30.") % {"part": exc},
                code="invalid_periods",
                field=f"periods_{weekday}",
            ) from exc
    return parsed


def _validate_calendar_fields(*, name: str, time_zone: str, makeup_weekday: int) -> tuple[str, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Enter a name of at most 100 characters."), code="required", field="name")
    time_zone = (time_zone or "").strip()
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(
            _("Unknown time zone (use e.g. Asia/Shanghai)."), code="invalid_time_zone", field="time_zone"
        ) from exc
    if makeup_weekday not in range(7):
        raise ValidationFailed(_("Choose a weekday."), code="invalid_choice", field="makeup_weekday")
    return name, time_zone


def _check_compiles(*, time_zone: str, periods: dict[int, tuple[Period, ...]], makeup_weekday: int) -> None:
    try:
        compile_calendar(CalendarSpec(time_zone=time_zone, periods=periods, makeup_weekday=makeup_weekday))
    except CalendarError as exc:
        raise ValidationFailed(
            _("A calendar needs at least one working period."), code="no_working_time", field="periods_0"
        ) from exc


def _write_periods(calendar: Calendar, periods: dict[int, tuple[Period, ...]]) -> None:
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
        for weekday, day_periods in periods.items()
        for start, end in day_periods
    )


@transaction.atomic
def calendar_create(
    *,
    actor: Any,
    slug: str,
    name: str,
    time_zone: str = "Asia/Shanghai",
    periods: Mapping[int, str],
    uses_holidays: bool = True,
    makeup_weekday: int = 0,
    description: str = "",
) -> Calendar:
    """Create a working calendar with weekly periods (``{weekday: "08:30-12:00, 13:30-17:30"}``)."""
    _require_manager(actor)
    slug = validate_unique_code(
        value=slug, taken=Calendar.objects.filter(slug=(slug or "").strip()), field="slug"
    )
    name, time_zone = _validate_calendar_fields(name=name, time_zone=time_zone, makeup_weekday=makeup_weekday)
    parsed = _validate_periods(periods)
    _check_compiles(time_zone=time_zone, periods=parsed, makeup_weekday=makeup_weekday)
    calendar = Calendar.objects.create(
        slug=slug,
        name=name,
        time_zone=time_zone,
        uses_holidays=uses_holidays,
        makeup_weekday=makeup_weekday,
        description=(description or "").strip(),
    )
    _write_periods(calendar, parsed)
    audit_record(actor=actor, action="calendar.create", target=calendar, changes={"slug": slug})
    return calendar


@transaction.atomic
def calendar_update(
    *,
    actor: Any,
    calendar: Calendar,
    name: str,
    time_zone: str,
    periods: Mapping[int, str],
    uses_holidays: bool,
    makeup_weekday: int,
    is_default: bool,
    description: str = "",
) -> Calendar:
    """Change a calendar's name, time zone, weekly periods and flags. Existing SLA clocks recompute lazily."""
    _require_manager(actor)
    name, time_zone = _validate_calendar_fields(name=name, time_zone=time_zone, makeup_weekday=makeup_weekday)
    parsed = _validate_periods(periods)
    _check_compiles(time_zone=time_zone, periods=parsed, makeup_weekday=makeup_weekday)
    if not is_default and calendar.is_default:
        raise ValidationFailed(
            _("Make another calendar the default instead."), code="default_required", field="is_default"
        )
    calendar = Calendar.objects.select_for_update().get(pk=calendar.pk)
    if is_default and not calendar.is_default:
        Calendar.objects.filter(is_default=True).update(is_default=False)
    calendar.name, calendar.time_zone, calendar.uses_holidays = name, time_zone, uses_holidays
    calendar.makeup_weekday, calendar.is_default = makeup_weekday, is_default
    calendar.description = (description or "").strip()
    calendar.save()
    _write_periods(calendar, parsed)
    _bump(calendar)
    audit_record(
        actor=actor,
        action="calendar.update",
        target=calendar,
        changes={"time_zone": time_zone, "periods": {str(k): v for k, v in periods.items()}},
    )
    return calendar


@transaction.atomic
def calendar_day_set(*, actor: Any, calendar: Calendar, date: dt.date, kind: str, name: str) -> CalendarDay:
    """Mark one date as a holiday or a make-up workday (replacing what was there); a manual edit."""
    _require_manager(actor)
    if kind not in DayKind.values:
        raise ValidationFailed(_("Choose holiday or make-up workday."), code="invalid_choice", field="kind")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("Enter a name of at most 100 characters."), code="required", field="name")
    day, _created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "name": name, "source": DaySource.MANUAL}
    )
    _bump(calendar)
    audit_record(
        actor=actor, action="calendar.day_set", target=calendar, changes={str(date): f"{kind} {name}"}
    )
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Any, calendar: Calendar, date: dt.date) -> None:
    """Remove a dated exception: the date follows the weekly pattern again."""
    _require_manager(actor)
    deleted, _rows = CalendarDay.objects.filter(calendar=calendar, date=date).delete()
    if deleted:
        _bump(calendar)
        audit_record(actor=actor, action="calendar.day_delete", target=calendar, changes={str(date): None})


@transaction.atomic
def calendar_year_confirm(*, actor: Any, calendar: Calendar, year: int) -> HolidayYear:
    """Record that a year's holidays are complete (after entering them by hand): clears the warning."""
    _require_manager(actor)
    if not 1900 <= year <= 2200:
        raise ValidationFailed(_("Enter a year between 1900 and 2200."), code="invalid_year", field="year")
    row, _created = HolidayYear.objects.update_or_create(
        calendar=calendar, year=year, defaults={"source": DaySource.MANUAL}
    )
    _bump(calendar)
    audit_record(actor=actor, action="calendar.year_confirm", target=calendar, changes={"year": year})
    return row


def _replace_days(*, calendar: Calendar, days: list[ParsedDay], source: str) -> tuple[int, int]:
    """Write imported days; manual edits win over imports. Returns (written, kept manual)."""
    years = {d.date.year for d in days}
    manual = set(
        CalendarDay.objects.filter(
            calendar=calendar, date__year__in=years, source=DaySource.MANUAL
        ).values_list("date", flat=True)
    )
    # Imported rows of those years are replaced wholesale, so a day the new data no longer lists goes.
    CalendarDay.objects.filter(calendar=calendar, date__year__in=years).exclude(
        source=DaySource.MANUAL
    ).delete()
    fresh = [d for d in days if d.date not in manual]
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar=calendar, date=d.date, kind=d.kind, name=d.name, source=source) for d in fresh
    )
    for year in years:
        HolidayYear.objects.update_or_create(calendar=calendar, year=year, defaults={"source": source})
    _bump(calendar)
    return len(fresh), len(days) - len(fresh)


@transaction.atomic
def holidays_import_package(*, actor: Any, calendar: Calendar, year: int) -> tuple[int, int]:
    """Refresh one year from the installed ``chinesecalendar`` package. Returns (written, kept manual)."""
    _require_manager(actor)
    days = [ParsedDay(day, kind, name) for day, kind, name in package_days(year=year)]
    if not days:
        raise ValidationFailed(
            _("The installed chinesecalendar package has no data for %(year)d; import a file instead.")
            % {"year": year},
            code="no_holiday_data",
            field="year",
        )
    written, kept = _replace_days(calendar=calendar, days=days, source=DaySource.PACKAGE)
    audit_record(
        actor=actor,
        action="calendar.import_package",
        target=calendar,
        changes={"year": year, "days": written},
    )
    return written, kept


@transaction.atomic
def holidays_import_file(*, actor: Any, calendar: Calendar, content: bytes, filename: str) -> tuple[int, int]:
    """Import a CSV or iCalendar holiday file, all or nothing: any bad line refuses the whole file."""
    _require_manager(actor)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than 1 MB."), code="file_too_large", field="file")
    result = parse_holiday_file(content=content, filename=filename)
    if result.errors:
        raise ValidationFailed("; ".join(result.errors[:20]), code="invalid_file", field="file")
    if not result.days:
        raise ValidationFailed(_("The file lists no days."), code="empty_file", field="file")
    written, kept = _replace_days(calendar=calendar, days=result.days, source=DaySource.FILE)
    audit_record(
        actor=actor,
        action="calendar.import_file",
        target=calendar,
        changes={"file": filename[:100], "days": written},
    )
    return written, kept
