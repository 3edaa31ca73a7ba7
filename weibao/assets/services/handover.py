"""Technical handover documents per delivered project (AST-3): upload, remove, and mark a kind that
does not apply, so the checklist shows exactly what is still missing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from weibao.accounts.events import audit_record
from weibao.assets.choices import DocumentKind
from weibao.assets.models import HandoverDocument, HandoverWaiver
from weibao.assets.permissions import can_manage_items
from weibao.core.errors import NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from weibao.customers.models import DeliveredSystem

# Documents of a project: office files, PDFs, drawings (CAD), scans and archives of them.
DOCUMENT_EXTENSIONS = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".txt", ".dwg", ".dxf", ".vsdx",
     ".jpg", ".jpeg", ".png", ".zip", ".7z", ".rar"}
)  # fmt: skip


def _require_manager(actor: Any) -> None:
    if not can_manage_items(user=actor):
        raise PermissionDenied(_("You may not change the installed base."), code="permission_denied")


def _system(system_id: int) -> DeliveredSystem:
    system = DeliveredSystem.objects.filter(pk=system_id).first()
    if system is None:
        raise NotFound(_("System not found."), code="system_not_found")
    return system


def _kind(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise ValidationFailed(_("Choose a valid option."), code="invalid_choice", field="kind")
    return kind


def handover_upload(
    *, actor: Any, system_id: int, kind: str, title: str, upload: UploadedFile, notes: str = ""
) -> HandoverDocument:
    """Store one handover document; the kind leaves the checklist of what is missing."""
    _require_manager(actor)
    system = _system(system_id)
    _kind(kind)
    name = (upload.name or "document").rsplit("/", 1)[-1][:200]
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_EXTENSIONS:
        raise ValidationFailed(
            _("Files of this type are not accepted: %(name)s") % {"name": name},
            code="invalid_file_type",
            field="file",
        )
    if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge(
            _("%(name)s is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
            field="file",
        )
    title = (title or "").strip()[:200] or name
    with transaction.atomic():
        document = HandoverDocument(
            system=system,
            kind=kind,
            title=title,
            filename=name,
            size=upload.size or 0,
            content_type=(getattr(upload, "content_type", "") or "application/octet-stream")[:100],
            notes=(notes or "").strip()[:300],
            uploaded_by=actor,
        )
        document.file.save(name, upload, save=False)
        document.save()
        audit_record(actor=actor, action="handover.upload", target=system, changes={kind: [None, title]})
    return document


def handover_delete(*, actor: Any, document_id: int) -> None:
    """Remove a document uploaded by mistake (the audit log keeps that it was there)."""
    _require_manager(actor)
    with transaction.atomic():
        document = HandoverDocument.objects.select_related("system").filter(pk=document_id).first()
        if document is None:
            raise NotFound(_("Document not found."), code="document_not_found")
        audit_record(
            actor=actor,
            action="handover.delete",
            target=document.system,
            changes={document.kind: [document.title, None]},
        )
        stored = document.file
        document.delete()
        transaction.on_commit(lambda: stored.delete(save=False))


def handover_waive(*, actor: Any, system_id: int, kind: str, reason: str) -> HandoverWaiver:
    """Mark a kind of document as not applicable to the project, with the reason."""
    _require_manager(actor)
    system = _system(system_id)
    _kind(kind)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason."), code="required", field="reason")
    with transaction.atomic():
        waiver, _created = HandoverWaiver.objects.update_or_create(
            system=system, kind=kind, defaults={"reason": reason[:300], "waived_by": actor}
        )
        audit_record(
            actor=actor, action="handover.waive", target=system, changes={kind: [None, reason[:300]]}
        )
    return waiver


def handover_unwaive(*, actor: Any, system_id: int, kind: str) -> None:
    """The kind is required again."""
    _require_manager(actor)
    system = _system(system_id)
    with transaction.atomic():
        deleted, _rows = HandoverWaiver.objects.filter(system=system, kind=_kind(kind)).delete()
        if deleted:
            audit_record(
                actor=actor, action="handover.unwaive", target=system, changes={kind: ["waived", None]}
            )
