from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("me/", views.MyScorecardView.as_view(), name="me"),
    path("scorecards/", views.ScorecardListView.as_view(), name="scorecard_list"),
    path("scorecards/<int:pk>/", views.ScorecardView.as_view(), name="scorecard"),
    path("scorecards/<int:pk>/pdf/", views.ScorecardPDFView.as_view(), name="scorecard_pdf"),
    path("scorecards/<int:pk>/kpi/<int:value_pk>/", views.EvidenceView.as_view(), name="evidence"),
    path("periods/", views.PeriodListView.as_view(), name="period_list"),
    path("periods/new/", views.PeriodCreateView.as_view(), name="period_create"),
    path("periods/<int:pk>/", views.PeriodView.as_view(), name="period"),
    path("periods/<int:pk>/compute/", views.PeriodComputeView.as_view(), name="period_compute"),
    path("periods/<int:pk>/close/", views.PeriodCloseView.as_view(), name="period_close"),
    path("periods/<int:pk>/settings/", views.PeriodSettingsView.as_view(), name="period_settings"),
    path("periods/<int:pk>/payroll.xlsx", views.PayrollExportView.as_view(), name="payroll_export"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("recognition/", views.RecognitionView.as_view(), name="recognition"),
    path("kpis/", views.KPIListView.as_view(), name="kpi_list"),
    path("tiers/", views.BonusTierListView.as_view(), name="tier_list"),
    path("tiers/new/", views.BonusTierCreateView.as_view(), name="tier_create"),
    path("tiers/<int:pk>/", views.BonusTierEditView.as_view(), name="tier_edit"),
]
