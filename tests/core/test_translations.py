"""The zh_Hans catalogues: complete, and one meaning per msgid across apps.

Django merges every catalogue into one table (LOCALE_PATHS first, then apps in INSTALLED_APPS order), so
when two apps translate the same context-free msgid differently only one translation is ever shown. A word
that means something else in one app ("Receipt": 入库 in inventory, 收款单 in orders) takes a pgettext
context named after that app.
"""

import json
import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.utils import translation

from hardware_erp.core.management.commands.appmessages import CATALOGUE_APPS

BASE = Path(settings.BASE_DIR)
CATALOGUES = {"core": BASE / "locale"} | {app: BASE / app / "locale" for app in CATALOGUE_APPS}


def entries(po: Path):
    """(context, msgid, msgstr, fuzzy) of each live entry of a catalogue written by appmessages."""
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        m_id = re.search(r'^msgid (".*")$', block, re.M)
        if not m_id or not json.loads(m_id.group(1)):
            continue
        ctx = re.search(r'^msgctxt (".*")$', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? (".*")$', block, re.M)
        yield (json.loads(ctx.group(1)) if ctx else None, json.loads(m_id.group(1)),
               json.loads(strs[0]) if strs else "", "#, fuzzy" in block)


def po_path(locale_dir):
    return locale_dir / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_catalogue_is_complete():
    missing = {name: [msgid for _, msgid, msgstr, fuzzy in entries(po_path(d)) if not msgstr or fuzzy]
               for name, d in CATALOGUES.items()}
    assert {k: v for k, v in missing.items() if v} == {}


def test_no_msgid_means_two_things():
    seen = defaultdict(dict)
    for name, d in CATALOGUES.items():
        for ctx, msgid, msgstr, _ in entries(po_path(d)):
            if ctx is None and msgstr:
                seen[msgid][name] = msgstr
    clashes = {msgid: by for msgid, by in seen.items() if len(set(by.values())) > 1}
    assert clashes == {}, "translate these the same everywhere, or give one app's use a pgettext context"


def test_an_apps_context_reaches_the_page_language():
    with translation.override("zh-hans"):
        assert translation.pgettext("support", "Name") == "名称"
        assert translation.pgettext("orders", "Receipt") != translation.gettext("Receipt")
