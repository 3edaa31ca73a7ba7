"""Forms of the ticket pages. They parse and offer choices; the services validate and decide.

Field names follow the services' argument names without ``_id`` (``customer`` for ``customer_id``),
so :func:`weibao.core.forms.add_domain_error` puts a service's error beside the right field.
"""

from weibao.tickets.forms.actions import ACTION_FORMS, ActionForm
from weibao.tickets.forms.common import Pickers, WeibaoForm, category_choices, pickers_for
from weibao.tickets.forms.filters import ConsoleFilterForm, PortalFilterForm
from weibao.tickets.forms.intake import LogCallForm, PortalReportForm
from weibao.tickets.forms.manage import CategoryForm, DeskSettingsForm, PriorityMatrixForm

__all__ = [
    "ACTION_FORMS",
    "ActionForm",
    "CategoryForm",
    "ConsoleFilterForm",
    "DeskSettingsForm",
    "LogCallForm",
    "Pickers",
    "PortalFilterForm",
    "PortalReportForm",
    "PriorityMatrixForm",
    "WeibaoForm",
    "category_choices",
    "pickers_for",
]
