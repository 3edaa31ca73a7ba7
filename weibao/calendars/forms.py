"""Forms for the working-calendar pages. They parse input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from weibao.accounts.forms import WeibaoForm
from weibao.calendars.choices import DayKind, Weekday
from weibao.calendars.services import MAX_IMPORT_BYTES

PERIOD_FIELDS = [f"periods_{weekday}" for weekday in Weekday.values]


class CalendarForm(WeibaoForm):
    """Name, time zone, one line of periods per weekday, flags. ``slug`` only when creating."""

    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(
        label=_("Slug"), max_length=64, help_text=_("Short unique identifier used in URLs, e.g. cn-workday")
    )
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="Asia/Shanghai", help_text=_("e.g. Asia/Shanghai")
    )
    makeup_weekday = forms.TypedChoiceField(
        label=_("Make-up workdays work like"),
        choices=Weekday.choices,
        coerce=int,
        initial=Weekday.MONDAY,
        help_text=_("A make-up workday (调休上班) uses the working periods of this weekday."),
    )
    uses_holidays = forms.BooleanField(
        label=_("Follows statutory holidays"),
        required=False,
        initial=True,
        help_text=_("Years without holiday data are flagged, and deadlines falling into them say so."),
    )
    is_default = forms.BooleanField(
        label=_("Default working calendar"),
        required=False,
        help_text=_("Used for customers and sites that have no calendar of their own."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]  # the slug names the calendar in URLs and the API
        else:
            del self.fields["is_default"]  # a new calendar is made the default from its edit page
        for weekday, label in Weekday.choices:
            field = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"placeholder": "08:30-12:00, 13:30-17:30"}),
            )
            field.widget.attrs["class"] = "form-control"
            self.fields[f"periods_{weekday}"] = field

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in PERIOD_FIELDS]

    def period_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in PERIOD_FIELDS]

    def periods(self) -> dict[int, str]:
        return {weekday: self.cleaned_data.get(f"periods_{weekday}") or "" for weekday in Weekday.values}

    def service_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``calendar_create`` / ``calendar_update`` (without actor)."""
        d = self.cleaned_data
        kwargs: dict[str, Any] = {
            "name": d["name"],
            "time_zone": d["time_zone"],
            "periods": self.periods(),
            "uses_holidays": bool(d.get("uses_holidays")),
            "makeup_weekday": d["makeup_weekday"],
            "description": d.get("description") or "",
        }
        if "slug" in self.fields:
            kwargs["slug"] = d["slug"]
        if "is_default" in self.fields:
            kwargs["is_default"] = bool(d.get("is_default"))
        return kwargs


class DayForm(WeibaoForm):
    """Add a holiday or a make-up workday, or change the one on that date."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 国庆节"))


class DayDeleteForm(forms.Form):
    date = forms.DateField()


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=1900, max_value=2200)


class HolidayFileForm(WeibaoForm):
    file = forms.FileField(
        label=_("Holiday file"),
        help_text=_(
            "CSV with one line per day (date,kind,name, e.g. 2026-10-01,holiday,国庆节) or an iCalendar"
            " (.ics) file with all-day events; at most 1 MB. A bad line refuses the whole file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.ics,text/csv,text/calendar"}),
    )

    def content(self) -> bytes:
        """The uploaded bytes, read up to one byte past the limit (the service refuses larger files)."""
        upload = self.cleaned_data["file"]
        return bytes(upload.read(MAX_IMPORT_BYTES + 1))

    def filename(self) -> str:
        return str(self.cleaned_data["file"].name or "")
