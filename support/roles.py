"""Support permissions by role. Every employee may open tickets and follow their own; IT works them all."""

from hardware_erp.core.roles import ROLES

EVERYONE = ["support.add_ticket", "support.view_ticket", "support.view_incident"]
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
]

PERMISSIONS = {key: list(EVERYONE) for key in ROLES}
PERMISSIONS["it_admin"] = IT
PERMISSIONS["general_manager"] = EVERYONE + ["support.view_support_reports", "support.lead_helpdesk"]
