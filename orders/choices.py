from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DocKind(models.TextChoices):
    QUOTATION = "quotation", _("Quotation")
    ORDER = "order", _("Sales order")


class OrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PICKING = "picking", _("Picking")
    PARTIALLY_SHIPPED = "part_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    PARTIALLY_PAID = "part_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")
    # quotations only
    CONVERTED = "converted", _("Converted to order")


# States in which an order counts as a sale (revenue, receivables, analytics).
SOLD_STATES = (OrderStatus.APPROVED, OrderStatus.PICKING, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
               OrderStatus.DELIVERED, OrderStatus.PARTIALLY_PAID, OrderStatus.PAID, OrderStatus.CLOSED)
# States in which goods have left the warehouse (an invoice is due).
INVOICED_STATES = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED,
                   OrderStatus.PARTIALLY_PAID, OrderStatus.PAID, OrderStatus.CLOSED)
# Invoiced and not yet settled: what can be overdue.
UNPAID_STATES = (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_PAID)
OPEN_STATES = (OrderStatus.DRAFT, OrderStatus.SUBMITTED, OrderStatus.APPROVED, OrderStatus.PICKING,
               OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.PARTIALLY_PAID)
# States the customer is e-mailed about.
CUSTOMER_NOTICE_STATES = (OrderStatus.APPROVED, OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED,
                          OrderStatus.DELIVERED, OrderStatus.CANCELLED)


class ReviewReason(models.TextChoices):
    CREDIT = "credit", _("Credit limit exceeded")
    OVERDUE = "overdue", _("Overdue balance")
    MARGIN = "margin", _("Margin below minimum")
    DISCOUNT = "discount", _("Discount above threshold")
    STOCK = "stock", _("Not enough stock")


FINANCE_REASONS = {ReviewReason.CREDIT, ReviewReason.OVERDUE}


class ReviewRole(models.TextChoices):
    """Who decides a review step: each reason goes to the role that owns it."""

    SALES = "sales", _("Sales Manager")
    FINANCE = "finance", pgettext_lazy("review step", "Finance")


# each review reason's step; an order with reasons of both kinds needs both approvals
REVIEW_ROLE_OF = {ReviewReason.CREDIT: ReviewRole.FINANCE, ReviewReason.OVERDUE: ReviewRole.FINANCE,
                  ReviewReason.MARGIN: ReviewRole.SALES, ReviewReason.DISCOUNT: ReviewRole.SALES,
                  ReviewReason.STOCK: ReviewRole.SALES}
REVIEW_PERMISSION = {ReviewRole.SALES: "orders.approve_salesorder", ReviewRole.FINANCE: "orders.approve_credit"}


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", pgettext_lazy("review step", "Approved")
    REJECTED = "rejected", pgettext_lazy("review step", "Rejected")


class CreditSource(models.TextChoices):
    OVERPAID = "overpaid", _("Paid more than the order's balance")
    CANCELLED = "cancelled", _("Paid on a cancelled order")


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("refund", "Waiting for approval")
    PAID = "paid", pgettext_lazy("refund", "Approved and paid")
    REJECTED = "rejected", pgettext_lazy("refund", "Rejected")


class EventKind(models.TextChoices):
    TRANSITION = "transition", _("Status change")
    REVIEW = "review", _("Review")
    SHIPMENT = "shipment", _("Shipment")
    PAYMENT = "payment", _("Payment")
    RETURN = "return", pgettext_lazy("orders", "Return")
    NOTE = "note", _("Note")
    LINK = "link", _("Status link")


class ShipmentStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    PROBLEM = "problem", _("Problem")
    RETURNING = "returning", _("Returning to sender")
    DELIVERED = "delivered", _("Delivered")


class CarrierAdapter(models.TextChoices):
    MANUAL = "manual", _("Manual (staff enter the events)")
    KUAIDI100 = "kuaidi100", _("Kuaidi100 query API")


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    BILL = "bill", _("Acceptance bill")


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    CANCELLED = "cancelled", _("Cancelled")


class InvoiceType(models.TextChoices):
    """The fully digital invoices (数电票) the tax bureau's platform issues."""

    SPECIAL = "special", _("Digital invoice (special VAT invoice)")
    NORMAL = "normal", _("Digital invoice (ordinary invoice)")


class InvoiceKind(models.TextChoices):
    BLUE = "blue", _("Invoice")
    RED = "red", _("Red-letter invoice")


class RedLetterReason(models.TextChoices):
    """Why a red-letter invoice cancels (part of) an issued one, as the confirmation form (红字确认单) names it."""

    RETURN = "return", _("Goods returned")
    ERROR = "error", _("Invoice issued in error")
    ALLOWANCE = "allowance", _("Sales allowance")
