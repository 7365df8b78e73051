from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/bell/", views.NotificationBellView.as_view(), name="notification_bell"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="notifications_read_all"),
    path("notifications/settings/", views.NotificationSettingsView.as_view(), name="notification_settings"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
    path("exports/", views.ExportListView.as_view(), name="exports"),
    path("exports/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export_download"),
    path("people/", views.PeopleView.as_view(), name="people"),
    path("company/", views.CompanyProfileView.as_view(), name="company_profile"),
    path("language/", views.SetLanguageView.as_view(), name="set_language"),
]
