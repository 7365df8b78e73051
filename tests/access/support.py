"""Access rows of the support app (its engineers add a row for each URL they add)."""

from . import Row, module, only, signed_in


def _others_ticket():
    from tests.factories.support import TicketFactory

    return {"pk": TicketFactory().pk}


def _system():
    from support.models import System

    return {"pk": System.objects.get_or_create(code="erp-matrix", defaults={"name": "ERP"})[0].pk}


MISSING = {"pk": 999999}  # a record that does not exist: 404 once the permission lets the user in
IT = ("it_admin",)
IT_ONLY = ("it_admin",)  # IT works every ticket
ALL_TICKETS = ("it_admin", "general_manager")  # ...and the helpdesk lead reads them; everyone else sees their own

ROWS = [
    Row("support:index", expect=module("support")),
    Row("support:ticket_list", expect=signed_in()),
    Row("support:ticket_create", expect=signed_in()),
    Row("support:ticket", kwargs=_others_ticket, expect=only(*ALL_TICKETS, denied=404),
        note="another user's ticket: IT and the helpdesk lead see it (404 for the others)"),
    Row("support:ticket_reply", kwargs=_others_ticket, expect=signed_in(405), note="POST only"),
    Row("support:ticket_transition", kwargs=_others_ticket, expect=signed_in(405), note="POST only"),
    Row("support:ticket_assign", kwargs=_others_ticket, expect=only(*IT_ONLY, status=405),
        note="POST only, helpdesk staff"),
    Row("support:ticket_priority", kwargs=_others_ticket, expect=only(*IT_ONLY, status=405),
        note="POST only, helpdesk staff"),
    Row("support:ticket_rate", kwargs=_others_ticket, expect=signed_in(405), note="POST only"),
    Row("support:calendar", expect=only(*IT)),
    Row("support:attachment", kwargs={"pk": 999999}, expect=signed_in(404),
        note="a file of a ticket the user may not see, or none: 404"),
    Row("support:incident_list", expect=signed_in()),
    Row("support:incident_create", expect=only(*IT)),
    Row("support:incident", kwargs=MISSING, expect=signed_in(404)),
    Row("support:incident_update", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:incident_resolve", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:incident_review", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:incident_confirm", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:system_list", expect=only(*IT)),
    Row("support:system_create", expect=only(*IT)),
    Row("support:system", kwargs=_system, expect=only(*IT)),
    Row("support:system_edit", kwargs=_system, expect=only(*IT)),
    Row("support:maintenance_list", expect=only(*IT)),
    Row("support:maintenance_create", expect=only(*IT)),
    Row("support:maintenance_cancel", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:status", expect=only("it_admin", "general_manager")),
    Row("support:suggestion_list", expect=signed_in()),
    Row("support:suggestion_create", expect=signed_in()),
    Row("support:suggestion", kwargs=MISSING, expect=signed_in(404)),
    Row("support:suggestion_vote", kwargs=MISSING, expect=signed_in(405), note="POST only"),
    Row("support:suggestion_answer", kwargs=MISSING, expect=only(*IT, status=405), note="POST only"),
    Row("support:inspection_list", expect=only(*IT)),
    Row("support:inspection", kwargs=MISSING, expect=only(*IT, status=404)),
    Row("support:report", expect=only("it_admin", "general_manager")),
    Row("support:settings", expect={"anonymous": 302, "sales_rep": 403, "sales_manager": 403, "warehouse_clerk": 403, "warehouse_manager": 403, "purchaser": 403, "finance_clerk": 403, "it_admin": 200, "trainer": 403, "general_manager": 403}),
]
