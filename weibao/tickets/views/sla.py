"""The SLA compliance report (permission ``sla.report``): targets met and breached over a period."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from weibao.accounts.decorators import allowed_if
from weibao.sla.choices import TargetKind
from weibao.sla.permissions import can_view_sla_reports
from weibao.tickets import sla_selectors
from weibao.tickets.forms.sla import GROUP_CHOICES, ComplianceFilterForm
from weibao.tickets.views._common import HtmxHttpRequest

#: Breaches listed under the table; the report counts them all.
BREACH_LIMIT = 200


@allowed_if(can_view_sla_reports)
def sla_compliance(request: HtmxHttpRequest) -> HttpResponse:
    """Targets due in the period per customer, priority or engineer, and the breaches below."""
    form = ComplianceFilterForm(request.GET)
    form.is_valid()  # an invalid value is shown beside its field and replaced by the default
    date_from, date_to, group_by = form.period()
    report = sla_selectors.sla_compliance(
        actor=request.user, date_from=date_from, date_to=date_to, group_by=group_by
    )
    breaches = list(
        sla_selectors.breach_list(actor=request.user, date_from=date_from, date_to=date_to)[:BREACH_LIMIT]
    )
    context = {
        "form": form,
        "report": report,
        "date_from": date_from,
        "date_to": date_to,
        "group_by": group_by,
        "groups": GROUP_CHOICES,
        "kinds": TargetKind.choices,
        "breaches": breaches,
        "breach_limit": BREACH_LIMIT,
    }
    return render(request, "tickets/sla_compliance.html", context)
