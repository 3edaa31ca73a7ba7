"""Every state change of tickets (DESIGN.md rule 1). Interfaces import from here."""

from weibao.tickets.services.config import category_save, desk_settings_update, priority_matrix_update
from weibao.tickets.services.conversation import comment_create, comment_from_contact, progress_record
from weibao.tickets.services.intake import priority_for, ticket_attach, ticket_create, ticket_update
from weibao.tickets.services.workflow import (
    ticket_add_collaborator,
    ticket_assign,
    ticket_auto_close,
    ticket_cancel,
    ticket_close,
    ticket_escalate,
    ticket_explain_breach,
    ticket_merge,
    ticket_pend,
    ticket_rate,
    ticket_record_arrival,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_start,
    ticket_verify,
)

__all__ = [
    "category_save",
    "comment_create",
    "comment_from_contact",
    "desk_settings_update",
    "priority_for",
    "priority_matrix_update",
    "progress_record",
    "ticket_add_collaborator",
    "ticket_assign",
    "ticket_attach",
    "ticket_auto_close",
    "ticket_cancel",
    "ticket_close",
    "ticket_create",
    "ticket_escalate",
    "ticket_explain_breach",
    "ticket_merge",
    "ticket_pend",
    "ticket_rate",
    "ticket_record_arrival",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_resume",
    "ticket_start",
    "ticket_update",
    "ticket_verify",
]
