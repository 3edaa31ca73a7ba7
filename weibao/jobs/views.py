"""The jobs page (/jobs/): recent task runs and failures, for administrators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from weibao.accounts.decorators import allowed_if
from weibao.jobs import selectors
from weibao.jobs.models import RunState
from weibao.jobs.permissions import can_view_jobs

PAGE_SIZE = 50


@allowed_if(can_view_jobs)
def job_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in RunState.values else ""
    name = request.GET.get("task", "")[:200]
    page = selectors.run_page(
        actor=request.user, state=state, name=name, cursor=request.GET.get("cursor"), limit=PAGE_SIZE
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "summary": selectors.run_summary(actor=request.user),
        "runs": page.items,
        "next_cursor": page.next_cursor,
        "state": state,
        "task": name,
        "states": RunState.choices,
        "query": query.urlencode(),
    }
    return render(request, "jobs/list.html", context)
