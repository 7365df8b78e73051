"""Daily sales rollups: what the analytics read instead of every order line (issue 19).

Two tables, both over sold orders (`selectors.SOLD_STATES`, documents of kind order) by order date:
- `SalesDay`: per day × customer × salesperson × warehouse, the order figures (orders, net revenue, cost, and
  the summed lead times behind the headline's averages). Each order is in exactly one row, so any grouping of
  these rows counts orders right.
- `ProductSalesDay`: per day × product × customer × salesperson × warehouse, the line figures (lines, orders
  with the product, quantity net of returns, net revenue, cost).

Three coarser tables sum them again by month (`SalesMonth`: × salesperson; `CustomerSalesMonth`: × customer;
`ProductSalesMonth`: × product), for the charts that need neither the day nor the other keys.

They are derived data: `orders.rollups.refresh` recomputes the rows of a (day, customer) slice from the orders,
after commit of every order event (a task through the outbox), and `manage.py rebuild_sales_rollup` recomputes
them all. Names, regions, customer types and categories are joined when read, so they are always current.
"""

from django.conf import settings
from django.db import models

from hardware_erp.core.money import MoneyField, QuantityField


class SalesDay(models.Model):
    day = models.DateField()
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, on_delete=models.CASCADE, related_name="+")
    n_orders = models.PositiveIntegerField(default=0)
    net = MoneyField(max_digits=16)  # net revenue
    cost = MoneyField(max_digits=16)
    approval_to_shipment = models.DurationField(null=True)  # summed over `approval_to_shipment_n` orders
    approval_to_shipment_n = models.PositiveIntegerField(default=0)
    shipment_to_delivery = models.DurationField(null=True)
    shipment_to_delivery_n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["day", "customer"], name="orders_salesday_day_customer"),
                   models.Index(fields=["salesperson", "day"], name="orders_salesday_rep_day")]

    def __str__(self):
        return f"{self.day} {self.customer_id} {self.n_orders}"


class ProductSalesDay(models.Model):
    day = models.DateField()
    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey("inventory.Warehouse", null=True, on_delete=models.CASCADE, related_name="+")
    n_lines = models.PositiveIntegerField(default=0)
    n_orders = models.PositiveIntegerField(default=0)
    quantity = QuantityField(max_digits=18)  # net of returns
    net = MoneyField(max_digits=16)
    cost = MoneyField(max_digits=16)

    class Meta:
        indexes = [models.Index(fields=["day", "customer"], name="orders_psalesday_day_customer"),
                   models.Index(fields=["salesperson", "day"], name="orders_psalesday_rep_day")]

    def __str__(self):
        return f"{self.day} {self.product_id} {self.customer_id} {self.net}"


class SalesMonth(models.Model):
    """Per month × salesperson: the order figures of `SalesDay` without the customer and warehouse (a year is a few
    hundred rows). Read by the period chart by month, the salesperson chart, the headline and the rep-by-month
    fragment whenever the period is whole months as far as the sales go (`orders.selectors`)."""

    month = models.DateField()  # the first day
    salesperson = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+")
    n_orders = models.IntegerField(default=0)
    net = MoneyField(max_digits=16)
    cost = MoneyField(max_digits=16)
    approval_to_shipment = models.DurationField(null=True)
    approval_to_shipment_n = models.IntegerField(default=0)
    shipment_to_delivery = models.DurationField(null=True)
    shipment_to_delivery_n = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "salesperson"], name="orders_salesmonth_month_rep")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.salesperson_id} {self.n_orders}"


class CustomerSalesMonth(models.Model):
    """Per month × customer: the order figures of `SalesDay` without the day, salesperson and warehouse (a customer
    buying several times a month is one row). Read by the customer charts (region, customer type, top customers)
    and the CRM revenue figures (sources, customers) for users who see every order, for the whole months of the
    period; the days the period cuts from its first and last month are read from `SalesDay`."""

    month = models.DateField()  # the first day
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    n_orders = models.IntegerField(default=0)
    net = MoneyField(max_digits=16)
    cost = MoneyField(max_digits=16)
    last_day = models.DateField()  # of the customer's newest sale in the month

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "customer"], name="orders_csalesmonth_once")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.customer_id} {self.n_orders}"


class ProductSalesMonth(models.Model):
    """Per month × product: the line figures of `ProductSalesDay` without the customer, salesperson and warehouse
    (at most products × 12 rows a year, however many lines). Read by the category chart and the product ranking
    for users who see every order, whenever the period is whole months as far as the sales go."""

    month = models.DateField()  # the first day
    product = models.ForeignKey("inventory.Product", on_delete=models.CASCADE, related_name="+")
    n_lines = models.IntegerField(default=0)
    quantity = QuantityField(max_digits=18)  # net of returns
    net = MoneyField(max_digits=16)
    cost = MoneyField(max_digits=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "product"], name="orders_psalesmonth_once")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.product_id} {self.net}"
