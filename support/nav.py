from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Tickets"), "support:ticket_list", "support.view_ticket"),
    (_("Report a problem"), "support:ticket_create", "support.add_ticket"),
    (_("Working calendar"), "support:calendar", "support.view_calendarday"),
]
