"""The order form's customer picker finds a customer as the CRM search does: any reading of a polyphonic name
(朝阳 is zhaoyang and chaoyang), its initials or their beginning, the words of the name in any order."""

import pytest
from django.urls import reverse

from crm.models import Customer
from tests.factories.crm import CustomerFactory

pytestmark = pytest.mark.django_db


def _found(client, q):
    return [r["text"] for r in client.get(reverse("orders:customer_lookup"), {"q": q}).json()["results"]]


def test_lookup_matches_every_reading_and_initials_prefix(world, client_as, make_user):
    rep = world.rep
    chaoyang = CustomerFactory(name="朝阳五金商行", owner=rep)
    CustomerFactory(name="单县华丰建材", owner=rep)
    CustomerFactory(name="朝阳机电", owner=make_user("sales_rep"))
    usual = Customer.objects.get(pk=chaoyang.pk).name_initials
    client = client_as(user=rep)
    assert "朝阳五金商行" in _found(client, usual)                  # the usual reading's initials, as before
    for q in ("cywjsh", "cywj", "cyw", "chaoyang", "zywj", "CYWJ"):  # any reading; the initials' beginning
        assert "朝阳五金商行" in _found(client, q), q
    assert "单县华丰建材" in _found(client, "sxhf") and "单县华丰建材" in _found(client, "shanxian")
    assert _found(client, "华丰 单县") == ["单县华丰建材"]           # every word, in any order
    assert "朝阳五金商行" not in _found(client, "sxhf")
    assert "朝阳机电" not in _found(client, "cyjd")                  # another rep's customer stays out of reach
    assert {"朝阳五金商行", "单县华丰建材"} <= set(_found(client, ""))  # no query: the first customers by name


def test_order_list_search_finds_the_customer_by_another_reading(world, client_as):
    customer = CustomerFactory(name="朝阳五金商行", owner=world.rep)
    order = world.order(customer=customer)
    page = client_as(user=world.rep).get(reverse("orders:order_list"), {"q": "cywj"}).content.decode()
    assert order.number in page
