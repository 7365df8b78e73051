"""CRM permissions per role (applied by `manage.py sync_roles`)."""

_WORK = [f"crm.{action}_{model}" for model in ("customer", "contact", "deliveryaddress", "contactrecord",
                                                "opportunity", "followuptask") for action in ("view", "add", "change")]
_VIEW = [f"crm.view_{model}" for model in ("customer", "contact", "deliveryaddress", "contactrecord", "opportunity",
                                           "followuptask")]
_MANAGE = [*_WORK, "crm.delete_contact", "crm.delete_deliveryaddress", "crm.view_contact_mobile",
           "crm.view_all_customers", "crm.reassign_customer", "crm.merge_customer", "crm.import_customer",
           "crm.export_customer", "crm.view_sales_reports"]

PERMISSIONS = {
    "sales_rep": [*_WORK, "crm.view_contact_mobile"],
    "sales_manager": _MANAGE,
    "finance_clerk": [*_VIEW, "crm.view_all_customers", "crm.view_sales_reports"],
    "general_manager": _MANAGE,
}
