"""Every page a role reaches from the menu (and the "New …" pages its lists offer) has no dead submit button: each
submit button belongs to a form (it sits inside one or names one with form=), and no form is nested in another
(the browser drops the inner <form> tag, so the inner button would send the outer form).

The pages are read as the server sends them, signed in as each demo role: a browser would silently repair the
nesting this test looks for, and rendering some 400 pages in Chromium costs minutes for nothing more.
"""

import re
from html.parser import HTMLParser

from hardware_erp.core.management.commands.seed_demo import DEMO_USERS

SKIP = (".pdf", ".xlsx", ".csv", "/logout/", "/accounts/", "/admin/", "export")
# attributes that make an untyped <button> a script's button rather than a forgotten submit button
SCRIPTED = ("data-bs-", "hx-", "onclick", "id", "data-action", "data-copy", "data-target")


class PageForms(HTMLParser):
    """The submit buttons outside any form, the nested forms, the menu's links and the "New …" links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form_ids = 0, set()
        self.buttons = []  # (html, in_form, form attribute)
        self.nested = []
        self.in_sidebar = self.in_main = 0
        self.menu, self.new_links = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":  # as the browser reads it: a <form> inside a form is dropped, its </form> closes the outer
            if self.forms:
                self.nested.append(a.get("action") or a.get("id") or "form")
            else:
                self.forms = 1
                if a.get("id"):
                    self.form_ids.add(a["id"])
        elif tag == "ul" and a.get("data-testid") == "sidebar":
            self.in_sidebar = 1
        elif tag == "ul" and self.in_sidebar:
            self.in_sidebar += 1
        elif tag == "main":
            self.in_main = 1
        elif tag == "a" and a.get("href"):
            if self.in_sidebar:
                self.menu.append(a["href"])
            elif self.in_main and re.search(r"/new/?(\?|$)", a["href"]):
                self.new_links.append(a["href"])
        if tag in ("button", "input"):
            kind = (a.get("type") or "").lower()
            submit = kind == "submit" or (tag == "input" and kind == "image") or (
                tag == "button" and not kind and not any(k.startswith(SCRIPTED) for k in a))
            if submit:
                html = "<{} {}>".format(tag, " ".join(f'{k}="{v}"' for k, v in attrs))[:160]
                self.buttons.append((html, self.forms > 0, a.get("form")))

    def handle_endtag(self, tag):
        if tag == "form":
            self.forms = 0
        elif tag == "ul" and self.in_sidebar:
            self.in_sidebar -= 1
        elif tag == "main":
            self.in_main = 0

    def dead_buttons(self):
        return [html for html, in_form, form in self.buttons if not in_form and form not in self.form_ids]


def read(client, url):
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return response.status_code, None
    page = PageForms()
    page.feed(response.content.decode())
    return 200, page


def _local(hrefs):
    return [h for h in dict.fromkeys(hrefs) if h.startswith("/") and not any(s in h for s in SKIP)]


def test_every_submit_button_is_in_a_form(client):
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    problems, refused, visited = [], [], 0
    one_per_role = {role: name for name, role, *_ in reversed(DEMO_USERS)}  # rep1 stands for both reps
    for username in dict.fromkeys([*one_per_role.values(), "whmgr"]):
        if username not in users:
            continue  # (a demo role this database does not have yet)
        client.force_login(users[username], backend="django.contrib.auth.backends.ModelBackend")
        read_once = {}
        _status, home = read(client, "/")
        assert home is not None, f"{username} cannot open the home page"
        modules = _local(home.menu)
        pages = list(modules)
        for url in modules:  # each module page shows its own sub-menu
            read_once[url] = read(client, url)
            pages += [u for u in _local(read_once[url][1].menu if read_once[url][1] else []) if u not in pages]
        seen, queue = set(), list(pages)
        while queue:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            status, page = read_once.get(url) or read(client, url)
            visited += 1
            if page is None:
                refused.append(f"{username} {url}: {status}")
                continue
            problems += [f"{username} {url}: submit button outside any form: {b}" for b in page.dead_buttons()]
            problems += [f"{username} {url}: a form nested in another ({f})" for f in page.nested]
            if url in pages:
                queue += [u for u in _local(page.new_links) if u not in seen]
        client.logout()
    print(f"\n{visited} pages read; links that refuse their role:\n  " + "\n  ".join(refused))  # noqa: T201
    assert visited > 100
    assert not problems, "\n".join(problems)
