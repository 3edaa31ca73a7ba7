"""Form helpers shared by the HTML interfaces.

Services validate; forms only parse. When a service refuses input with a
:class:`weibao.core.errors.DomainError` naming a ``field``, the view puts the message back beside
that field with :func:`add_domain_error` so the user sees it where they typed.
"""

from __future__ import annotations

from typing import Any

from django import forms

from weibao.core.errors import DomainError

_CONTROL_WIDGETS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.Textarea,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
)


def add_domain_error(
    form: forms.BaseForm, exc: DomainError, *, field_map: dict[str, str] | None = None
) -> None:
    """Attach ``exc`` to the form field it names, or to the form as a whole.

    ``field_map`` translates service argument names to form field names where they differ
    (e.g. ``superior_id`` -> ``superior``).
    """
    name = exc.field or ""
    candidates = [field_map.get(name, name) if field_map else name, name]
    for suffix in ("_ids", "_id"):
        if name.endswith(suffix):
            candidates.append(name[: -len(suffix)] + ("s" if suffix == "_ids" else ""))
    for candidate in candidates:
        if candidate and candidate in form.fields:
            form.add_error(candidate, str(exc.detail))
            return
    form.add_error(None, str(exc.detail))


class TablerFormMixin:
    """Adds Tabler/Bootstrap classes to widgets so ``{% include %}``-rendered forms look right."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = widget.attrs.get("class", "")
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                extra = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                extra = "form-select"
            elif isinstance(widget, _CONTROL_WIDGETS):
                extra = "form-control"
            else:
                continue
            widget.attrs["class"] = f"{css} {extra}".strip()
