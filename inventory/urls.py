from django.urls import path

from . import views
from .choices import MovementKind

app_name = "inventory"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("products/", views.ProductListView.as_view(), name="product_list"),
    path("products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("products/lookup/", views.ProductLookupView.as_view(), name="product_lookup"),
    path("products/<int:pk>/", views.ProductView.as_view(), name="product"),
    path("products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
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
