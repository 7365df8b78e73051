"""The catalogue: categories, brands, units, products and their units; warehouses and bin locations."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from stdnum import ean

from hardware_erp.core.models import BilingualNameModel, TimeStampedModel
from hardware_erp.core.money import PriceField, QuantityField

from ..choices import BarcodeKind

COST_PLACES = 4


def validate_ean13(value: str):
    if value and (len(value) != 13 or not ean.is_valid(value)):
        raise ValidationError(_("%(value)s is not a valid EAN-13 barcode (13 digits with a correct check digit)."),
                              params={"value": value}, code="ean13")


class Category(BilingualNameModel, TimeStampedModel):
    """A node of the category tree. `path` (ids of the ancestors and itself) finds a subtree in one query."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey("self", verbose_name=_("parent category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["path"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def clean(self):
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be placed under itself.")})
            node = node.parent

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else ''}{self.pk:06d}/"
        if path != self.path:
            self.path = path
            type(self).objects.filter(pk=self.pk).update(path=path)

    @property
    def depth(self) -> int:
        return self.path.count("/") - 1

    def subtree(self):
        return Category.objects.filter(path__startswith=self.path)


class Brand(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    country = models.CharField(_("country"), max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self):
        return self.name


class UnitOfMeasure(BilingualNameModel):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    is_weight = models.BooleanField(_("weight unit"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")


class ProductQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def by_code(self, code: str):
        """The product a scanned or typed code names: barcode, SKU, or a pack unit's barcode."""
        code = (code or "").strip()
        return self.filter(Q(barcode=code) | Q(sku__iexact=code))


INTERNAL_BARCODE_RE = r"^HW[0-9]{8}$"


def internal_barcode(pk: int) -> str:
    """The Code 128 a product gets when it has no barcode of its own (matches INTERNAL_BARCODE_RE)."""
    return f"HW{pk:08d}"


class Product(BilingualNameModel, TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=40, unique=True,
                           validators=[RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$",
                                                      _("Use letters, digits and . _ / - only."))])
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="products")
    brand = models.ForeignKey(Brand, verbose_name=_("brand"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="products")
    # specification attributes (searchable parameters)
    thread = models.CharField(_("thread"), max_length=20, blank=True, db_index=True, help_text=_("e.g. M8"))
    length_mm = models.DecimalField(_("length (mm)"), max_digits=8, decimal_places=1, null=True, blank=True)
    material = models.CharField(_("material"), max_length=60, blank=True, db_index=True)
    finish = models.CharField(_("finish"), max_length=60, blank=True)
    strength_grade = models.CharField(_("strength grade"), max_length=20, blank=True)
    standard = models.CharField(_("standard"), max_length=40, blank=True, db_index=True,
                                help_text=_("e.g. GB/T 5782, DIN 933"))
    specification = models.CharField(_("specification"), max_length=200, blank=True)
    equivalents = models.ManyToManyField("self", verbose_name=_("equivalent products"), blank=True, symmetrical=True)
    barcode = models.CharField(_("barcode"), max_length=40, unique=True, null=True, blank=True)
    barcode_kind = models.CharField(_("barcode type"), max_length=10, choices=BarcodeKind.choices,
                                    default=BarcodeKind.CODE128)
    base_unit = models.ForeignKey(UnitOfMeasure, verbose_name=_("base unit"), on_delete=models.PROTECT,
                                  related_name="+")
    unit_weight_g = models.DecimalField(_("unit weight (g)"), max_digits=12, decimal_places=3, null=True,
                                        blank=True, validators=[MinValueValidator(Decimal("0.001"))],
                                        help_text=_("Weight of one base unit, for counting by weight."))
    standard_cost = PriceField(_("standard cost"), validators=[MinValueValidator(0)])
    list_price = PriceField(_("list price"), validators=[MinValueValidator(0)],
                            help_text=_("Per base unit, before VAT, up to 4 decimals (¥0.0392 a screw)."))
    # what a VAT invoice needs (商品和服务税收分类编码 and its short name): a product without them cannot be invoiced
    tax_category_code = models.CharField(
        _("tax classification code"), max_length=19, blank=True,
        validators=[RegexValidator(r"^\d{19}$", _("The tax classification code has 19 digits."))],
        help_text=_("商品和服务税收分类编码, 19 digits, e.g. 1080422990000000000."))
    tax_short_name = models.CharField(
        _("tax short name"), max_length=40, blank=True,
        validators=[RegexValidator(r"^\*[^*]+\*$", _("Write the short name between asterisks, e.g. *金属制品*."))],
        help_text=_("The category's short name printed on the invoice, e.g. *金属制品*."))
    average_cost = models.DecimalField(_("moving average cost"), max_digits=16, decimal_places=COST_PLACES,
                                       default=Decimal("0"), editable=False)
    allow_negative = models.BooleanField(_("allow negative stock"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["average_cost"])

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [models.Index(fields=["active", "category"])]

    def __str__(self):
        return f"{self.sku} {self.name}"

    def get_absolute_url(self):
        return reverse("inventory:product", args=[self.pk])

    def clean(self):
        if self.barcode_kind == BarcodeKind.EAN13:
            if not self.barcode:
                raise ValidationError({"barcode": _("Enter the EAN-13 number, or choose an internal Code 128.")})
            validate_ean13(self.barcode)
        if self.barcode_kind == BarcodeKind.CODE128 and self.barcode and not self.barcode.isascii():
            raise ValidationError({"barcode": _("A Code 128 barcode holds ASCII characters only.")})

    def save(self, *args, **kwargs):
        if self.barcode == "":
            self.barcode = None
        super().save(*args, **kwargs)
        if not self.barcode:
            # an internal Code 128 when the product has no barcode of its own
            self.barcode, self.barcode_kind = internal_barcode(self.pk), BarcodeKind.CODE128
            type(self).objects.filter(pk=self.pk).update(barcode=self.barcode, barcode_kind=self.barcode_kind)

    @property
    def spec_line(self) -> str:
        size = self.thread + (f"×{self.length_mm.normalize():f}" if self.length_mm else "")
        parts = [size, self.material, self.strength_grade, self.finish, self.standard, self.specification]
        return " ".join(p for p in parts if p)


class ProductUnit(models.Model):
    """A unit a product is bought, sold or counted in: `factor` base units make one of it (box of 100 = 100)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="units", verbose_name=_("product"))
    unit = models.ForeignKey(UnitOfMeasure, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    factor = QuantityField(_("base units per unit"), validators=[MinValueValidator(Decimal("0.001"))])
    barcode = models.CharField(_("pack barcode"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("product unit")
        verbose_name_plural = _("product units")
        constraints = [models.UniqueConstraint(fields=["product", "unit"], name="productunit_once"),
                       models.CheckConstraint(condition=Q(factor__gt=0), name="productunit_factor_positive")]

    def __str__(self):
        return f"{self.unit} = {self.factor.normalize():f}"


class Warehouse(BilingualNameModel, TimeStampedModel):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return f"{self.code} {self.name}"


class Location(TimeStampedModel):
    """A bin location: aisle-rack-shelf code inside a warehouse."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="locations",
                                  verbose_name=_("warehouse"))
    code = models.CharField(_("code"), max_length=30,
                            validators=[RegexValidator(r"^[A-Z0-9]+(-[A-Z0-9]+)*$",
                                                       _("Use aisle-rack-shelf, e.g. A-01-03."))])
    description = models.CharField(_("description"), max_length=120, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse__code", "code"]
        verbose_name = _("bin location")
        verbose_name_plural = _("bin locations")
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_per_warehouse")]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code}"
