from django.utils.translation import gettext_lazy as _

ITEMS = [
    (_("Tickets"), "support:ticket_list", "support.view_ticket"),
    (_("Report a problem"), "support:ticket_create", "support.add_ticket"),
    (_("Incidents"), "support:incident_list", "support.view_incident"),
    (_("Suggestions"), "support:suggestion_list", "support.view_suggestion"),
    (_("Helpdesk report"), "support:report", "support.view_support_reports"),
    (_("System status"), "support:status", "support.view_system_status"),
    (_("Inspections"), "support:inspection_list", "support.view_inspection"),
    (_("Maintenance"), "support:maintenance_list", "support.view_maintenancewindow"),
    (_("Systems and emergency plans"), "support:system_list", "support.view_system"),
    (_("Helpdesk settings"), "support:settings", "support.change_slapolicy"),
    (_("Working calendar"), "support:calendar", "support.view_calendarday"),
]
