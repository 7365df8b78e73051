#!/usr/bin/env python3
"""Fill empty msgstr entries of a .po file from a JSON object {msgid: msgstr}.

    python scripts/po_fill.py crm/locale/zh_Hans/LC_MESSAGES/django.po crm-zh.json
    python scripts/po_fill.py FILE.po --missing      # list msgids still untranslated

Entries with a context (pgettext) are keyed "context\u0004msgid" in the JSON and listed so by --missing.
Works on catalogues written by `manage.py appmessages` (no line wrapping). Plural entries take
a list of forms in the JSON. Clears the fuzzy flag of filled entries. Then run appmessages again
(or msgfmt) to compile.
"""

import json
import re
import sys


def unquote(s):
    return json.loads(s)


def quote(s):
    return json.dumps(s, ensure_ascii=False)


def main(po_path, json_path=None):
    text = open(po_path, encoding="utf-8").read()
    blocks = text.split("\n\n")
    table = json.load(open(json_path, encoding="utf-8")) if json_path and json_path != "--missing" else {}
    missing = []
    out = []
    for block in blocks:
        m_id = re.search(r'^msgid (".*")$', block, re.M)
        if not m_id or unquote(m_id.group(1)) == "":
            out.append(block)
            continue
        msgid = unquote(m_id.group(1))
        m_ctx = re.search(r'^msgctxt (".*")$', block, re.M)
        if m_ctx:  # entries with a context are keyed "context\u0004msgid" in the JSON (gettext's own notation)
            msgid = unquote(m_ctx.group(1)) + "\x04" + msgid
        plural = re.search(r'^msgid_plural (".*")$', block, re.M)
        if plural:
            filled = re.search(r'^msgstr\[0\] "(.+)"$', block, re.M)
            if msgid in table and (not filled or "#, fuzzy" in block):
                forms = table[msgid] if isinstance(table[msgid], list) else [table[msgid]]
                block = re.sub(r'^msgstr\[0\] ".*"$', "msgstr[0] " + quote(forms[0]), block, flags=re.M)
                block = block.replace("#, fuzzy\n", "").replace(", fuzzy", "")
            elif not filled:
                missing.append(msgid)
        else:
            m_str = re.search(r'^msgstr (".*")$', block, re.M)
            current = unquote(m_str.group(1)) if m_str else ""
            if msgid in table and (current == "" or "#, fuzzy" in block):
                block = re.sub(r'^msgstr ".*"$', lambda _, s=table[msgid]: "msgstr " + quote(s), block, flags=re.M)
                block = block.replace("#, fuzzy\n", "").replace(", fuzzy", "")
                block = re.sub(r'^#\| msgid .*\n?', "", block, flags=re.M)
            elif current == "" or "#, fuzzy" in block:
                missing.append(msgid)
        out.append(block)
    if json_path and json_path != "--missing":
        open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
    for msgid in missing:
        print(quote(msgid))
    print(f"{len(missing)} untranslated", file=sys.stderr)
    return missing


if __name__ == "__main__":
    main(*sys.argv[1:])
