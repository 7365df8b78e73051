from django.urls import path

from . import quality_views, views

app_name = "governance"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("changes/", views.ChangeRequestListView.as_view(), name="changerequest_list"),
    path("changes/<int:pk>/", views.ChangeRequestView.as_view(), name="changerequest"),
    path("security-log/", views.SecurityEventListView.as_view(), name="securityevent_list"),
    path("backups/", views.BackupRunListView.as_view(), name="backuprun_list"),
    path("quality/", quality_views.DataQualityView.as_view(), name="data_quality"),
    path("quality/<slug:key>/", quality_views.DataQualityListView.as_view(), name="data_quality_list"),
    path("agreements/", views.AgreementAcceptanceListView.as_view(), name="agreementacceptance_list"),
]
