"""The site's pages of the API app (the API itself is api/urls.py at /api/v1/)."""

from django.urls import path

from . import pages

app_name = "integrations"

urlpatterns = [
    path("tokens/", pages.TokenListView.as_view(), name="token_list"),
    path("tokens/new/", pages.TokenCreateView.as_view(), name="token_create"),
    path("tokens/<int:pk>/revoke/", pages.TokenRevokeView.as_view(), name="token_revoke"),
    path("subscriptions/", pages.SubscriptionListView.as_view(), name="subscription_list"),
    path("subscriptions/new/", pages.SubscriptionCreateView.as_view(), name="subscription_create"),
    path("subscriptions/<int:pk>/", pages.SubscriptionView.as_view(), name="subscription"),
    path("subscriptions/<int:pk>/edit/", pages.SubscriptionEditView.as_view(), name="subscription_edit"),
    path("deliveries/<int:pk>/resend/", pages.DeliveryResendView.as_view(), name="delivery_resend"),
]
