import phonenumbers
from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from hardware_erp.core.fields import EncryptedTextField, blind_index, digits_only, mask_phone, mask_tail
from hardware_erp.core.identifiers import CreditCodeField, TaxNumberField
from hardware_erp.core.models import TimeStampedModel
from hardware_erp.core.money import MoneyField
from hardware_erp.core.phones import PhoneField

from ..choices import (
    PROVINCE_CHOICES,
    CustomerEventKind,
    CustomerKindChoices,
    CustomerLevelChoices,
    CustomerSourceChoices,
    CustomerTypeChoices,
)
from ..pinyin import keys_text, pinyin_full, pinyin_initials, readings_text
from ..validators import normalize_credit_code, normalize_phone


class CustomerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(merged_into__isnull=True)

    def for_user(self, user):
        """What `user` may see: everything with crm.view_all_customers, else own and shared customers."""
        if not user.is_authenticated:
            return self.none()
        if user.has_perm("crm.view_all_customers"):
            return self.active()
        shared = Customer.shared_with.through.objects.filter(customer_id=OuterRef("pk"), user_id=user.pk)
        return self.active().filter(Q(owner_id=user.pk) | Exists(shared))


class Customer(TimeStampedModel):
    kind = models.CharField(_("company or individual"), max_length=12, choices=CustomerKindChoices.choices,
                            default=CustomerKindChoices.COMPANY)
    name = models.CharField(_("name"), max_length=200)
    customer_type = models.CharField(_("type"), max_length=12, choices=CustomerTypeChoices.choices,
                                     default=CustomerTypeChoices.RETAILER)
    level = models.CharField(pgettext_lazy("crm", "level"), max_length=4, choices=CustomerLevelChoices.choices,
                             default=CustomerLevelChoices.C)
    source = models.CharField(_("source"), max_length=12, choices=CustomerSourceChoices.choices,
                              default=CustomerSourceChoices.WALK_IN)
    province = models.CharField(_("province"), max_length=20, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = PhoneField(_("phone"), blank=True)
    phone_norm = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    wechat_id = models.CharField(_("shop WeChat ID"), max_length=60, blank=True,
                                 help_text=_("The shop's own WeChat account, where it takes orders."))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="owned_customers")
    shared_with = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("shared with"), blank=True,
                                         related_name="shared_customers")
    credit_limit = MoneyField(_("credit limit"))
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=0)
    prices_include_tax = models.BooleanField(
        _("prices include VAT"), default=True,
        help_text=_("Quote VAT-inclusive unit prices (含税单价); clear for customers quoted before VAT."))
    credit_code = CreditCodeField(_("unified social credit code"), blank=True, db_index=True)
    invoice_title = models.CharField(_("invoice title"), max_length=200, blank=True)
    tax_number = TaxNumberField(_("tax number"), blank=True, db_index=True,
                                help_text=_("The taxpayer number: usually the unified social credit code."))
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    bank_account_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    invoice_address = models.CharField(_("invoice address"), max_length=255, blank=True)
    invoice_phone = PhoneField(_("invoice phone"), blank=True, db_index=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separate tags with commas."))
    notes = models.TextField(_("notes"), blank=True)
    name_pinyin = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    name_initials = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    # every reading of polyphonic characters (朝阳: zhaoyang and chaoyang), see crm/pinyin.py; trigram-indexed
    name_readings = models.TextField(blank=True, editable=False)
    # the readings' initials (and a name's own letters' full pinyin): what the pickers' walk tests, index-only
    name_keys = models.TextField(blank=True, default="", editable=False)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True, db_index=True)
    # kept by the orders app (crm.services.set_last_order_dates): the date of the newest approved order
    last_order_date = models.DateField(_("last order"), null=True, blank=True, db_index=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="merged_customers")
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "name_readings", "name_keys",
                                                 "phone_norm", "bank_account_bidx", "last_contact_at",
                                                 "last_order_date"])

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_all_customers", _("Can see every customer")),
            ("reassign_customer", _("Can reassign customers to another rep")),
            ("merge_customer", _("Can merge duplicate customers")),
            ("import_customer", _("Can import customers and contacts")),
            ("export_customer", _("Can export customers and contacts")),
            ("view_sales_reports", _("Can see the sales reports")),
        ]
        indexes = [
            models.Index(fields=["owner", "name"], name="crm_customer_owner_name"),
            models.Index(fields=["province", "city"], name="crm_customer_region"),
            # for_user()/active() of every list, report and dashboard: customers not merged, index-only
            models.Index(fields=["id"], condition=Q(merged_into__isnull=True), name="crm_customer_active"),
            # the customer list's default order (name, pk): a page is read from the index, not sorted from all rows
            models.Index(fields=["name", "id"], condition=Q(merged_into__isnull=True), name="crm_customer_active_name"),
            # "not contacted for N days" counts from this index alone instead of reading every customer row
            models.Index(fields=["last_contact_at"], condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_contact"),
            # the list's sorts (crm/tables.py): each page read from its index in order, not every customer sorted
            models.Index(F("last_order_date").desc(nulls_last=True), "name", "id",
                         condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_lastord_d"),
            models.Index(F("last_order_date").asc(nulls_last=True), "name", "id",
                         condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_lastord_a"),
            models.Index(fields=["owner", "name", "id"], condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_owner"),
            models.Index(fields=["province", "city", "district", "name", "id"], condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_region"),
            models.Index(fields=["credit_limit", "name", "id"], condition=Q(merged_into__isnull=True),
                         name="crm_customer_active_credit"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("crm:customer", args=[self.pk])

    def refresh_search_fields(self, pinyin=None):
        """The stored search keys: pinyin of the name (the usual reading, and every reading in `name_readings`),
        normalised phone, blind index of the bank account. `manage.py rebuild_search_keys` refreshes old rows."""
        self.credit_code = normalize_credit_code(self.credit_code)
        self.name = " ".join((self.name or "").split())
        full, initials = pinyin or (pinyin_full(self.name), pinyin_initials(self.name))
        self.name_pinyin = full[:400]
        self.name_initials = initials[:200]
        self.name_readings = readings_text(self.name)
        self.name_keys = keys_text(self.name)
        self.phone_norm = normalize_phone(self.phone)
        self.bank_account_bidx = blind_index(self.bank_account, normalize=digits_only)

    def save(self, *args, **kwargs):
        self.refresh_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials", "name_readings", "name_keys",
                                       "phone_norm", "bank_account_bidx", "credit_code"}
        super().save(*args, **kwargs)

    @property
    def region(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district) if p)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]

    @property
    def bank_account_masked(self) -> str:
        return mask_tail(self.bank_account)

    def can_edit(self, user) -> bool:
        return user.has_perm("crm.change_customer") and Customer.objects.for_user(user).filter(pk=self.pk).exists()


class ContactQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(customer__in=Customer.objects.for_user(user))


class Contact(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    position = models.CharField(_("position"), max_length=60, blank=True)
    mobile = EncryptedTextField(_("mobile"), blank=True, help_text=_("Mainland 11-digit number or +country code."))
    mobile_bidx = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    landline = PhoneField(_("landline"), blank=True)
    email = models.EmailField(pgettext_lazy("crm", "e-mail"), blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    notes = models.CharField(_("notes"), max_length=255, blank=True)
    history = HistoricalRecords(excluded_fields=["mobile_bidx"])

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["-is_primary", "name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        permissions = [("view_contact_mobile", _("Can see contacts' full mobile numbers"))]

    def __str__(self):
        return f"{self.name} ({self.customer})" if self.customer_id else self.name

    def save(self, *args, **kwargs):
        self.mobile_bidx = mobile_index(self.mobile)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "mobile_bidx"}
        super().save(*args, **kwargs)

    def mobile_for(self, user) -> str:
        """The mobile as this user may see it: 138 1234 5678 (mainland) or +44 7911 123456, else masked."""
        if not self.mobile:
            return ""
        if not user.has_perm("crm.view_contact_mobile"):
            return mask_phone(self.mobile)
        return display_phone(self.mobile)


def display_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return value
    fmt = phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 86 else \
        phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, fmt)


def mobile_index(value: str) -> str:
    """The blind index of a phone number: the same for 138 1234 5678, 13812345678 and +8613812345678."""
    norm = normalize_phone(value)
    return blind_index(norm, normalize=digits_only) if norm else ""


class DeliveryAddress(TimeStampedModel):
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="addresses")
    label = models.CharField(_("label"), max_length=60, blank=True, help_text=_("e.g. warehouse, site 2"))
    recipient = models.CharField(pgettext_lazy("crm", "recipient"), max_length=60, blank=True)
    phone = PhoneField(_("phone"), blank=True)
    province = models.CharField(_("province"), max_length=20, choices=PROVINCE_CHOICES, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255)
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        ordering = ["-is_default", "pk"]
        verbose_name = _("delivery address")
        verbose_name_plural = _("delivery addresses")

    def __str__(self):
        return " ".join(p for p in (self.province, self.city, self.district, self.address) if p)


class CustomerEvent(models.Model):
    """Business events of a customer: creation, reassignment, sharing, merges, imports."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="events")
    kind = models.CharField(_("event"), max_length=12, choices=CustomerEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("crm", "by"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("crm", "from"), null=True,
                                  blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=pgettext_lazy("crm", "to"), null=True,
                                blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    other_customer = models.ForeignKey(Customer, verbose_name=_("other customer"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(pgettext_lazy("crm", "note"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("customer event")
        verbose_name_plural = _("customer events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.customer_id}"
