"""What a scanned or typed code names (read by the scan pages, the stocktake count and order entry)."""

from decimal import Decimal

from .models import Product, ProductUnit


def product_for_code(code: str):
    """(product, base units per scan) for a scanned or typed code: the product's barcode or SKU (one base unit),
    or a pack's barcode (the pack's factor). None when no product has the code."""
    code = (code or "").strip()
    if not code:
        return None
    product = Product.objects.by_code(code).select_related("base_unit").first()
    if product is not None:
        return product, Decimal(1)
    pack = ProductUnit.objects.filter(barcode=code).select_related("product__base_unit").first()
    return (pack.product, pack.factor) if pack is not None else None
