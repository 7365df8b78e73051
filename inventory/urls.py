from django.urls import path

from . import floor_views, purchase_views, stocktake_views, views
from .choices import MovementKind

app_name = "inventory"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("products/lookup/", views.ProductLookupView.as_view(), name="product_lookup"),
    path("products/<int:pk>/", views.ProductView.as_view(), name="product"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
    path("products/<int:pk>/thresholds/", views.ProductThresholdView.as_view(), name="product_threshold"),
    path("warehouses/", views.WarehouseListView.as_view(), name="warehouse_list"),
    path("warehouses/new/", views.WarehouseCreateView.as_view(), name="warehouse_create"),
    path("warehouses/<int:pk>/edit/", views.WarehouseEditView.as_view(), name="warehouse_edit"),
    path("locations/", views.LocationListView.as_view(), name="location_list"),
    path("locations/new/", views.LocationCreateView.as_view(), name="location_create"),
    path("locations/<int:pk>/edit/", views.LocationEditView.as_view(), name="location_edit"),
    path("stock/", views.StockListView.as_view(), name="stock_list"),
    path("movements/", views.MovementListView.as_view(), name="movement_list"),
    path("movements/receipt/", views.MovementCreateView.as_view(kind=MovementKind.RECEIPT), name="receipt"),
    path("movements/issue/", views.MovementCreateView.as_view(kind=MovementKind.ISSUE), name="issue"),
    path("movements/transfer/", views.MovementCreateView.as_view(kind=MovementKind.TRANSFER), name="transfer"),
    path("movements/adjustment/", views.MovementCreateView.as_view(kind=MovementKind.ADJUSTMENT),
         name="adjustment"),
    path("movements/return/", views.MovementCreateView.as_view(kind=MovementKind.RETURN), name="return"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("reports/valuation/", views.ValuationView.as_view(), name="valuation"),
    path("reports/no-movement/", views.NoMovementView.as_view(), name="no_movement"),
]

urlpatterns += [
    path("products/labels/", views.ProductLabelsView.as_view(), name="product_labels"),
    path("locations/labels/", views.LocationLabelsView.as_view(), name="location_labels"),
    path("suppliers/", purchase_views.SupplierListView.as_view(), name="supplier_list"),
    path("suppliers/new/", purchase_views.SupplierCreateView.as_view(), name="supplier_create"),
    path("suppliers/<int:pk>/", purchase_views.SupplierView.as_view(), name="supplier"),
    path("suppliers/<int:pk>/edit/", purchase_views.SupplierEditView.as_view(), name="supplier_edit"),
    path("suppliers/<int:pk>/contacts/", purchase_views.SupplierContactCreateView.as_view(),
         name="supplier_contact_create"),
    path("suppliers/<int:pk>/products/new/", purchase_views.SupplierProductCreateView.as_view(),
         name="supplierproduct_create"),
    path("supplier-products/<int:pk>/edit/", purchase_views.SupplierProductEditView.as_view(),
         name="supplierproduct_edit"),
    path("purchase-orders/", purchase_views.PurchaseOrderListView.as_view(), name="purchaseorder_list"),
    path("purchase-orders/new/", purchase_views.PurchaseOrderCreateView.as_view(), name="purchaseorder_create"),
    path("purchase-orders/<int:pk>/", purchase_views.PurchaseOrderView.as_view(), name="purchaseorder"),
    path("purchase-orders/<int:pk>/transition/", purchase_views.PurchaseOrderTransitionView.as_view(),
         name="purchaseorder_transition"),
    path("purchase-orders/<int:pk>/pdf/", purchase_views.PurchaseOrderPdfView.as_view(), name="purchaseorder_pdf"),
    path("purchase-orders/<int:pk>/receive/", purchase_views.PurchaseOrderReceiveView.as_view(),
         name="purchaseorder_receive"),
]

urlpatterns += [
    path("suggestions/", purchase_views.SuggestionListView.as_view(), name="suggestion_list"),
    path("suggestions/recompute/", purchase_views.SuggestionRecomputeView.as_view(), name="suggestion_recompute"),
    path("suggestions/order/", purchase_views.SuggestionOrderView.as_view(), name="suggestion_order"),
    path("suggestions/<int:pk>/", purchase_views.SuggestionUpdateView.as_view(), name="suggestion_update"),
]

urlpatterns += [
    path("stocktakes/", stocktake_views.StocktakeListView.as_view(), name="stocktake_list"),
    path("stocktakes/new/", stocktake_views.StocktakeCreateView.as_view(), name="stocktake_create"),
    path("stocktakes/<int:pk>/", stocktake_views.StocktakeView.as_view(), name="stocktake"),
    path("stocktakes/<int:pk>/count/", stocktake_views.StocktakeCountView.as_view(), name="stocktake_count"),
    path("stocktakes/<int:pk>/scan/", stocktake_views.StocktakeScanView.as_view(), name="stocktake_scan"),
    path("stocktakes/<int:pk>/action/", stocktake_views.StocktakeActionView.as_view(), name="stocktake_action"),
    path("stocktakes/<int:pk>/report.<str:fmt>", stocktake_views.StocktakeReportView.as_view(),
         name="stocktake_report"),
]

urlpatterns += [
    path("products/import/", views.ProductImportView.as_view(), name="product_import"),
    path("products/import/confirm/", views.ProductImportConfirmView.as_view(), name="product_import_confirm"),
    path("products/export/", views.ProductExportView.as_view(), name="product_export"),
]

urlpatterns += [
    path("scan/lookup/", floor_views.ScanLookupView.as_view(), name="scan_lookup"),
    path("scan/stock/", floor_views.StockLookupView.as_view(), name="stock_lookup"),
]
