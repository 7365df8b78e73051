from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Customers"), "crm:customer_list", "crm.view_customer"),
    (_("Pipeline"), "crm:opportunity_board", "crm.view_opportunity"),
    (_("Opportunities"), "crm:opportunity_list", "crm.view_opportunity"),
    (_("Follow-up tasks"), "crm:task_list", "crm.view_followuptask"),
    (_("Contact history"), "crm:record_list", "crm.view_contactrecord"),
    (_("Sales analytics"), "crm:reports", "crm.view_sales_reports"),
    (_("Import"), "crm:import", "crm.import_customer"),
]
