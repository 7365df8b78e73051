from django.urls import path

from . import quality_views, user_views, views

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
    path("users/", user_views.UserListView.as_view(), name="user_list"),
    path("users/new/", user_views.UserCreateView.as_view(), name="user_create"),
    path("users/<int:pk>/", user_views.UserView.as_view(), name="user"),
    path("users/<int:pk>/edit/", user_views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/deactivate/", user_views.UserActionView.as_view(action="deactivate"), name="user_deactivate"),
    path("users/<int:pk>/reactivate/", user_views.UserActionView.as_view(action="reactivate"), name="user_reactivate"),
    path("users/<int:pk>/reset-2fa/", user_views.UserActionView.as_view(action="reset_otp"), name="user_reset_otp"),
    path("users/<int:pk>/reset-password/", user_views.UserPasswordResetView.as_view(), name="user_reset_password"),
    path("lockouts/", user_views.LockoutListView.as_view(), name="lockout_list"),
    path("lockouts/<int:pk>/unlock/", user_views.UnlockView.as_view(), name="unlock"),
]
