from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Sales orders"), "orders:order_list", "orders.view_salesorder"),
    (_("Quotations"), "orders:quotation_list", "orders.view_payment"),  # with prices: not the warehouse
    (_("Waiting for approval"), "orders:review_queue", ("orders.approve_salesorder", "orders.approve_credit")),
    (_("Picking lists"), "orders:picking", "orders.ship_salesorder"),
    (_("Shipments"), "orders:shipment_list", "orders.view_shipment"),
    (_("Payment receipts"), "orders:payment_list", "orders.view_payment"),
    (_("Receivables ageing"), "orders:receivables", "orders.add_payment"),
    (_("Customer credit and refunds"), "orders:credit_list", "orders.add_payment"),
    (_("VAT invoice requests"), "orders:invoice_queue", "orders.change_invoicerequest"),
    (_("Order analytics"), "orders:analytics", "orders.view_order_analytics"),
    (_("Review thresholds"), "orders:review_settings", "orders.change_reviewsettings"),
    (_("Price levels"), "orders:pricerule_list", "orders.view_pricerule"),
    (_("Carriers"), "orders:carrier_list", "orders.add_carrier"),
]
