"""Seed `cn-workday` (with every holiday year the chinesecalendar package knows) and `24x7`."""

from django.db import migrations


def seed(apps, schema_editor):
    from django.utils import translation

    from weibao.calendars.builtin import BUILTIN_CALENDARS, CN_WORKDAY, package_days

    Calendar = apps.get_model("calendars", "Calendar")
    WorkingPeriod = apps.get_model("calendars", "WorkingPeriod")
    CalendarDay = apps.get_model("calendars", "CalendarDay")
    HolidayYear = apps.get_model("calendars", "HolidayYear")
    with translation.override("zh-hans"):
        for slug, (name, periods, uses_holidays, is_default, description) in BUILTIN_CALENDARS.items():
            calendar, created = Calendar.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": str(name),
                    "time_zone": "Asia/Shanghai",
                    "uses_holidays": uses_holidays,
                    "is_default": is_default,
                    "description": str(description),
                },
            )
            if not created:
                continue
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(calendar=calendar, weekday=weekday, start_minute=start, end_minute=end)
                for weekday, day_periods in periods.items()
                for start, end in day_periods
            )
            if slug == CN_WORKDAY:
                days = package_days()
                CalendarDay.objects.bulk_create(
                    CalendarDay(calendar=calendar, date=day, kind=kind, name=label, source="package")
                    for day, kind, label in days
                )
                HolidayYear.objects.bulk_create(
                    HolidayYear(calendar=calendar, year=year, source="package")
                    for year in sorted({day.year for day, _kind, _label in days})
                )


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
