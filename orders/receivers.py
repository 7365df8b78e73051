"""Reactions to other apps' signals (connected in OrdersConfig.ready)."""

from django.dispatch import receiver

from crm.signals import customers_merged, sales_figures

from .selectors import crm_sales_figures
from .services import move_customer_orders


@receiver(customers_merged, dispatch_uid="orders.move_orders_of_merged_customer")
def move_orders_of_merged_customer(sender, survivor, merged, actor=None, **kwargs):
    move_customer_orders(survivor=survivor, merged=merged, actor=actor)


@receiver(sales_figures, dispatch_uid="orders.crm_sales_figures")
def answer_sales_figures(sender, user, start, end, **kwargs):
    return crm_sales_figures(user, start, end)
