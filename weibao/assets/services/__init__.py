"""Every state change of the installed base (DESIGN.md rule 1). Interfaces import from here."""

from weibao.assets.services.entitlement import (
    Entitlement,
    decide_entitlement,
    entitlement_for,
    item_warranty_end,
)
from weibao.assets.services.handover import (
    handover_delete,
    handover_unwaive,
    handover_upload,
    handover_waive,
)
from weibao.assets.services.importing import (
    item_import_apply,
    item_import_check,
    item_import_confirm,
    item_import_start,
)
from weibao.assets.services.items import (
    item_create,
    item_relate,
    item_set_components,
    item_unrelate,
    item_update,
    supplier_create,
    validate_items,
)

__all__ = [
    "Entitlement",
    "decide_entitlement",
    "entitlement_for",
    "handover_delete",
    "handover_unwaive",
    "handover_upload",
    "handover_waive",
    "item_create",
    "item_import_apply",
    "item_import_check",
    "item_import_confirm",
    "item_import_start",
    "item_relate",
    "item_set_components",
    "item_unrelate",
    "item_update",
    "item_warranty_end",
    "supplier_create",
    "validate_items",
]
