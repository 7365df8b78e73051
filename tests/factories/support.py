import factory

from support.models import Ticket, TicketMessage

from . import UserFactory


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    requester = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Printer {n} does not print")
    description = "The printer on the second floor shows a paper jam."
    category = "printer"
    priority = "normal"


class TicketMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketMessage

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = "Any news?"
