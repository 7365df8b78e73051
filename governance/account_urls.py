"""The signed-in user's account pages, under /accounts/ beside sign-in and password change."""

from django.urls import path

from . import account_views as views

app_name = "account"

urlpatterns = [
    path("agreement/", views.AgreementView.as_view(), name="agreement"),
    path("two-factor/", views.OTPSetupView.as_view(), name="otp_setup"),
    path("two-factor/verify/", views.OTPVerifyView.as_view(), name="otp_verify"),
    path("sessions/", views.SessionListView.as_view(), name="sessions"),
]
