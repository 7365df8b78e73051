import pytest
from django.core.management import call_command

from crm.models import Contact, Customer, Opportunity
from crm.validators import credit_code_errors, normalize_mobile

pytestmark = pytest.mark.django_db


def test_demo_seed_is_valid_and_idempotent():
    call_command("seed_demo", verbosity=0, only=["crm"])
    n = Customer.objects.count()
    assert n == 150
    call_command("seed_demo", verbosity=0, only=["crm"])
    assert Customer.objects.count() == n
    assert Customer.objects.filter(name="张三五金店", name_initials="zswjd").exists()
    codes = Customer.objects.exclude(credit_code="").values_list("credit_code", flat=True)
    assert codes and all(not credit_code_errors(c) for c in codes)
    mobiles = [c.mobile for c in Contact.objects.all()]
    assert all(normalize_mobile(m) == m for m in mobiles)
    assert Contact.objects.filter(mobile_bidx="").count() == 0
    assert Opportunity.objects.filter(stage="won").exists() and Opportunity.objects.filter(stage="lost").exists()
    assert Customer.objects.values("province").distinct().count() > 5
