from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/<int:pk>/", views.TicketView.as_view(), name="ticket"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket_reply"),
    path("tickets/<int:pk>/status/", views.TicketTransitionView.as_view(), name="ticket_transition"),
    path("tickets/<int:pk>/assign/", views.TicketAssignView.as_view(), name="ticket_assign"),
    path("tickets/<int:pk>/priority/", views.TicketPriorityView.as_view(), name="ticket_priority"),
    path("tickets/<int:pk>/rate/", views.TicketRateView.as_view(), name="ticket_rate"),
    path("settings/", views.HelpdeskSettingsView.as_view(), name="settings"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("incidents/", views.IncidentListView.as_view(), name="incident_list"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident_create"),
    path("incidents/<int:pk>/", views.IncidentView.as_view(), name="incident"),
    path("incidents/<int:pk>/update/", views.IncidentUpdateView.as_view(), name="incident_update"),
    path("incidents/<int:pk>/resolve/", views.IncidentResolveView.as_view(), name="incident_resolve"),
    path("incidents/<int:pk>/review/", views.IncidentReviewView.as_view(), name="incident_review"),
    path("incidents/<int:pk>/confirm/", views.IncidentConfirmView.as_view(), name="incident_confirm"),
    path("systems/", views.SystemListView.as_view(), name="system_list"),
    path("systems/new/", views.SystemCreateView.as_view(), name="system_create"),
    path("systems/<int:pk>/", views.SystemView.as_view(), name="system"),
    path("systems/<int:pk>/edit/", views.SystemEditView.as_view(), name="system_edit"),
    path("maintenance/", views.MaintenanceListView.as_view(), name="maintenance_list"),
    path("maintenance/new/", views.MaintenanceCreateView.as_view(), name="maintenance_create"),
    path("maintenance/<int:pk>/cancel/", views.MaintenanceCancelView.as_view(), name="maintenance_cancel"),
    path("status/", views.StatusView.as_view(), name="status"),
    path("suggestions/", views.SuggestionListView.as_view(), name="suggestion_list"),
    path("suggestions/new/", views.SuggestionCreateView.as_view(), name="suggestion_create"),
    path("suggestions/<int:pk>/", views.SuggestionView.as_view(), name="suggestion"),
    path("suggestions/<int:pk>/vote/", views.SuggestionVoteView.as_view(), name="suggestion_vote"),
    path("suggestions/<int:pk>/answer/", views.SuggestionAnswerView.as_view(), name="suggestion_answer"),
    path("inspections/", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspections/<int:pk>/", views.InspectionView.as_view(), name="inspection"),
    path("reports/", views.ReportView.as_view(), name="report"),
]
