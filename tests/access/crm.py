"""Access rows of the crm app (its engineers add a row for each URL they add).

Record URLs use a customer owned by another user: a sales rep gets 404 (not their customer), the roles
that see every customer (sales manager, finance, general manager) get the page when their role allows it.
"""

from . import Row, module, only, signed_in


def _customer():
    from tests.factories.crm import CustomerFactory

    return {"pk": CustomerFactory().pk}


def _contact():
    from tests.factories.crm import ContactFactory

    return {"child": ContactFactory().pk}


def _opportunity():
    from tests.factories.crm import OpportunityFactory

    return {"pk": OpportunityFactory().pk}


def _task():
    from tests.factories.crm import TaskFactory

    return {"pk": TaskFactory().pk}


MISSING_CHILD = {"child": 999999}
READERS = ("sales_rep", "sales_manager", "finance_clerk", "general_manager")
WRITERS = ("sales_rep", "sales_manager", "general_manager")
MANAGERS = ("sales_manager", "general_manager")
ALL_CUSTOMERS = ("sales_manager", "finance_clerk", "general_manager")


def others(*roles, status=200):
    """Another user's record: a sales rep allowed by permission gets 404 instead of the page."""
    expect = only(*roles, status=status)
    if "sales_rep" in roles:
        expect["sales_rep"] = 404
    return expect


def looked_up_first(expect):
    """These views find the record before checking the module permission, so roles without the CRM module
    get 404 rather than 403 (still denied; noted for the crm app to align)."""
    return {**expect, **dict.fromkeys(NO_CRM, 404)}


NO_CRM = ("warehouse_clerk", "warehouse_manager", "purchaser", "it_admin", "trainer")

ROWS = [
    Row("crm:index", expect=module("crm")),
    Row("crm:customer_list", expect=only(*READERS)),
    Row("crm:customer_create", expect=only(*WRITERS)),
    Row("crm:customer_lookup", expect=only(*READERS)),
    Row("crm:customer", kwargs=_customer, expect=others(*READERS), note="another rep's customer: 404 for a rep"),
    Row("crm:customer_edit", kwargs=_customer, expect=others(*WRITERS)),
    Row("crm:customer_reassign", kwargs=_customer, expect=only(*MANAGERS)),
    Row("crm:customer_share", kwargs=_customer, expect=others(*WRITERS)),
    Row("crm:customer_merge", kwargs=_customer, expect=only(*MANAGERS)),
    Row("crm:contact_create", kwargs=_customer, expect=others(*WRITERS)),
    Row("crm:contact_edit", kwargs=_contact, expect=looked_up_first(others(*WRITERS)),
        note="roles without the CRM module get 404 (record looked up before the permission check)"),
    Row("crm:address_create", kwargs=_customer, expect=others(*WRITERS)),
    Row("crm:address_edit", kwargs=MISSING_CHILD, expect=signed_in(404), note="a missing address: 404"),
    Row("crm:record_create", kwargs=_customer, expect=others(*WRITERS, status=405), note="POST only"),
    Row("crm:record_list", expect=only(*READERS)),
    Row("crm:opportunity_list", expect=only(*READERS)),
    Row("crm:opportunity_board", expect=only(*READERS)),
    Row("crm:opportunity_create", expect=only(*WRITERS)),
    Row("crm:opportunity", kwargs=_opportunity, expect=others(*READERS)),
    Row("crm:opportunity_edit", kwargs=_opportunity, expect=others(*WRITERS)),
    Row("crm:opportunity_move", kwargs=_opportunity, expect=only(*WRITERS, status=405), note="POST only"),
    Row("crm:task_list", expect=only(*READERS)),
    Row("crm:task_create", expect=only(*WRITERS)),
    Row("crm:reports", expect=only(*ALL_CUSTOMERS)),
    Row("crm:report_export", kwargs={"key": "reps"}, expect=only(*ALL_CUSTOMERS)),
    Row("crm:import", expect=only(*MANAGERS)),
    Row("crm:import_template", kwargs={"kind": "customers"}, expect=only(*MANAGERS)),
    Row("crm:contact_export", expect=only(*MANAGERS)),
    Row("crm:task_close", kwargs=_task, expect=others(*WRITERS)),
]
