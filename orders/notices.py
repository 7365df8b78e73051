"""Messages the orders module sends: the customer's status e-mails and the owner's overdue reminders."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.services import lazy_format, notify

from .choices import CUSTOMER_NOTICE_STATES, SOLD_STATES, DocKind, OrderStatus
from .models import OrderEvent, SalesOrder
from .services import status_link_token

log = logging.getLogger(__name__)


def status_url(order) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("orders:status_page", args=[status_link_token(order)])


def send_customer_status_email(event_id) -> bool:
    """E-mail the customer about one status change, once (the event remembers it was sent)."""
    with transaction.atomic():
        event = (OrderEvent.objects.select_for_update().select_related("order")
                 .filter(pk=event_id, customer_emailed_at__isnull=True).first())
        if event is None or event.to_status not in CUSTOMER_NOTICE_STATES:
            return False
        order = event.order
        if not order.customer_email:
            return False
        with translation.override("zh-hans"):
            status = OrderStatus(event.to_status).label
            subject = gettext("Your order %(n)s: %(s)s") % {"n": order.number, "s": status}
            body = gettext("Order %(n)s is now: %(s)s.\n\nFollow it here (no sign-in needed):\n%(url)s") % {
                "n": order.number, "s": status, "url": status_url(order)}
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[order.customer_email])
        event.customer_emailed_at = timezone.now()
        event.save(update_fields=["customer_emailed_at"])
    return True


def pending_customer_emails(days=3):
    since = timezone.now() - timezone.timedelta(days=days)
    return (OrderEvent.objects.filter(to_status__in=CUSTOMER_NOTICE_STATES, customer_emailed_at__isnull=True,
                                      at__gte=since, order__kind=DocKind.ORDER)
            .exclude(order__customer_email="").values_list("pk", flat=True))


def send_overdue_reminders(today=None) -> int:
    """Remind each overdue order's salesperson once per due date (the notification key)."""
    today = today or timezone.localdate()
    qs = (SalesOrder.objects.orders().filter(status__in=SOLD_STATES, due_date__lt=today)
          .exclude(status=OrderStatus.CLOSED)
          .filter(total__gt=F("paid_amount") + F("credited_amount")).select_related("salesperson", "customer"))
    sent = 0
    for order in qs.iterator(chunk_size=500):
        made = notify(order.salesperson, lazy_format(_("Order %(n)s for %(c)s is overdue since %(d)s: %(b)s open."),
                                                     n=order.number, c=order.customer, d=order.due_date,
                                                     b=order.balance),
            reverse("orders:order", args=[order.pk]), level="warning",
            key=f"order:{order.pk}:overdue:{order.due_date:%Y%m%d}")
        sent += len(made)
    return sent
