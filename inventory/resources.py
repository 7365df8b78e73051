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
                  "unit_weight_g", "standard_cost", "list_price", "allow_negative", "active")
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def before_import_row(self, row, **kwargs):
        for key in ("barcode", "brand", "length_mm", "unit_weight_g"):
            if key in row and (row[key] is None or str(row[key]).strip() == ""):
                row[key] = None
        if "barcode" in row and row["barcode"] is not None:
            row["barcode"] = str(row["barcode"]).strip().removesuffix(".0")
        if not row.get("barcode_kind"):
            row["barcode_kind"] = "ean13" if row.get("barcode") and str(row["barcode"]).isdigit() else "code128"
