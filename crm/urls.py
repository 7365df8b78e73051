from django.urls import path

from . import views

app_name = "crm"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer_create"),
    path("customers/lookup/", views.CustomerLookupView.as_view(), name="customer_lookup"),
    path("customers/<int:pk>/", views.CustomerView.as_view(), name="customer"),
    path("customers/<int:pk>/edit/", views.CustomerEditView.as_view(), name="customer_edit"),
    path("customers/<int:pk>/reassign/", views.CustomerReassignView.as_view(), name="customer_reassign"),
    path("customers/<int:pk>/share/", views.CustomerShareView.as_view(), name="customer_share"),
    path("customers/<int:pk>/merge/", views.CustomerMergeView.as_view(), name="customer_merge"),
    path("customers/<int:pk>/contacts/new/", views.ContactFormView.as_view(), name="contact_create"),
    path("contacts/<int:child>/edit/", views.ContactFormView.as_view(), name="contact_edit"),
    path("customers/<int:pk>/addresses/new/", views.AddressFormView.as_view(), name="address_create"),
    path("addresses/<int:child>/edit/", views.AddressFormView.as_view(), name="address_edit"),
    path("customers/<int:pk>/records/new/", views.RecordCreateView.as_view(), name="record_create"),
    path("history/", views.ContactRecordListView.as_view(), name="record_list"),
    path("opportunities/", views.OpportunityListView.as_view(), name="opportunity_list"),
    path("opportunities/board/", views.OpportunityBoardView.as_view(), name="opportunity_board"),
    path("opportunities/new/", views.OpportunityFormView.as_view(), name="opportunity_create"),
    path("opportunities/<int:pk>/", views.OpportunityView.as_view(), name="opportunity"),
    path("opportunities/<int:pk>/edit/", views.OpportunityFormView.as_view(), name="opportunity_edit"),
    path("opportunities/<int:pk>/move/", views.OpportunityMoveView.as_view(), name="opportunity_move"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("reports/<slug:key>.xlsx", views.ReportExportView.as_view(), name="report_export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/template/<slug:kind>.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("contacts/export.xlsx", views.ContactExportView.as_view(), name="contact_export"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/new/", views.TaskCreateView.as_view(), name="task_create"),
    path("tasks/<int:pk>/close/", views.TaskCloseView.as_view(), name="task_close"),
]
