"""The texts of the floor pages' scan queue (static/js/scan.js), shared by inventory's and orders' scan pages."""

from django.utils.translation import gettext as _


def scan_texts(**extra) -> dict:
    """The queue's own messages plus a page's, translated now (the page passes them through json_script)."""
    return {"fail": _("Network error: the scan was not saved. Scan again."), "wait": _("Saving…"),
            **{k: str(v) for k, v in extra.items()}}
