from .catalogue import INTERNAL_BARCODE_RE, Brand, Category, Location, Product, ProductUnit, UnitOfMeasure, Warehouse
from .planning import PurchaseSuggestion, StockAlert, StockThreshold
from .purchasing import PurchaseOrder, PurchaseOrderEvent, PurchaseOrderLine, Supplier, SupplierContact, SupplierProduct
from .stock import ProductStock, Reservation, StockLevel, StockMovement
from .stocktake import CountEntry, Stocktake, StocktakeEvent, StocktakeLine

__all__ = [
    "INTERNAL_BARCODE_RE",
    "Brand", "Category", "CountEntry", "Location", "Product", "ProductUnit", "PurchaseOrder", "PurchaseOrderEvent",
    "ProductStock", "PurchaseOrderLine", "PurchaseSuggestion", "Reservation", "StockAlert", "StockLevel",
    "StockMovement",
    "StockThreshold", "Stocktake", "StocktakeEvent", "StocktakeLine", "Supplier", "SupplierContact", "SupplierProduct",
    "UnitOfMeasure", "Warehouse",
]
