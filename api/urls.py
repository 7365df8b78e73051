from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("products", views.ProductViewSet, basename="product")
router.register("stock-levels", views.StockLevelViewSet, basename="stock_level")
router.register("warehouses", views.WarehouseViewSet, basename="warehouse")
router.register("locations", views.LocationViewSet, basename="location")
router.register("movements", views.MovementViewSet, basename="movement")
router.register("purchase-orders", views.PurchaseOrderViewSet, basename="purchase_order")
router.register("stocktakes", views.StocktakeViewSet, basename="stocktake")
router.register("orders", views.OrderViewSet, basename="order")
router.register("quotations", views.QuotationViewSet, basename="quotation")
router.register("shipments", views.ShipmentViewSet, basename="shipment")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("tickets", views.TicketViewSet, basename="ticket")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
