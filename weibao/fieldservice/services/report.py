"""The service report (服务报告单, FLD-2): a Chinese PDF of a signed work order with an embedded CJK
font, stored with the order, attached to its ticket and emailed to the ticket's contact.

Rendered by WeasyPrint from ``templates/fieldservice/report.html``; images (photos, the signature)
travel as data URIs, so the PDF does not depend on where the media files are stored.
"""

from __future__ import annotations

import base64
import logging
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from weibao.core.errors import DomainError
from weibao.fieldservice.choices import OrderEventKind, OrderStatus
from weibao.fieldservice.events import record_order_event
from weibao.fieldservice.models import OrderEvent, WorkOrder
from weibao.fieldservice.services.fees import order_total
from weibao.notifications.choices import Channel, NotifyEvent
from weibao.notifications.services import DeliveryDraft, delivery_queue
from weibao.tickets.services import ticket_attach

logger = logging.getLogger(__name__)

#: The report is in Chinese whatever the engineer's language (FLD-2: 服务报告单).
REPORT_LANGUAGE = "zh-hans"
PHOTOS_MAX = 12


def _data_uri(field_file: Any, content_type: str) -> str:
    with field_file.open("rb") as handle:
        return f"data:{content_type};base64,{base64.b64encode(handle.read()).decode('ascii')}"


def service_report_html(*, order: WorkOrder) -> str:
    """The report's HTML (what the PDF is printed from), in Chinese."""
    with override(REPORT_LANGUAGE):
        photos = [
            {"caption": photo.caption, "src": _data_uri(photo.file, photo.content_type)}
            for photo in order.photos.all()[:PHOTOS_MAX]
        ]
        context = {
            "order": order,
            "engineers": ", ".join(str(u) for u in order.engineers.all()),
            "checklist": list(order.checklist.all()),
            "parts": list(order.parts.all()),
            "charges": list(order.charges.all()),
            "total": order_total(order=order) if order.charges.exists() else Decimal("0.00"),
            "photos": photos,
            "receipts": list(order.receipts.all()),
            "signature_src": _data_uri(order.signature, "image/png") if order.signature else "",
            "printed_at": timezone.localtime(),
        }
        return render_to_string("fieldservice/report.html", context)


def service_report_pdf(*, order: WorkOrder) -> bytes:
    """The report as PDF bytes (WeasyPrint; the CJK font is embedded)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, only report work pays it

    return bytes(HTML(string=service_report_html(order=order), base_url=str(settings.BASE_DIR)).write_pdf())


def work_order_produce_report(*, order_id: int) -> WorkOrder | None:
    """Render and store the report of a signed order, attach it to its ticket, email it to the contact.

    Idempotent (run by a Celery task after the signature commits): a stored report is not rendered
    again; the attachment is added once; the email is unique per order and contact.
    """
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().filter(pk=order_id, status=OrderStatus.SIGNED).first()
        if order is None:
            return None
        fresh = not order.report
        if fresh:
            pdf = service_report_pdf(order=order)
            order.report.save(f"服务报告单-WO-{order.number}.pdf", ContentFile(pdf), save=False)
            order.save(update_fields=["report", "updated_at"])
            record_order_event(
                order=order, actor=None, kind=OrderEventKind.REPORT, changes={"pdf": [None, len(pdf)]}
            )
    if fresh and order.ticket_id:
        _attach_to_ticket(order=order)
    _email_contact(order=order)
    return order


def _signer(order: WorkOrder) -> Any:
    event = OrderEvent.objects.filter(order=order, kind=OrderEventKind.SIGNED).select_related("actor").last()
    return event.actor if event else None


def _attach_to_ticket(*, order: WorkOrder) -> None:
    if order.ticket_id is None:
        return
    actor = _signer(order)
    with order.report.open("rb") as handle:
        upload = SimpleUploadedFile(
            f"服务报告单-WO-{order.number}.pdf", handle.read(), content_type="application/pdf"
        )
    try:
        ticket_attach(actor=actor, ticket_id=order.ticket_id, files=[upload])
    except DomainError:
        # The ticket moved on (closed) or the engineer lost the right: the report stays with the order.
        logger.info("service report of %s not attached to its ticket", order, exc_info=True)


def _email_contact(*, order: WorkOrder) -> None:
    ticket = order.ticket
    contact = ticket.contact if ticket is not None else None
    if contact is None or not contact.is_active or not contact.email:
        return
    with override(REPORT_LANGUAGE):
        subject = _("Service report WO-%(number)s: %(title)s") % {
            "number": order.number,
            "title": order.title,
        }
        body = render_to_string("fieldservice/report_email.txt", {"order": order, "contact": contact})
    delivery_queue(
        drafts=[
            DeliveryDraft(
                channel=Channel.EMAIL,
                event=NotifyEvent.RESOLVED,
                dedupe_key=f"report:{order.pk}:email:c{contact.pk}",
                subject=subject,
                body=body,
                to_address=contact.email,
                language=REPORT_LANGUAGE,
                contact_id=contact.pk,
                headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
                attachments=[
                    {
                        "path": order.report.name,
                        "name": f"服务报告单-WO-{order.number}.pdf",
                        "content_type": "application/pdf",
                    }
                ],
                ticket_number=ticket.number if ticket else None,
            )
        ]
    )
