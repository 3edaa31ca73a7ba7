"""Every state change of work orders (DESIGN.md rule 1). Interfaces import from here."""

from weibao.assets.services import Entitlement, entitlement_for
from weibao.fieldservice.services.bulk import work_orders_plan_many
from weibao.fieldservice.services.fees import (
    ChargeInput,
    order_total,
    work_order_accept_quote,
    work_order_set_charges,
    work_order_settle,
)
from weibao.fieldservice.services.orders import (
    CheckResultInput,
    OrderPlan,
    PartInput,
    work_order_add_photo,
    work_order_annotate,
    work_order_cancel,
    work_order_check_in,
    work_order_check_out,
    work_order_create,
    work_order_record,
    work_order_reschedule,
    work_order_sign,
)
from weibao.fieldservice.services.receipts import receipt_issue, receipt_return
from weibao.fieldservice.services.report import (
    service_report_html,
    service_report_pdf,
    work_order_produce_report,
)

__all__ = [
    "ChargeInput",
    "CheckResultInput",
    "Entitlement",
    "OrderPlan",
    "PartInput",
    "entitlement_for",
    "order_total",
    "receipt_issue",
    "receipt_return",
    "service_report_html",
    "service_report_pdf",
    "work_order_accept_quote",
    "work_order_add_photo",
    "work_order_annotate",
    "work_order_cancel",
    "work_order_check_in",
    "work_order_check_out",
    "work_order_create",
    "work_order_produce_report",
    "work_order_record",
    "work_order_reschedule",
    "work_order_set_charges",
    "work_order_settle",
    "work_order_sign",
    "work_orders_plan_many",
]
