"""Every state change of returns and exchanges (DESIGN.md rule 1). Interfaces import from here."""

from weibao.returns.services.rmas import rma_analyse, rma_create, rma_transition

__all__ = ["rma_analyse", "rma_create", "rma_transition"]
