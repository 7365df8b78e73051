"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: scripts and style sheets from this site only, no
inline script, no event-handler attribute, no eval) holds on the key pages of every module, opened by the roles
that use them, in English and in Chinese, with their scripts exercised: htmx swaps, Tom Select pickers and the
live order lines, Chart.js charts, SortableJS boards, the scanner pages (zxing), the quiz timer.

Every `securitypolicyviolation` event (recorded on window by an init script, in every frame and after every
navigation) and every console message about the Content Security Policy fails the test, with the page and the
blocked thing named."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from .conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, (e.sample || "").slice(0, 80),
                     e.sourceFile + ":" + e.lineNumber].join(" | "));
}, true);
"""


def _first(model, **filters):
    obj = model.objects.filter(**filters).order_by("pk").first()
    assert obj is not None, f"the demo company has no {model.__name__} {filters or ''}"
    return obj.pk


def key_pages():
    """username -> [(path, exercise or None)]: the pages each role works on, objects taken from the demo company."""
    from crm.models import Customer
    from governance.models import ChangeRequest
    from inventory.models import Product, PurchaseOrder, Stocktake, Supplier
    from orders.models import Payment, SalesOrder, Shipment
    from performance.models import Scorecard
    from support.models import Incident, Ticket
    from training.models import Course, Lesson

    customer = _first(Customer, owner__username="rep1")
    order = _first(SalesOrder, status="submitted")
    product = Product.objects.filter(active=True).order_by("pk").first()
    order_entry.typed = (Customer.objects.get(pk=customer).name[:2], product.sku)
    return {
        "rep1": [
            ("/", None), ("/crm/customers/", search), (f"/crm/customers/{customer}/", None),
            ("/crm/opportunities/board/", drag_card), ("/crm/tasks/", None),
            ("/orders/new/", order_entry), ("/orders/list/", search),
            (f"/orders/{_first(SalesOrder, salesperson__username='rep1')}/", None),
            ("/support/tickets/new/", None), ("/training/my/", None), ("/performance/me/", None),
            ("/notifications/", None), (f"/training/quizzes/{open_quiz('rep1')}/", quiz_timer),
        ],
        "salesmgr": [
            ("/crm/reports/", None), ("/orders/analytics/", None), ("/orders/review/", None),
            (f"/orders/{order}/", None), ("/performance/dashboard/", None),
            (f"/performance/scorecards/{_first(Scorecard, employee__username='rep1')}/", None),
            ("/governance/changes/", None),
            (f"/governance/changes/{_first(ChangeRequest)}/", None),
        ],
        "whmgr": [
            ("/inventory/", None), ("/inventory/stock/", search), ("/inventory/movements/receipt/", product_picker),
            ("/inventory/movements/issue/", None), ("/inventory/stocktakes/", None),
            (f"/inventory/stocktakes/{_first(Stocktake, status='counting')}/count/", scan_unknown),
            ("/inventory/purchase-orders/", None), (f"/inventory/purchase-orders/{_first(PurchaseOrder)}/", None),
            (f"/inventory/suppliers/{_first(Supplier)}/", None), ("/inventory/products/", search),
            (f"/inventory/products/{product.pk}/", None),
            ("/inventory/alerts/", None), ("/inventory/reports/valuation/", None),
        ],
        "clerk": [
            ("/orders/picking/", None), (f"/orders/{order}/pick/", scan_unknown), ("/inventory/scan/stock/", None),
            ("/orders/shipments/", None), (f"/orders/shipments/{_first(Shipment)}/", None),
        ],
        "finance": [
            ("/orders/payments/", None), ("/orders/payments/new/", None),
            (f"/orders/payments/{_first(Payment)}/", None), ("/orders/receivables/", None),
        ],
        "trainer": [
            ("/training/", None), ("/training/courses/", None), (f"/training/courses/{_first(Course)}/", None),
            (f"/training/lessons/{_first(Lesson)}/", None), ("/training/sessions/", None),
            ("/training/library/", None),
        ],
        "itadmin": [
            ("/support/", None), ("/support/tickets/", None), (f"/support/tickets/{_first(Ticket)}/", None),
            ("/support/incidents/", None), (f"/support/incidents/{_first(Incident)}/", None),
            ("/support/reports/", None), ("/support/calendar/", None), ("/support/status/", None),
            ("/governance/", None), ("/governance/users/", None), ("/governance/security-log/", None),
            ("/governance/backups/", None), ("/admin/", None),
            ("/admin/support/ticket/", None),
        ],
        "gm": [
            ("/", None), ("/performance/", None), ("/governance/agreements/", None), ("/people/", None),
            ("/company/", None), ("/governance/quality/", None),
        ],
        "purchaser": [("/inventory/purchase-orders/new/", product_picker), ("/inventory/suggestions/", None)],
    }


def open_quiz(username):
    """A timed quiz the user may start (or go on with): not passed, attempts left."""
    from django.contrib.auth import get_user_model

    from training.models import Course, Quiz

    user = get_user_model().objects.get(username=username)
    for quiz in Quiz.objects.filter(time_limit_minutes__gt=0, lesson__course__in=Course.objects.for_user(user)) \
            .order_by("pk"):
        mine = quiz.attempts.filter(user=user)
        if not mine.filter(passed=True).exists() and mine.count() < quiz.max_attempts:
            return quiz.pk
    raise AssertionError(f"the demo company has no timed quiz {username} may take")


# what a person does on a page, so that its scripts run (htmx swaps, pickers, drag and drop, the scanner)
def search(page):
    box = page.locator("form.filter-bar input[type=search]").first
    if box.count():
        box.type("a")
        page.wait_for_timeout(600)  # the filter bar's debounce, then the htmx swap
        page.wait_for_load_state("networkidle")


def order_entry(page):
    customer, sku = order_entry.typed
    page.locator("[data-testid=choose-customer] .ts-control").click()
    page.keyboard.type(customer)
    page.wait_for_selector(".ts-dropdown .option >> visible=true")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")  # the customer's defaults; the product picker of line 1 has the focus
    for attempt in range(3):  # on a busy machine the customer's defaults may arrive after networkidle and draw the
        # lines' pickers again, dropping what was typed into the old one: type it again into the new one
        page.locator("[name=lines-0-product] + .ts-wrapper .ts-control").click()
        page.keyboard.press("Control+a")
        page.keyboard.type(sku)
        try:
            page.wait_for_selector(".ts-dropdown .option >> visible=true", timeout=10_000 if attempt < 2 else 30_000)
            break
        except PlaywrightError:
            if attempt == 2:
                raise
            page.wait_for_load_state("networkidle")
    page.keyboard.press("Enter")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)  # the live pricing's debounce
    page.wait_for_load_state("networkidle")


def product_picker(page):
    picker = page.locator(".ts-control").first
    picker.click()
    page.keyboard.type(order_entry.typed[1][:3])
    page.wait_for_selector(".ts-dropdown .option >> visible=true")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")




def quiz_timer(page):
    timer = page.locator("#quiz-timer span")
    first = timer.inner_text(timeout=5000)
    page.wait_for_function("t => document.querySelector('#quiz-timer span').textContent !== t", arg=first)
    # an answer ticked; the attempt stays open for the other language
    page.locator("main input[name^=q]:is([type=radio], [type=checkbox])").first.check()


def drag_card(page):
    cards = page.locator("[data-stage] [data-pk], .board-card")
    columns = page.locator("[data-stage]")
    if cards.count() and columns.count() > 1:
        cards.first.drag_to(columns.nth(1))
        page.wait_for_load_state("networkidle")


def scan_unknown(page):
    box = page.get_by_test_id("scan-input")
    if box.count():
        box.type("0000000000000")
        box.press("Enter")
        page.wait_for_load_state("networkidle")


def test_key_pages_keep_the_content_security_policy(new_page, demo_company):
    pages = key_pages()
    violations, problems = [], []
    for locale, (username, paths) in [(locale, item) for locale in ("en-US", "zh-CN") for item in pages.items()]:
        page = new_page(locale=locale)
        page.add_init_script(RECORD)
        console = []
        page.on("console", lambda msg, c=console: c.append(msg.text) if "Content Security Policy" in msg.text
                else None)
        page.on("pageerror", lambda exc, c=console: c.append(f"uncaught: {exc}") if "eval" in str(exc) else None)
        page.goto(page.base + "/accounts/login/")  # the sign-in page, before anyone signs in
        violations += [f"{locale} sign-in page: {v}" for v in page.evaluate("() => window.__csp || []")]
        login(page, username)
        for path, exercise in paths:
            where = f"{locale} {username} {path}"
            response = page.goto(page.base + path)
            if response is None or response.status >= 400 \
                    or "script-src 'self'" not in (response.headers.get("content-security-policy") or ""):
                problems.append(f"{where}: status {response and response.status}, or no CSP header")
                continue
            page.wait_for_load_state("networkidle")
            if exercise:
                try:
                    exercise(page)
                except PlaywrightError as exc:  # the page's script did not do its work: that is a finding too
                    problems.append(f"{where}: {exercise.__name__} failed: {str(exc).splitlines()[0]}")
            violations += [f"{where}: {v}" for v in page.evaluate("() => window.__csp || []")]
            violations += [f"{where}: console: {text}" for text in console]
            console.clear()
        if locale == "zh-CN":
            shot(page, f"csp-{username}-zh")
    assert not violations + problems, "\n".join(violations + problems)
