"""Every write of task runs (DESIGN.md rule 1): recorded by Celery's signals, pruned by beat."""

from weibao.jobs.services.runs import run_failed, run_finished, run_started, runs_prune

__all__ = ["run_failed", "run_finished", "run_started", "runs_prune"]
