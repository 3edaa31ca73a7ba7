"""Template helpers for rendering forms with Tabler markup."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def control(field: BoundField) -> SafeString:
    """Render the widget, adding Bootstrap's ``is-invalid`` when the field has errors."""
    css = field.field.widget.attrs.get("class", "")
    if field.errors:
        css = f"{css} is-invalid".strip()
    return field.as_widget(attrs={"class": css} if css else None)
