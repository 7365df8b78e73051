"""A person's notification channels (issue 17 item 5): e-mail is their choice; in-app always."""

import pytest

from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.models import Notification
from hardware_erp.core.services import notify, set_notification_channels

pytestmark = pytest.mark.django_db


def test_a_person_turns_email_off_and_notifications_stay_in_app(client_as):
    client = client_as("sales_rep", email="rep@example.com")
    user = client.user
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    r = client.post("/notifications/settings/", {"_once": page.context["once_token"]}, follow=True)
    assert r.status_code == 200
    user.employee.refresh_from_db()
    assert user.employee.email_notifications is False
    n = notify(user, "Stock below minimum", "/inventory/")[0]
    assert n.email_status == Notification.EmailStatus.SKIPPED and n.read_at is None
    set_notification_channels(user, email=True, actor=user)
    user.employee.refresh_from_db()
    assert notify(user, "Again")[0].email_status == Notification.EmailStatus.PENDING


def test_only_the_person_chooses(make_user):
    a, b = make_user("sales_rep"), make_user("sales_rep")
    with pytest.raises(BusinessRuleError):
        set_notification_channels(a, email=False, actor=b)
