"""The import workflow: parse an uploaded file, dry-run it (errors and duplicate warnings per row), then
import it in one transaction once the user confirms. Nothing is written by the preview."""

import uuid
from pathlib import Path

import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from hardware_erp.core.errors import BusinessRuleError

from .resources import ContactResource, CustomerResource
from .selectors import core_name, find_duplicates
from .validators import normalize_credit_code, normalize_mobile, normalize_phone

KINDS = {"customers": CustomerResource, "contacts": ContactResource}
UPLOAD_FOLDER = "crm-imports"
MAX_ROWS = 20000


def parse(content: bytes, filename: str) -> tablib.Dataset:
    """A dataset from .xlsx or .csv (UTF-8 or GBK, as Excel in China writes it); BusinessRuleError if unreadable."""
    name = filename.lower()
    try:
        if name.endswith(".xlsx"):
            data = tablib.Dataset().load(content, format="xlsx")
        elif name.endswith(".csv"):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise BusinessRuleError(_("The CSV file is neither UTF-8 nor GBK text."))
            data = tablib.Dataset().load(text, format="csv")
        else:
            raise BusinessRuleError(_("Upload an Excel (.xlsx) or CSV file."))
    except BusinessRuleError:
        raise
    except Exception:
        raise BusinessRuleError(_("The file could not be read as a spreadsheet. Start from the template."))
    if not data.headers:
        raise BusinessRuleError(_("The first row must hold the column names of the template."))
    data.headers = [str(h or "").strip() for h in data.headers]
    if data.height == 0:
        raise BusinessRuleError(_("The file has no rows under the column names."))
    if data.height > MAX_ROWS:
        raise BusinessRuleError(_("At most %(n)d rows per file.") % {"n": MAX_ROWS})
    return data


def check_columns(kind, data):
    resource = KINDS[kind]()
    known = {f.column_name for f in resource.get_import_fields()}
    unknown = [h for h in data.headers if h and h not in known]
    required = {"name"} if kind == "customers" else {"customer", "name"}
    missing = sorted(required - set(data.headers))
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": ", ".join(unknown)})
        raise BusinessRuleError(_("The columns do not match the template (%(what)s).") % {"what": "; ".join(parts)})


def _name(token: str, filename: str) -> str:
    return f"{UPLOAD_FOLDER}/{token}{Path(filename).suffix.lower()}"


def store(content: bytes, filename: str) -> str:
    """Keep the file between the preview and the confirmation, in the uploads' storage (object storage on several
    hosts: the confirmation may reach another web host than the preview)."""
    token = uuid.uuid4().hex
    default_storage.save(_name(token, filename), ContentFile(content))
    return token


def load(token: str, filename: str) -> bytes:
    if not token.isalnum() or not default_storage.exists(_name(token, filename)):
        raise BusinessRuleError(_("The uploaded file has expired; upload it again."))
    with default_storage.open(_name(token, filename), "rb") as fh:
        return fh.read()


def discard(token: str, filename: str):
    if token.isalnum() and default_storage.exists(_name(token, filename)):
        default_storage.delete(_name(token, filename))


def _messages(error) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{field}: {m}" if field != "__all__" else m for field, msgs in error.message_dict.items()
                for m in msgs]
    return [str(m) for m in getattr(error, "messages", [error])]


def preview(kind, data, *, actor) -> dict:
    """Dry run: every row with its status (ok, warning, error) and messages."""
    resource = KINDS[kind](actor=actor)
    result = resource.import_data(data, dry_run=True, raise_errors=False, use_transactions=True, actor=actor)
    rows = [{"number": i + 1, "values": dict(zip(data.headers, r, strict=False)), "errors": [], "warnings": []}
            for i, r in enumerate(data)]
    for invalid in result.invalid_rows:
        rows[invalid.number - 1]["errors"].extend(_messages(invalid.error))
    for number, errors in result.row_errors():
        for e in errors:
            rows[number - 1]["errors"].append(str(e.error))
    if kind == "customers":
        _duplicate_warnings(rows)
    for r in rows:
        r["status"] = "error" if r["errors"] else "warning" if r["warnings"] else "ok"
        r["label"] = r["values"].get("name") or ""
    return {"rows": rows, "errors": sum(1 for r in rows if r["errors"]),
            "warnings": sum(1 for r in rows if r["warnings"] and not r["errors"]),
            "ok": sum(1 for r in rows if r["status"] == "ok")}


