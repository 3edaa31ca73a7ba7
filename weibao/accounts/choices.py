"""Permission codes and built-in roles. Roles are data (editable); the codes they grant live here."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UserKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    CUSTOMER = "customer", _("Customer portal user")


class Perm(models.TextChoices):
    """Every permission a role can grant. Checked by ``accounts.permissions.has_perm``."""

    TICKET_VIEW_ALL = "ticket.view_all", _("See every customer's tickets")
    TICKET_CREATE = "ticket.create", _("Create tickets")
    TICKET_EDIT = "ticket.edit", _("Edit ticket details and triage")
    TICKET_ASSIGN = "ticket.assign", _("Dispatch and reassign tickets")
    TICKET_WORK = "ticket.work", _("Work on tickets assigned to oneself (start, pend, resume, resolve)")
    TICKET_WORK_ANY = "ticket.work_any", _("Work on any ticket, assigned or not")
    TICKET_ESCALATE = "ticket.escalate", _("Escalate tickets and add collaborators")
    TICKET_VERIFY = "ticket.verify", _("Verify resolved tickets")
    TICKET_CLOSE = "ticket.close", _("Confirm closure")
    TICKET_CANCEL = "ticket.cancel", _("Cancel tickets")
    TICKET_MERGE = "ticket.merge", _("Merge duplicate tickets")
    TICKET_REOPEN = "ticket.reopen", _("Reopen tickets")
    TICKET_RATE = "ticket.rate", _("Record satisfaction ratings")
    TICKET_COMMENT_PUBLIC = "ticket.comment_public", _("Write public replies")
    TICKET_COMMENT_INTERNAL = "ticket.comment_internal", _("Write and read internal notes")
    TICKET_PROGRESS = "ticket.progress_update", _("Record progress updates to customers")
    CUSTOMER_VIEW = "customer.view", _("See customers, sites, contacts and systems")
    CUSTOMER_MANAGE = "customer.manage", _("Manage customers, sites, contacts and systems")
    USER_MANAGE = "user.manage", _("Manage users, roles and teams")
    CONFIG_MANAGE = "config.manage", _("Manage service desk settings")
    SLA_MANAGE = "sla.manage", _("Manage working calendars, SLA policies and service contracts")
    SLA_REPORT = "sla.report", _("See SLA compliance reports")
    WORKORDER_MANAGE = "workorder.manage", _("Plan, dispatch and cancel work orders")
    WORKORDER_WORK = (
        "workorder.work",
        _("Carry out one's own work orders (check in, record, collect signatures)"),
    )
    FEE_SETTLE = "fee.settle", _("Settle and invoice service fees")
    PLAN_MANAGE = "plan.manage", _("Create and change maintenance plans, request adjustments")
    PLAN_APPROVE = "plan.approve", _("Approve maintenance plans and their adjustments")
    STOCK_MANAGE = "stock.manage", _("Manage spare parts and stock (receive, transfer, scrap, count)")
    ASSET_MANAGE = "asset.manage", _("Manage the installed base, Excel imports and handover documents")
    TOOL_MANAGE = "tool.manage", _("Register tools and test equipment, decide losses and damages")
    PURCHASE_APPROVE = "purchase.approve", _("Approve purchase requests and record orders and receipts")
    RMA_MANAGE = "rma.manage", _("Handle returns and exchanges (approve, send, receive, close, analyse)")


StrOrPromise = str | Promise

ALL_PERMS: frozenset[str] = frozenset(p.value for p in Perm)

_DESK = [
    Perm.TICKET_VIEW_ALL, Perm.TICKET_CREATE, Perm.TICKET_EDIT, Perm.TICKET_ASSIGN, Perm.TICKET_VERIFY,
    Perm.TICKET_CLOSE, Perm.TICKET_CANCEL, Perm.TICKET_MERGE, Perm.TICKET_REOPEN, Perm.TICKET_RATE,
    Perm.TICKET_COMMENT_PUBLIC, Perm.TICKET_COMMENT_INTERNAL, Perm.TICKET_PROGRESS, Perm.CUSTOMER_VIEW,
    Perm.WORKORDER_MANAGE,
]  # fmt: skip
_ENGINEER = [
    Perm.TICKET_VIEW_ALL, Perm.TICKET_CREATE, Perm.TICKET_EDIT, Perm.TICKET_WORK, Perm.TICKET_ESCALATE,
    Perm.TICKET_COMMENT_PUBLIC, Perm.TICKET_COMMENT_INTERNAL, Perm.CUSTOMER_VIEW, Perm.WORKORDER_WORK,
]  # fmt: skip

# code -> (name, permissions, is_staff_role). Seeded by migration; administrators may edit them.
BUILTIN_ROLES: dict[str, tuple[StrOrPromise, list[str], bool]] = {
    "agent": (_("Customer-service agent"), [p.value for p in _DESK], True),
    "support_engineer": (_("Support engineer"), [p.value for p in _ENGINEER], True),
    "ops_engineer": (_("Operations engineer"), [p.value for p in [*_ENGINEER, Perm.ASSET_MANAGE]], True),
    "project_manager": (
        _("Project manager"),
        [
            p.value
            for p in [
                *_ENGINEER,
                Perm.TICKET_ASSIGN,
                Perm.TICKET_WORK_ANY,
                Perm.CUSTOMER_MANAGE,
                Perm.SLA_REPORT,
                Perm.WORKORDER_MANAGE,
                Perm.PLAN_MANAGE,
                Perm.ASSET_MANAGE,
                Perm.RMA_MANAGE,
            ]
        ],
        True,
    ),
    "service_manager": (
        _("Service manager"),
        sorted(
            {
                p.value
                for p in [
                    *_DESK,
                    *_ENGINEER,
                    Perm.TICKET_WORK_ANY,
                    Perm.CUSTOMER_MANAGE,
                    Perm.SLA_MANAGE,
                    Perm.SLA_REPORT,
                    Perm.FEE_SETTLE,
                    Perm.PLAN_MANAGE,
                    Perm.PLAN_APPROVE,
                    Perm.STOCK_MANAGE,
                    Perm.ASSET_MANAGE,
                    Perm.TOOL_MANAGE,
                    Perm.PURCHASE_APPROVE,
                    Perm.RMA_MANAGE,
                ]
            }
        ),
        True,
    ),
    "finance": (
        _("Finance"),
        [Perm.TICKET_VIEW_ALL.value, Perm.CUSTOMER_VIEW.value, Perm.FEE_SETTLE.value],
        True,
    ),
    "admin": (_("Administrator"), sorted(ALL_PERMS), True),
    # Portal users act only on their own customer's tickets; the selectors add that scope.
    "portal": (
        _("Customer portal user"),
        [
            p.value
            for p in [
                Perm.TICKET_CREATE,
                Perm.TICKET_CLOSE,
                Perm.TICKET_RATE,
                Perm.TICKET_REOPEN,
                Perm.TICKET_COMMENT_PUBLIC,
            ]
        ],
        False,
    ),
}
