"""django-import-export resources: products in and out of spreadsheets (the SKU identifies a row)."""

from import_export import fields, resources, widgets

from .models import Brand, Category, Product, UnitOfMeasure


class ProductResource(resources.ModelResource):
    category = fields.Field(attribute="category", column_name="category",
                            widget=widgets.ForeignKeyWidget(Category, field="code"))
    brand = fields.Field(attribute="brand", column_name="brand", widget=widgets.ForeignKeyWidget(Brand, field="name"))
    base_unit = fields.Field(attribute="base_unit", column_name="base_unit",
                             widget=widgets.ForeignKeyWidget(UnitOfMeasure, field="code"))

    class Meta:
        model = Product
        import_id_fields = ("sku",)
        fields = ("sku", "name_zh", "name_en", "category", "brand", "thread", "length_mm", "material", "finish",
                  "strength_grade", "standard", "specification", "barcode_kind", "barcode", "base_unit",
                  "unit_weight_g", "standard_cost", "list_price", "tax_category_code", "tax_short_name",
                  "allow_negative", "active")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor
        self.held = {}  # product pk -> {key field: new value}: changes of key data that wait for approval

    def before_save_instance(self, instance, row, **kwargs):
        """An existing product's key data (price, cost) is not saved by the import: unless the importer may approve
        key data, the new values go to a change request (after the import) and the product keeps the old ones."""
        from governance import services as governance_services  # its public entry point for key data

        if instance.pk is None or self.actor is None or self.actor.has_perm("governance.approve_changerequest"):
            return
        keys = governance_services.keydata.key_fields_for(Product)
        stored = Product.objects.filter(pk=instance.pk).values(*keys).first() or {}
        changes = {name: getattr(instance, name) for name in keys if name in stored
                   and getattr(instance, name) != stored[name]}
        if changes:
            self.held[instance.pk] = changes
            for name in changes:
                setattr(instance, name, stored[name])

    def after_import(self, dataset, result, **kwargs):
        from governance.services import submit_change

        super().after_import(dataset, result, **kwargs)
        if self._is_dry_run(kwargs):
            return
        for product in Product.objects.filter(pk__in=list(self.held)).order_by("pk"):
            submit_change(product, self.held[product.pk], actor=self.actor, reason="import")

    def before_import_row(self, row, **kwargs):
        for key in ("barcode", "brand", "length_mm", "unit_weight_g"):
            if key in row and (row[key] is None or str(row[key]).strip() == ""):
                row[key] = None
        if "barcode" in row and row["barcode"] is not None:
            row["barcode"] = str(row["barcode"]).strip().removesuffix(".0")
        if not row.get("barcode_kind"):
            row["barcode_kind"] = "ean13" if row.get("barcode") and str(row["barcode"]).isdigit() else "code128"
