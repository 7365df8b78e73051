"""The one home of a Customer's editable fields: which fields, in which section, how wide on the form.

Everything else follows from `SECTIONS`: the form's fields and crispy layout (`crm.forms.CustomerForm`), the
fields the services accept (`crm.services.CUSTOMER_FIELDS`), the import/export columns
(`crm.resources.CustomerResource`). Adding a field: the model, one line here (docs/developing.md).
"""

from django.utils.translation import gettext_lazy as _

# (section title, ((field name, width in twelfths of a row), ...))
SECTIONS = (
    (_("Customer"), (
        ("kind", 3), ("name", 5), ("customer_type", 4),
        ("level", 3), ("source", 3), ("phone", 3), ("wechat_id", 3),
        ("province", 3), ("city", 3), ("district", 2), ("address", 4),
        ("tags", 12),
    )),
    (_("Credit and invoicing"), (
        ("credit_limit", 3), ("payment_terms_days", 3), ("credit_code", 6), ("prices_include_tax", 12),
        ("invoice_title", 6), ("tax_number", 6),
        ("bank_name", 6), ("bank_account", 6),
        ("invoice_address", 8), ("invoice_phone", 4),
        ("notes", 12),
    )),
)

FIELDS = tuple(name for _title, row in SECTIONS for name, _width in row)

# not in the import/export spreadsheet: the bank account is encrypted and entered on the page only
NOT_IMPORTED = ("bank_account",)
