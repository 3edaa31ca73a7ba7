"""``import_holidays --year Y`` refreshes a calendar from the installed chinesecalendar package;
``--file F`` imports a CSV or iCalendar file instead (sites that cannot upgrade packages)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from weibao.calendars.builtin import CN_WORKDAY, package_years
from weibao.calendars.selectors import calendar_get
from weibao.calendars.services import holidays_import_file, holidays_import_package
from weibao.core.errors import DomainError


class Command(BaseCommand):
    help = "Import Chinese statutory holidays and make-up workdays into a working calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--year", type=int, help="refresh this year from the chinesecalendar package")
        source.add_argument("--all-years", action="store_true", help="every year the package knows")
        source.add_argument("--file", type=Path, help="a CSV (date,kind,name) or iCalendar (.ics) file")
        parser.add_argument("--calendar", default=CN_WORKDAY, help=f"calendar slug (default {CN_WORKDAY})")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            calendar = calendar_get(actor=None, slug=options["calendar"])
            if options["file"]:
                path = Path(options["file"])  # call_command(file="x.csv") passes a str
                if not path.is_file():
                    raise CommandError(f"no such file: {path}")
                written, kept = holidays_import_file(
                    actor=None, calendar=calendar, content=path.read_bytes(), filename=path.name
                )
                self.stdout.write(
                    f"{calendar.slug}: {written} days imported from {path.name}, {kept} manual kept"
                )
                return
            years = package_years() if options["all_years"] else [options["year"]]
            for year in years:
                written, kept = holidays_import_package(actor=None, calendar=calendar, year=year)
                self.stdout.write(
                    f"{calendar.slug} {year}: {written} days from the package, {kept} manual kept"
                )
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from exc
