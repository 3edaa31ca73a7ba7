"""Celery signal handlers that record task runs. Recording must never break the task it records."""

from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals
from django.db import DatabaseError

from weibao.jobs.services import run_failed, run_finished, run_started

logger = logging.getLogger(__name__)
_started: dict[str, float] = {}


def _safely(action: str, call: Any) -> None:
    try:
        call()
    except DatabaseError:  # the database is down or busy: the task itself matters more
        logger.warning("could not record %s of a task run", action, exc_info=True)


def _prerun(
    sender: Any = None, task_id: str = "", task: Any = None, args: Any = (), kwargs: Any = None, **_: Any
) -> None:
    _started[task_id] = time.monotonic()
    hostname = getattr(getattr(task, "request", None), "hostname", "") or ""
    _safely(
        "the start",
        lambda: run_started(
            task_id=task_id,
            name=getattr(task, "name", str(sender)),
            args=args,
            kwargs=kwargs or {},
            worker=hostname,
        ),
    )


def _postrun(sender: Any = None, task_id: str = "", retval: Any = None, state: str = "", **_: Any) -> None:
    began = _started.pop(task_id, None)
    runtime_ms = int((time.monotonic() - began) * 1000) if began is not None else None
    _safely(
        "the end", lambda: run_finished(task_id=task_id, state=state, result=retval, runtime_ms=runtime_ms)
    )


def _failure(
    sender: Any = None, task_id: str = "", exception: BaseException | None = None, einfo: Any = None, **_: Any
) -> None:
    _safely("the failure", lambda: run_failed(task_id=task_id, error=str(einfo or exception or "")))


def connect() -> None:
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="weibao.jobs.prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="weibao.jobs.postrun")
    signals.task_failure.connect(_failure, weak=False, dispatch_uid="weibao.jobs.failure")
