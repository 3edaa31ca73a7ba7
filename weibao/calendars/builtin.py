"""The shipped calendars (`cn-workday`, `24x7`) and the Chinese holiday data from `chinesecalendar`.

Used by migration 0002, ``import_holidays`` and the demo data. The package lags a year behind the
State Council's notice (published each November/December), hence the admin page and file import.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

CN_WORKDAY = "cn-workday"
ALWAYS = "24x7"

# Monday to Friday 08:30-12:00 and 13:30-17:30 (the policies' office hours), as local minutes.
CN_WORKDAY_PERIODS: dict[int, list[tuple[int, int]]] = {
    weekday: [(8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)] for weekday in range(5)
}
ALWAYS_PERIODS: dict[int, list[tuple[int, int]]] = {weekday: [(0, 1440)] for weekday in range(7)}

# slug -> (name, periods, uses_holidays, is_default, description)
BUILTIN_CALENDARS = {
    CN_WORKDAY: (
        _("China working days"),
        CN_WORKDAY_PERIODS,
        True,
        True,
        _(
            "Monday to Friday 08:30-12:00 and 13:30-17:30, Asia/Shanghai, with statutory holidays"
            " and make-up workdays."
        ),
    ),
    ALWAYS: (_("7x24"), ALWAYS_PERIODS, False, False, _("Every minute of every day (7x24x365 support).")),
}

# The package names festivals in English; the calendar shows the Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days(*, year: int | None = None) -> list[tuple[dt.date, str, str]]:
    """``(date, kind, name)`` for every holiday and make-up workday the installed package knows."""
    from chinese_calendar.constants import holidays, workdays

    days: list[tuple[dt.date, str, str]] = []
    for source, kind, suffix in ((holidays, "holiday", ""), (workdays, "workday", "（调休上班）")):
        for day, name in source.items():
            if year is None or day.year == year:
                days.append((day, kind, HOLIDAY_NAMES_ZH.get(str(name), str(name)) + suffix))
    return sorted(days)


def package_years() -> list[int]:
    """Years the installed package has holiday data for."""
    return sorted({day.year for day, _kind, _name in package_days()})
