"""Never a stored sentence: a notification written while Chinese is active (the demo's, or one caused by a Chinese
user) is stored as a code and parameters and read in each reader's language; old rows are parsed back into codes;
the security log's details read as sentences in the reader's language, not "change_request: 10; record: …"."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from governance.models import SecurityEvent
from governance.services import log_event
from hardware_erp.core.models import Notification
from hardware_erp.core.phrases import parse_text
from hardware_erp.core.services import lazy_format, notify

pytestmark = pytest.mark.django_db

EN = "Order SO000123 for 温州华丰五金 waits for your approval."
ZH = "温州华丰五金 的订单 SO000123 等待你审批。"


def _approval(n="SO000123"):
    return lazy_format(_("Order %(n)s for %(c)s waits for your approval."), n=n, c="温州华丰五金")


def test_a_notification_written_in_chinese_reads_in_english_and_back(client_as):
    client = client_as("sales_manager")
    with translation.override("zh-hans"):
        (n,) = notify([client.user], _approval(), "/orders/1/", email=False)
    n.refresh_from_db()
    assert n.phrase == {"msgid": "Order %(n)s for %(c)s waits for your approval.",
                        "params": {"n": "SO000123", "c": "温州华丰五金"}}
    assert n.legacy_text == ""  # no sentence stored
    assert EN in client.get(reverse("core:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ZH in client.get(reverse("core:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    bell = client.get(reverse("core:notification_bell"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Order SO000123 for 温州华丰五金" in bell
    with translation.override("en"):
        (m,) = notify([client.user], _approval("SO000124"), "/orders/2/", email=False)
    with translation.override("zh-hans"):
        assert Notification.objects.get(pk=m.pk).text == ZH.replace("SO000123", "SO000124")


def test_the_e_mail_is_in_the_recipients_language(make_user, django_capture_on_commit_callbacks):
    from django.core import mail

    from hardware_erp.core.models import Employee

    user = make_user("sales_manager", email="boss@example.com")
    Employee.objects.filter(user=user).update(language="zh-hans")
    user.refresh_from_db()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notify([user], _approval(), "/orders/1/")
    assert mail.outbox and ZH in mail.outbox[-1].body


def test_old_notification_rows_become_phrases(make_user):
    user = make_user("sales_manager")
    zh = Notification.objects.create(recipient=user, legacy_text=ZH)
    en = Notification.objects.create(recipient=user, legacy_text=EN)
    free = Notification.objects.create(recipient=user, legacy_text="随便写的一句话 that no catalogue has")
    migration = importlib.import_module("hardware_erp.core.migrations.0004_notification_phrase")
    migration.to_phrases(apps, None)
    for row in (zh, en):
        row.refresh_from_db()
        assert row.phrase["msgid"] == "Order %(n)s for %(c)s waits for your approval." and row.legacy_text == ""
        with translation.override("en"):
            assert row.text == EN
    free.refresh_from_db()
    assert free.phrase is None and free.text == "随便写的一句话 that no catalogue has"


def test_parse_text_takes_the_most_specific_message():
    assert parse_text(ZH)["params"] == {"n": "SO000123", "c": "温州华丰五金"}
    assert parse_text("no such message at all, really") is None


def test_security_log_details_read_in_the_readers_language(make_user):
    from crm.models import Customer

    event = log_event(SecurityEvent.Kind.CHANGE_REQUESTED, user=make_user("sales_rep"), change_request=10,
                      record=f"{Customer._meta.label_lower}#31", fields="credit_limit,payment_terms_days")
    with translation.override("en"):
        en = event.summary
    with translation.override("zh-hans"):
        zh = event.summary
    assert en == "Change request 10: customer #31 (credit limit, payment terms (days))", en
    assert "change_request" not in en and "crm.customer" not in en
    assert zh.startswith("变更申请 10") and "客户 #31" in zh and "信用额度" in zh, zh
