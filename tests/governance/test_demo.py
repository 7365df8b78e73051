import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from crm.models import Customer
from crm.validators import credit_code_errors
from governance import keydata, services
from governance.models import AgreementAcceptance, AgreementVersion, ChangeRequest, ImportLog, SecurityEvent
from hardware_erp.core.errors import BusinessRuleError
from hardware_erp.core.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_seed_is_realistic_and_idempotent():
    call_command("seed_demo", verbosity=0, only=["crm", "governance"])
    counts = (ChangeRequest.objects.count(), SecurityEvent.objects.count(), ImportLog.objects.count())
    assert counts[0] == 10 and counts[1] > 300 and counts[2] > 10
    by_status = {s: ChangeRequest.objects.filter(status=s).count() for s in ("pending", "approved", "rejected")}
    assert by_status == {"pending": 4, "approved": 3, "rejected": 3}
    assert set(ChangeRequest.objects.values_list("requester__username", flat=True)) == {"rep1", "rep2"}
    assert all(cr.comment for cr in ChangeRequest.objects.filter(status="rejected"))
    # the requested credit codes are valid, and approved ones are on the customers
    for cr in ChangeRequest.objects.filter(field_names="credit_code"):
        assert not credit_code_errors(cr.changes["credit_code"]["new"])
    for cr in ChangeRequest.objects.filter(status="approved"):
        customer = Customer.objects.get(pk=cr.object_id)
        field, pair = next(iter(cr.changes.items()))
        assert keydata.current_json(customer, field) == pair["new"]
    # one pending request went stale: the manager changed the limit directly afterwards
    pending = ChangeRequest.objects.filter(status="pending").order_by("created_at")
    refused = []
    gm = Customer.objects.model._meta.apps.get_model("auth", "User").objects.get(username="gm")
    for cr in pending:
        try:
            services.approve_change(cr, actor=gm)
        except BusinessRuleError as exc:
            assert "changed after this request" in str(exc)
            refused.append(cr.pk)
    assert len(refused) == 1
    assert SecurityEvent.objects.filter(kind="login_failed", username="admin").count() == 5
    counts = (ChangeRequest.objects.count(), SecurityEvent.objects.count(), ImportLog.objects.count())
    call_command("seed_demo", verbosity=0, only=["crm", "governance"])
    assert (ChangeRequest.objects.count(), SecurityEvent.objects.count(), ImportLog.objects.count()) == counts


def test_demo_agreement_is_published_and_accepted_by_every_demo_user():
    call_command("seed_demo", verbosity=0, only=["governance"])
    call_command("seed_demo", verbosity=0, only=["governance"])  # idempotent
    version = AgreementVersion.objects.get()
    assert version.is_published and "保密" in version.body_zh and "secret" in version.body_en
    users = get_user_model().objects.filter(is_active=True)
    assert AgreementAcceptance.objects.filter(version=version).count() == users.count() > 0
    client = Client()
    client.post(reverse("login"), {"username": "rep1", "password": DEMO_PASSWORD})
    assert client.get(reverse("core:home")).status_code == 200  # the demo is not held at the agreement
