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
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
]
