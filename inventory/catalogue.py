"""Catalogue and master-data writes: products, warehouses, bin locations, stock thresholds, suppliers and their
products. Pages call these (never `form.save()`); each checks the actor's permission, validates the model and
saves. A product's key data (list price, standard cost: `governance.keydata.KEY_FIELDS`) changes through a
governance change request: the new value is in force only once approved.

Each model's editable fields are declared here once; the forms take their `Meta.fields` from these lists.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hardware_erp.core.errors import BusinessRuleError

from .models import Location, Product, StockThreshold, Supplier, SupplierContact, SupplierProduct, Warehouse

PRODUCT_FIELDS = ["sku", "name_zh", "name_en", "category", "brand", "thread", "length_mm", "material", "finish",
                  "strength_grade", "standard", "specification", "barcode_kind", "barcode", "base_unit",
                  "unit_weight_g", "standard_cost", "list_price", "tax_category_code", "tax_short_name",
                  "allow_negative", "active"]
WAREHOUSE_FIELDS = ["code", "name_zh", "name_en", "address", "active"]
LOCATION_FIELDS = ["warehouse", "code", "description", "active"]
SUPPLIER_FIELDS = ["code", "name_zh", "name_en", "phone", "email", "address", "default_lead_time_days", "active"]
SUPPLIER_CONTACT_FIELDS = ["name", "role", "phone", "email"]
SUPPLIER_PRODUCT_FIELDS = ["product", "supplier_sku", "price", "lead_time_days", "pack_size", "moq", "preferred"]


def _require(actor, perm):
    if not actor.has_perm(perm):
        raise PermissionDenied(_("You may not do this."))


def _save(instance, data, fields, *, actor):
    unknown = set(data) - set(fields)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance._history_user = actor
    instance.save()
    return instance


def _locked(instance):
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


# --- products ---------------------------------------------------------------------------------------------------

@transaction.atomic
def create_product(*, actor, **data) -> Product:
    _require(actor, "inventory.add_product")
    return _save(Product(), data, PRODUCT_FIELDS, actor=actor)


@transaction.atomic
def update_product(product, *, actor, reason="", **changes):
    """Save a product's changes; key fields (price, cost) go to a governance change request unless the actor may
    approve key data. Returns (product as stored, the pending ChangeRequest or None)."""
    from governance.services import submit_change

    _require(actor, "inventory.change_product")
    unknown = set(changes) - set(PRODUCT_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    current = _locked(product)
    trial = _locked(product)  # the model's own rules on the whole new record, before anything is written
    for name, value in changes.items():
        setattr(trial, name, value)
    trial.full_clean()
    cr = submit_change(current, changes, actor=actor, reason=reason)
    current.refresh_from_db()
    return current, cr


# --- warehouses and locations -----------------------------------------------------------------------------------

@transaction.atomic
def create_warehouse(*, actor, **data) -> Warehouse:
    _require(actor, "inventory.add_warehouse")
    return _save(Warehouse(), data, WAREHOUSE_FIELDS, actor=actor)


@transaction.atomic
def update_warehouse(warehouse, *, actor, **data) -> Warehouse:
    _require(actor, "inventory.change_warehouse")
    return _save(_locked(warehouse), data, WAREHOUSE_FIELDS, actor=actor)


@transaction.atomic
def create_location(*, actor, **data) -> Location:
    _require(actor, "inventory.add_location")
    data["code"] = (data.get("code") or "").strip().upper()
    return _save(Location(), data, LOCATION_FIELDS, actor=actor)


@transaction.atomic
def update_location(location, *, actor, **data) -> Location:
    _require(actor, "inventory.change_location")
    if "code" in data:
        data["code"] = (data["code"] or "").strip().upper()
    return _save(_locked(location), data, LOCATION_FIELDS, actor=actor)


# --- thresholds -------------------------------------------------------------------------------------------------

@transaction.atomic
def set_threshold(*, product, warehouse, minimum, maximum, actor) -> StockThreshold | None:
    """Set a product's minimum and maximum in a warehouse (both zero or empty: remove them) and re-check its
    alerts. Returns the threshold, or None when removed."""
    from .alerts import check_thresholds

    _require(actor, "inventory.change_stockthreshold")
    if minimum is not None and maximum and maximum < minimum:
        raise BusinessRuleError({"maximum": _("The maximum must be at least the minimum (or 0 for no maximum).")})
    if not minimum and not maximum:
        StockThreshold.objects.filter(product=product, warehouse=warehouse).delete()
        threshold = None
    else:
        threshold, _created = StockThreshold.objects.update_or_create(
            product=product, warehouse=warehouse, defaults={"minimum": minimum or 0, "maximum": maximum or 0})
    check_thresholds([product.pk])
    return threshold


# --- suppliers --------------------------------------------------------------------------------------------------

@transaction.atomic
def create_supplier(*, actor, **data) -> Supplier:
    _require(actor, "inventory.add_supplier")
    return _save(Supplier(), data, SUPPLIER_FIELDS, actor=actor)


@transaction.atomic
def update_supplier(supplier, *, actor, **data) -> Supplier:
    _require(actor, "inventory.change_supplier")
    return _save(_locked(supplier), data, SUPPLIER_FIELDS, actor=actor)


@transaction.atomic
def add_supplier_contact(supplier, *, actor, **data) -> SupplierContact:
    _require(actor, "inventory.change_supplier")
    return _save(SupplierContact(supplier=supplier), data, SUPPLIER_CONTACT_FIELDS, actor=actor)


def check_supplier_product(supplier, data, exclude_pk=None):
    """One product once per supplier, one preferred supplier per product (the form shows it on its fields)."""
    product = data.get("product")
    if product is None:
        return
    others = SupplierProduct.objects.exclude(pk=exclude_pk) if exclude_pk else SupplierProduct.objects.all()
    if others.filter(supplier=supplier, product=product).exists():
        raise BusinessRuleError({"product": _("This supplier already has %(sku)s.") % {"sku": product.sku}})
    if data.get("preferred") and others.filter(product=product, preferred=True).exclude(supplier=supplier).exists():
        raise BusinessRuleError({"preferred": _("Another supplier is preferred for %(sku)s; unmark it first.")
                                 % {"sku": product.sku}})


@transaction.atomic
def create_supplier_product(supplier, *, actor, **data) -> SupplierProduct:
    _require(actor, "inventory.add_supplierproduct")
    check_supplier_product(supplier, data)
    return _save(SupplierProduct(supplier=supplier), data, SUPPLIER_PRODUCT_FIELDS, actor=actor)


@transaction.atomic
def update_supplier_product(supplier_product, *, actor, **data) -> SupplierProduct:
    _require(actor, "inventory.change_supplierproduct")
    current = _locked(supplier_product)
    merged = {"product": current.product, "preferred": current.preferred, **data}
    check_supplier_product(current.supplier, merged, exclude_pk=current.pk)
    return _save(current, data, SUPPLIER_PRODUCT_FIELDS, actor=actor)
