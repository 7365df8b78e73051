"""Orders writes, one module per stage; this package re-exports them so callers write `from orders import services`.

Every function is keyword-only after its subject, takes the acting user as `actor` and raises BusinessRuleError
with a message a user can read. Rows several people change at once (orders, lines) are locked with
select_for_update in primary-key order; stock goes through inventory.services only. The modules are layered
in this order and import only those before them:
base, pricing, documents, workflow, review, payments, shipping, cancelling, invoices, returns, setup, buttons.
"""

from .base import (  # noqa: F401
    ZERO,
    S,
    _check_access,
    _event,
    _lock,
    _lock_stock_levels,
    _reason,
    customer_balance,
    next_number,
    refresh_last_order_dates,
)
from .buttons import (  # noqa: F401
    can_record_payment,
    can_request_invoice,
    can_return,
    can_ship,
)
from .cancelling import (  # noqa: F401
    cancel_backorder,
    cancel_order,
)
from .documents import (  # noqa: F401
    HEADER_FIELDS,
    _header_defaults,
    _write_lines,
    convert_quotation,
    create_order,
    update_order,
)
from .invoices import (  # noqa: F401
    buyer_defaults,
    issue_invoice,
    request_invoice,
    request_red_letter,
)
from .payments import (  # noqa: F401
    _decide_refund,
    _lock_credit,
    _notify_refund_approvers,
    apply_credit,
    approve_refund,
    record_payment,
    reject_refund,
    release_overpayment,
    request_refund,
    sync_payment_status,
)
from .pricing import (  # noqa: F401
    LineInput,
    _factor,
    _fill_line,
    _rule_discount,
    order_totals,
    price_floor,
    price_for,
    price_lines,
    recalculate,
)
from .returns import (  # noqa: F401
    _return_location,
    create_return,
)
from .review import (  # noqa: F401
    _decide_step,
    _notify_approvers,
    _pick_step,
    approve_order,
    reject_order,
    review,
    review_actions,
    submit_order,
)
from .setup import (  # noqa: F401
    CARRIER_FIELDS,
    LINK_SALT,
    PRICE_RULE_FIELDS,
    _check_carrier,
    _check_price_rule,
    _save_setting,
    create_carrier,
    create_price_rule,
    move_customer_orders,
    order_from_token,
    revoke_status_link,
    status_link_token,
    update_carrier,
    update_price_rule,
    update_review_settings,
)
from .shipping import (  # noqa: F401
    _after_shipping,
    _locked_lines,
    deliver_order,
    mark_delivered,
    picking_plan,
    record_tracking,
    ship_order,
    start_picking,
)
from .workflow import (  # noqa: F401
    MACHINE,
    _may,
    _open_steps,
    _release,
    _reserve,
    _steps,
    allowed_transitions,
    close_order,
    rule,
    step_refusal,
    transition,
)

__all__ = [
    "next_number",
    "refresh_last_order_dates",
    "customer_balance",
    "price_for",
    "price_floor",
    "LineInput",
    "recalculate",
    "HEADER_FIELDS",
    "create_order",
    "update_order",
    "convert_quotation",
    "MACHINE",
    "rule",
    "allowed_transitions",
    "transition",
    "step_refusal",
    "close_order",
    "review",
    "submit_order",
    "review_actions",
    "approve_order",
    "reject_order",
    "sync_payment_status",
    "record_payment",
    "release_overpayment",
    "apply_credit",
    "request_refund",
    "approve_refund",
    "reject_refund",
    "picking_plan",
    "start_picking",
    "ship_order",
    "record_tracking",
    "mark_delivered",
    "deliver_order",
    "cancel_order",
    "cancel_backorder",
    "create_return",
    "request_invoice",
    "issue_invoice",
    "buyer_defaults",
    "request_red_letter",
    "LINK_SALT",
    "status_link_token",
    "order_from_token",
    "revoke_status_link",
    "update_review_settings",
    "PRICE_RULE_FIELDS",
    "CARRIER_FIELDS",
    "create_price_rule",
    "update_price_rule",
    "create_carrier",
    "update_carrier",
    "move_customer_orders",
    "can_ship",
    "can_record_payment",
    "can_return",
    "can_request_invoice",
]
