"""Signals CRM sends so that other apps can react without CRM importing them.

customers_merged(sender=Customer, survivor, merged, actor): sent inside the merge transaction after
contacts, history, opportunities and tasks moved to the survivor; `orders` moves its orders.
"""

from django.dispatch import Signal

customers_merged = Signal()
