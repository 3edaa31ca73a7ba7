"""Background job runs (后台任务): one row per Celery task run, for the administrators' jobs page."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunState(models.TextChoices):
    STARTED = "started", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    RETRY = "retry", _("Retrying")


class TaskRun(models.Model):
    """One run of one Celery task: what, with which ids, when, how long, and how it ended.

    Written by Celery's task signals (``jobs.signals``) in the worker; pruned after
    ``JOBS_KEEP_DAYS`` by the beat job ``jobs.prune_task_runs``.
    """

    task_id = models.CharField(_("task id"), max_length=64, db_index=True)
    name = models.CharField(_("task"), max_length=200)
    args = models.CharField(_("arguments"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=RunState.choices, default=RunState.STARTED)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    runtime_ms = models.PositiveIntegerField(_("run time (ms)"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="taskrun_recent_idx"),
            models.Index(fields=["state", "-started_at", "-id"], name="taskrun_state_idx"),
            models.Index(fields=["name", "-started_at", "-id"], name="taskrun_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.state}"
