import datetime

import factory
from django.utils import timezone

from crm.models import Contact, ContactRecord, Customer, FollowUpTask, Opportunity
from crm.validators import make_credit_code

from . import UserFactory


def credit_code(n: int) -> str:
    return make_credit_code("9", "1", "330102", f"MA{n:06d}"[-8:].replace("I", "1"))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试客户{n}五金店")
    kind = "company"
    customer_type = "retailer"
    level = "b"
    source = "walk_in"
    province = "浙江省"
    city = "杭州市"
    district = "西湖区"
    owner = factory.SubFactory(UserFactory)
    phone = ""
    # the order tests were written in tax-exclusive prices (net × 13 % on top); tests of VAT-inclusive prices
    # (the model's default, 含税单价) set prices_include_tax=True themselves
    prices_include_tax = False


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    position = "老板"
    mobile = factory.Sequence(lambda n: f"+86139{n:08d}")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"商机 {n}")
    stage = "lead"
    amount = 10000
    probability = 10
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    expected_close = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    customer = factory.SubFactory(CustomerFactory)
    title = factory.Sequence(lambda n: f"回访 {n}")
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=2))
    assignee = factory.LazyAttribute(lambda o: o.customer.owner)


class RecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRecord

    customer = factory.SubFactory(CustomerFactory)
    channel = "call"
    summary = "电话沟通报价"
    created_by = factory.LazyAttribute(lambda o: o.customer.owner)
