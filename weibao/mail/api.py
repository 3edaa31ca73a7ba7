"""API router of the email app: /mailboxes (administrators) and /inbound-mail (held and quarantined mail).

Thin handlers (DESIGN rule 3): scope and validation live in ``mail.selectors`` / ``mail.services``.
"""

# No ``from __future__ import annotations``: ninja resolves Query[...] parameter types at import.

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from weibao.core.api_auth import API_AUTH
from weibao.mail import selectors, services
from weibao.mail.schemas import (
    ConnectionCheckOut,
    InboundAssignIn,
    InboundListQuery,
    InboundOut,
    MailboxIn,
    MailboxOut,
    MailErrorOut,
)

router = Router(auth=API_AUTH, tags=["email"])

READ_ERRORS = {frozenset({401, 403, 422}): MailErrorOut}
ONE_ERRORS = {frozenset({401, 403, 404}): MailErrorOut}
WRITE_ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): MailErrorOut}


@router.get("/mailboxes", response={200: list[MailboxOut], **READ_ERRORS}, url_name="mailbox_list")
def list_mailboxes(request: HttpRequest) -> Any:
    return list(selectors.mailbox_list(actor=request.user))


@router.post("/mailboxes", response={201: MailboxOut, **WRITE_ERRORS}, url_name="mailbox_create")
def create_mailbox(request: HttpRequest, payload: MailboxIn) -> Any:
    """A mailbox to poll every minute; the password or token is write-only (stored encrypted)."""
    fields = payload.model_dump(exclude={"version"})
    return Status(201, services.mailbox_save(actor=request.user, mailbox_id=None, fields=fields))  # type: ignore[arg-type]


@router.get("/mailboxes/{int:mailbox_id}", response={200: MailboxOut, **ONE_ERRORS}, url_name="mailbox")
def get_mailbox(request: HttpRequest, mailbox_id: int) -> Any:
    return selectors.mailbox_get(actor=request.user, mailbox_id=mailbox_id)


@router.put(
    "/mailboxes/{int:mailbox_id}", response={200: MailboxOut, **WRITE_ERRORS}, url_name="mailbox_update"
)
def update_mailbox(request: HttpRequest, mailbox_id: int, payload: MailboxIn) -> Any:
    fields = payload.model_dump(exclude={"version"})
    return services.mailbox_save(
        actor=request.user,
        mailbox_id=mailbox_id,
        fields=fields,  # type: ignore[arg-type]
        version=payload.version,
    )


@router.post(
    "/mailboxes/{int:mailbox_id}/test",
    response={200: ConnectionCheckOut, **ONE_ERRORS},
    url_name="mailbox_test",
)
def test_mailbox(request: HttpRequest, mailbox_id: int) -> Any:
    """Sign in with the stored settings and open the folder (nothing is fetched)."""
    return services.mailbox_test(actor=request.user, mailbox_id=mailbox_id)


@router.get("/inbound-mail", response={200: list[InboundOut], **READ_ERRORS}, url_name="inbound_list")
def list_inbound(request: HttpRequest, filters: Query[InboundListQuery]) -> Any:
    """Received mail, newest first (100 at most); ``open`` = held and quarantined."""
    return selectors.inbound_list(actor=request.user, status=filters.status)


@router.get("/inbound-mail/{int:inbound_id}", response={200: InboundOut, **ONE_ERRORS}, url_name="inbound")
def get_inbound(request: HttpRequest, inbound_id: int) -> Any:
    return selectors.inbound_get(actor=request.user, inbound_id=inbound_id)


@router.post(
    "/inbound-mail/{int:inbound_id}/assign",
    response={200: InboundOut, **WRITE_ERRORS},
    url_name="inbound_assign",
)
def assign_inbound(request: HttpRequest, inbound_id: int, payload: InboundAssignIn) -> Any:
    """Make a held mail a ticket of a customer."""
    return services.inbound_assign(actor=request.user, inbound_id=inbound_id, **payload.model_dump())


@router.post(
    "/inbound-mail/{int:inbound_id}/retry",
    response={200: InboundOut, **WRITE_ERRORS},
    url_name="inbound_retry",
)
def retry_inbound(request: HttpRequest, inbound_id: int) -> Any:
    """Process a quarantined mail again (administrators)."""
    return services.inbound_retry(actor=request.user, inbound_id=inbound_id)


@router.post(
    "/inbound-mail/{int:inbound_id}/discard",
    response={200: InboundOut, **WRITE_ERRORS},
    url_name="inbound_discard",
)
def discard_inbound(request: HttpRequest, inbound_id: int) -> Any:
    """Drop a held or quarantined mail from the list (the original stays on file)."""
    return services.inbound_discard(actor=request.user, inbound_id=inbound_id)
