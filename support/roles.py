"""Support permissions by role. Every employee opens tickets, follows their own, sees incidents and gives
feedback; IT admins work the helpdesk, incidents, maintenance and status; the general manager reads the
reports and receives SLA escalations (give `support.lead_helpdesk` to the IT lead's account as well)."""

from hardware_erp.core.roles import ROLES

EVERYONE = [
    "support.add_ticket", "support.view_ticket",
    "support.view_incident",
    "support.view_suggestion", "support.add_suggestion", "support.add_vote",
]
IT = EVERYONE + [
    "support.manage_ticket", "support.view_support_reports",
    "support.view_slapolicy", "support.add_slapolicy", "support.change_slapolicy",
    "support.view_assignmentrule", "support.add_assignmentrule", "support.change_assignmentrule",
    "support.delete_assignmentrule",
    "support.view_calendarday", "support.add_calendarday", "support.change_calendarday",
    "support.delete_calendarday",
    "support.add_incident", "support.change_incident",
    "support.view_system", "support.add_system", "support.change_system",
    "support.view_maintenancewindow", "support.add_maintenancewindow", "support.change_maintenancewindow",
    "support.view_system_status", "support.view_requestrecord",
    "support.answer_suggestion",
    "support.view_checklist", "support.add_checklist", "support.change_checklist",
    "support.view_checklistitem", "support.add_checklistitem", "support.change_checklistitem",
    "support.delete_checklistitem",
    "support.view_inspection", "support.change_inspection",
]

PERMISSIONS = {key: list(EVERYONE) for key in ROLES}
PERMISSIONS["it_admin"] = IT
PERMISSIONS["general_manager"] = EVERYONE + ["support.view_support_reports", "support.lead_helpdesk",
                                             "support.view_system_status"]