def check(kind, data, *, actor, file_name: str = "") -> dict:
    """The preview of an uploaded file, recorded for the data quality page (rows checked, rows with errors)."""
    from governance.services import record_import

    result = preview(kind, data, actor=actor)
    record_import(actor=actor, model_label="crm.customer" if kind == "customers" else "crm.contact",
                  file_name=file_name, total_rows=len(result["rows"]), error_rows=result["errors"])
    return result


def _duplicate_warnings(rows):
    seen = {}
    for r in rows:
        if r["errors"]:
            continue
        v = r["values"]
        name, city = str(v.get("name") or "").strip(), str(v.get("city") or "").strip()
        code = normalize_credit_code(str(v.get("credit_code") or ""))
        phones = [str(v.get("phone") or ""), str(v.get("contact_mobile") or "")]
        for d in find_duplicates(name=name, city=city, credit_code=code, phones=phones, limit=3):
            r["warnings"].append(_("may already exist as %(name)s (%(why)s)") % {
                "name": d["customer"].name, "why": "; ".join(d["reasons"])})
        keys = [("code", code)] if code else []
        for p in phones:
            if p.strip():
                try:
                    keys.append(("phone", normalize_mobile(p)))
                except Exception:
                    keys.append(("phone", normalize_phone(p)))
        if name and city:
            keys.append(("name", core_name(name), city))
        for key in keys:
            if key in seen:
                r["warnings"].append(_("same as row %(n)d of this file") % {"n": seen[key]})
                break
        for key in keys:
            seen.setdefault(key, r["number"])


def run(kind, data, *, actor, include_warnings: bool) -> int:
    """Import for real, in one transaction; refuses when any row has an error. Returns the rows written."""
    check = preview(kind, data, actor=actor)
    if check["errors"]:
        raise BusinessRuleError(_("%(n)d rows have errors; correct the file and upload it again.") % {
            "n": check["errors"]})
    keep = [r["number"] - 1 for r in check["rows"] if include_warnings or not r["warnings"]]
    subset = tablib.Dataset(*[data[i] for i in keep], headers=data.headers)
    if not keep:
        return 0
    resource = KINDS[kind](actor=actor)
    result = resource.import_data(subset, dry_run=False, raise_errors=False, use_transactions=True,
                                  rollback_on_validation_errors=True, actor=actor)
    if result.has_errors() or result.has_validation_errors():
        raise BusinessRuleError(_("The import was refused and nothing was saved: the data changed since the "
                                  "preview. Upload the file again."))
    return len(keep)


def template(kind) -> tablib.Dataset:
    resource = KINDS[kind]()
    headers = [f.column_name for f in resource.get_export_fields()]
    data = tablib.Dataset(headers=headers)
    if kind == "customers":
        example = {"name": "张三五金店", "kind": "个人", "customer_type": "零售商", "level": "B · regular",
                   "source": "转介绍", "province": "浙江省", "city": "杭州市", "district": "西湖区",
                   "address": "文三路 88 号", "phone": "0571-88886666", "credit_limit": "20000",
                   "payment_terms_days": "30", "contact_name": "张三", "contact_position": "老板",
                   "contact_mobile": "13812345678"}
    else:
        example = {"customer": "张三五金店", "name": "李四", "position": "采购", "mobile": "13912345678",
                   "is_primary": "0"}
    data.append([example.get(h, "") for h in headers])
    return data
