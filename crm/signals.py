"""Signals CRM sends so that other apps can react without CRM importing them.

customers_merged(sender=Customer, survivor, merged, actor): sent inside the merge transaction after
contacts, history, opportunities and tasks moved to the survivor; `orders` moves its orders.

sales_figures(sender=Customer, user, start, end): sent by the sales analytics to learn the revenue of
[start, end) as `user` may see it. A receiver (`orders`) answers with a dict built by its selectors:
{"reps": {user_id: {"orders", "revenue"}}, "sources": {source: {"orders", "revenue", "buyers"}},
"customers": [{"customer_id", "name", "source", "owner_id", "orders", "revenue", "last_order"}]}
(revenue is net of VAT, from approved orders). No receiver: the reports show no revenue columns' values.
"""

from django.dispatch import Signal

customers_merged = Signal()
sales_figures = Signal()
