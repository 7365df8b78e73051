from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hardware_erp.core import views as core_views
from hardware_erp.core.metrics import metrics_view

from .auth_forms import LoginForm

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("accounts/login/",
         auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/", include("governance.account_urls")),
    path("admin/", admin.site.urls),
    path("crm/", include("crm.urls")),
    path("inventory/", include("inventory.urls")),
    path("orders/", include("orders.urls")),
    path("governance/", include("governance.urls")),
    path("training/", include("training.urls")),
    path("support/", include("support.urls")),
    path("performance/", include("performance.urls")),
    path("api/v1/", include("api.urls")),
    path("integrations/", include("api.page_urls")),
    path("", include("hardware_erp.core.urls")),
]

# Uploaded files are never served from MEDIA_URL: views check access and send them as downloads
# (hardware_erp.core.uploads.serve_upload).

handler400 = "hardware_erp.core.views.bad_request"
handler403 = "hardware_erp.core.views.permission_denied"
handler404 = "hardware_erp.core.views.page_not_found"
handler500 = "hardware_erp.core.views.server_error"
