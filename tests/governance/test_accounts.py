"""Account security: the confidentiality agreement gate, two-factor sign-in (TOTP) and "My sessions"."""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import accounts
from governance.models import AgreementAcceptance, AgreementVersion, SecurityEvent, UserSession

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery-9"  # noqa: S105


def publish(number="2026-1", actor=None):
    version = AgreementVersion.objects.create(version=number, title_zh="保密协议", title_en="Confidentiality agreement",
                                              body_zh=f"员工应当保守公司商业秘密 {number}。",
                                              body_en=f"Employees keep the company's trade secrets {number}.")
    return accounts.publish_agreement(version, actor=actor)


def code_for(device, offset=0):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


def unthrottle(device):
    """Forget earlier failures (each failure makes the next try wait 1, 2, 4 … seconds)."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()


def sign_in(user, **extra):
    """A client signed in through the sign-in page (as a browser would)."""
    client = Client(**extra)
    r = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:500]
    return client


@pytest.fixture
def rep(make_user):
    user = make_user("sales_rep", username="rep_gate")
    user.set_password(PASSWORD)
    user.save()
    return user


# --- confidentiality agreement -------------------------------------------------------------------------------

def test_nothing_is_gated_while_no_version_is_published(rep):
    client = sign_in(rep)
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("crm:customer_list")).status_code == 200
    r = client.get(reverse("account:agreement"))
    assert r.status_code == 200 and "No confidentiality agreement has been published" in r.content.decode()


def test_gate_sends_every_page_to_the_agreement_until_accepted(rep):
    publish()
    client = sign_in(rep, REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox/140 test")
    agreement = reverse("account:agreement")
    # typing any address (GET or POST, htmx too) lands on the agreement, not on the page
    r = client.get(reverse("crm:customer_list") + "?q=x")
    assert r.status_code == 302 and r["Location"] == agreement + "?next=%2Fcrm%2Fcustomers%2F%3Fq%3Dx"
    assert client.get(reverse("core:home"))["Location"] == agreement
    assert client.post(reverse("core:notifications_read_all"))["Location"] == agreement
    r = client.get(reverse("core:notification_bell"), HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"].startswith(agreement)
    assert client.get(reverse("account:sessions"))["Location"].startswith(agreement)
    # the agreement itself, signing out and the health check stay open
    page = client.get(agreement)
    body = page.content.decode()
    assert page.status_code == 200 and "Employees keep the company&#x27;s trade secrets 2026-1." in body
    assert "员工应当保守公司商业秘密" in body  # the other language is on the page too
    assert 'data-testid="sidebar"' not in body  # the gate page shows no menu to wander off through
    assert client.get(reverse("healthz")).status_code in (200, 503)
    # accepting needs the box ticked
    version = AgreementVersion.objects.get()
    r = client.post(agreement, {"version": version.pk, "next": "/crm/customers/?q=x"})
    assert r.status_code == 400 and "Tick the box" in r.content.decode()
    assert not AgreementAcceptance.objects.exists()
    r = client.post(agreement, {"version": version.pk, "accept": "on", "next": "/crm/customers/?q=x"})
    assert r.status_code == 302 and r["Location"] == "/crm/customers/?q=x"
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.user, acceptance.version, acceptance.ip_address) == (rep, version, "10.1.2.3")
    assert acceptance.user_agent == "Firefox/140 test"
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.AGREEMENT_ACCEPTED, user=rep).exists()
    assert client.get(reverse("crm:customer_list")).status_code == 200
    r = client.get(agreement)
    assert "You accepted this version" in r.content.decode() and 'data-testid="sidebar"' in r.content.decode()


def test_offsite_next_is_not_followed(rep):
    publish()
    client = sign_in(rep)
    version = AgreementVersion.objects.get()
    r = client.post(reverse("account:agreement"), {"version": version.pk, "accept": "on",
                                                   "next": "https://evil.example/"})
    assert r["Location"] == reverse("core:home")


def test_a_new_version_asks_everyone_again(rep, make_user):
    first = publish("2026-1")
    client = sign_in(rep)
    accounts.accept_agreement(rep, first)
    assert client.get(reverse("core:home")).status_code == 200
    second = publish("2026-2")
    r = client.get(reverse("core:home"))
    assert r.status_code == 302 and r["Location"] == reverse("account:agreement")
    # accepting the old version (a page left open) is refused with a message, and nothing is recorded
    r = client.post(reverse("account:agreement"), {"version": first.pk, "accept": "on"}, follow=True)
    assert "A newer version of the agreement has been published" in r.content.decode()
    assert AgreementAcceptance.objects.filter(user=rep).count() == 1
    client.post(reverse("account:agreement"), {"version": second.pk, "accept": "on"})
    assert client.get(reverse("core:home")).status_code == 200
    assert list(AgreementAcceptance.objects.filter(user=rep).order_by("accepted_at")
                .values_list("version__version", flat=True)) == ["2026-1", "2026-2"]


def test_publishing_checks_and_freezes(make_user):
    gm = make_user("general_manager")
    draft = AgreementVersion.objects.create(version="d1", title_zh="协议", title_en="Agreement", body_zh="内容",
                                            body_en="")
    with pytest.raises(Exception, match="both languages"):
        accounts.publish_agreement(draft, actor=gm)
    draft.body_en = "Text"
    draft.save()
    accounts.publish_agreement(draft, actor=gm)
    with pytest.raises(Exception, match="already published"):
        accounts.publish_agreement(draft, actor=gm)
    draft.refresh_from_db()
    assert draft.published_by == gm and AgreementVersion.objects.current() == draft


def test_acceptances_are_append_only(rep):
    version = publish()
    acceptance = accounts.accept_agreement(rep, version)
    acceptance.ip_address = "1.2.3.4"
    with pytest.raises(Exception, match="append-only"):
        acceptance.save()
    with pytest.raises(Exception, match="append-only"):
        acceptance.delete()


def test_admin_publishes_a_version(client_as):
    client = client_as("general_manager", is_staff=True)
    url = reverse("admin:governance_agreementversion_add")
    r = client.post(url, {"version": "2027-1", "title_zh": "保密协议", "title_en": "Agreement",
                          "body_zh": "保守秘密。", "body_en": "Keep secrets."})
    assert r.status_code == 302
    version = AgreementVersion.objects.get()
    assert version.created_by == client.user and not version.is_published
    r = client.post(reverse("admin:governance_agreementversion_changelist"),
                    {"action": "publish_selected", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert version.is_published and version.published_by == client.user
    # the publisher is asked too
    assert client.get(reverse("core:home"))["Location"] == reverse("account:agreement")


def test_hr_list_of_acceptances_with_search_and_export(client_as, make_user, rep):
    version = publish()
    other = make_user("warehouse_clerk", username="clerk_gate", first_name="陈强")
    accounts.accept_agreement(rep, version)
    client = client_as("general_manager")
    accounts.accept_agreement(client.user, version)
    r = client.get(reverse("governance:agreementacceptance_list"))
    assert r.status_code == 200
    assert {row.record.user.username for row in r.context["table"].rows} == {"rep_gate", client.user.username}
    status = r.context["agreement"]
    assert status["version"] == version and status["accepted"] == 2
    assert other in status["pending_users"]
    r = client.get(reverse("governance:agreementacceptance_list"), {"q": "rep_gate"})
    assert [row.record.user for row in r.context["table"].rows] == [rep]
    r = client.get(reverse("governance:agreementacceptance_list"), {"_export": "csv"})
    assert r.status_code == 200 and "rep_gate" in r.content.decode() and "2026-1" in r.content.decode()
    nosy = client_as("sales_rep", username="nosy")
    accounts.accept_agreement(nosy.user, version)
    assert nosy.get(reverse("governance:agreementacceptance_list")).status_code == 403


# --- two-factor sign-in --------------------------------------------------------------------------------------

def test_enrol_with_qr_then_verify_at_next_sign_in(rep):
    client = sign_in(rep)
    r = client.get(reverse("account:otp_setup"))
    assert r.status_code == 200 and 'data-testid="otp-qr"' in r.content.decode()
    device = TOTPDevice.objects.get(user=rep, confirmed=False)
    assert "otpauth://totp/" in device.config_url and r.context["secret"]
    r = client.post(reverse("account:otp_setup"), {"action": "confirm", "token": "000000"})
    assert r.status_code == 400 and "wrong or has expired" in r.content.decode()
    r = client.post(reverse("account:otp_setup"), {"action": "confirm", "token": code_for(device)})
    assert r.status_code == 400 and "Too many wrong codes" in r.content.decode()  # throttled after a failure
    unthrottle(device)
    r = client.post(reverse("account:otp_setup"), {"action": "confirm", "token": code_for(device)})
    assert r.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_ENABLED, user=rep).exists()
    assert client.get(reverse("core:home")).status_code == 200  # verified in this session by enrolling

    # a new sign-in stops after the password until the code is given
    later = sign_in(rep)
    r = later.get(reverse("crm:customer_list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("account:otp_verify"))
    r = later.post(reverse("account:otp_verify"), {"token": "123456"})
    assert r.status_code == 400 and SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_FAILED).exists()
    unthrottle(device)
    r = later.post(reverse("account:otp_verify"), {"token": code_for(device, 1), "next": "/crm/customers/"})
    assert r.status_code == 302 and r["Location"] == "/crm/customers/"
    assert later.get(reverse("crm:customer_list")).status_code == 200


def test_otp_required_for_managers_when_enforced(settings, make_user):
    settings.OTP_ENFORCE = True
    manager = make_user("sales_manager", username="mgr_otp")
    manager.set_password(PASSWORD)
    manager.save()
    client = sign_in(manager)
    r = client.get(reverse("crm:customer_list"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("account:otp_setup"))
    assert client.get(reverse("account:sessions"))["Location"].startswith(reverse("account:otp_setup"))
    r = client.get(reverse("account:otp_setup"))
    assert r.status_code == 200 and 'data-testid="otp-required"' in r.content.decode()
    device = TOTPDevice.objects.get(user=manager)
    r = client.post(reverse("account:otp_setup"), {"action": "confirm", "token": code_for(device)})
    assert r["Location"] == reverse("core:home")  # set up at the sign-in step: on into the system
    assert client.get(reverse("crm:customer_list")).status_code == 200
    # a required device cannot be switched off
    r = client.post(reverse("account:otp_setup"), {"action": "disable", "token": code_for(device)}, follow=True)
    assert "cannot be turned off" in r.content.decode() and TOTPDevice.objects.filter(user=manager).exists()
    # a rep is not asked
    rep = make_user("sales_rep", username="rep_free")
    rep.set_password(PASSWORD)
    rep.save()
    assert sign_in(rep).get(reverse("crm:customer_list")).status_code == 200


def test_optional_device_can_be_turned_off_with_a_code(rep):
    client = sign_in(rep)
    client.get(reverse("account:otp_setup"))
    device = TOTPDevice.objects.get(user=rep)
    client.post(reverse("account:otp_setup"), {"action": "confirm", "token": code_for(device)})
    device.refresh_from_db()
    device.last_t = -1  # the same time step may be used again in this test
    device.save()
    r = client.post(reverse("account:otp_setup"), {"action": "disable", "token": "12"})
    assert r.status_code == 400 and "6 digits" in r.content.decode()
    client.post(reverse("account:otp_setup"), {"action": "disable", "token": code_for(device)})
    assert not TOTPDevice.objects.filter(user=rep).exists()
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.OTP_DISABLED, user=rep).exists()
    assert sign_in(rep).get(reverse("core:home")).status_code == 200


def test_turning_off_while_the_code_is_asked_does_not_lock_the_user_out(rep):
    """At sign-in the two-factor set-up page stays open; turning the device off there (with a code) lets the
    user in instead of leaving them at a verification step with no device."""
    TOTPDevice.objects.create(user=rep, name="phone", confirmed=True)
    device = TOTPDevice.objects.get(user=rep)
    client = sign_in(rep)
    r = client.get(reverse("account:otp_setup"))
    assert r.status_code == 200 and 'data-testid="sidebar"' not in r.content.decode()
    client.post(reverse("account:otp_setup"), {"action": "disable", "token": code_for(device)})
    assert client.get(reverse("core:home")).status_code == 200


# --- my sessions ---------------------------------------------------------------------------------------------

def test_my_sessions_lists_and_ends_another_client(rep):
    office = sign_in(rep, REMOTE_ADDR="10.0.0.5", HTTP_USER_AGENT="Office PC Chrome")
    phone = sign_in(rep, REMOTE_ADDR="10.0.0.9", HTTP_USER_AGENT="Phone Safari")
    assert phone.get(reverse("core:home")).status_code == 200
    r = office.get(reverse("account:sessions"))
    sessions = r.context["sessions"]
    assert [(s.is_current, s.user_agent, s.ip_address) for s in sessions] == [
        (True, "Office PC Chrome", "10.0.0.5"), (False, "Phone Safari", "10.0.0.9")]
    # another user's session cannot be ended through this page
    stranger = sign_in(rep.__class__.objects.create_user("stranger", password=PASSWORD))
    foreign = UserSession.objects.get(user__username="stranger")
    office.post(reverse("account:sessions"), {"session": foreign.pk})
    assert stranger.get(reverse("core:home")).status_code == 200
    # ending the phone's session signs the phone out
    office.post(reverse("account:sessions"), {"session": sessions[1].pk})
    r = phone.get(reverse("core:home"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    assert office.get(reverse("core:home")).status_code == 200
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.SESSIONS_ENDED, user=rep).exists()
    assert [s.user_agent for s in office.get(reverse("account:sessions")).context["sessions"]] == ["Office PC Chrome"]


def test_sign_out_everywhere_else(rep):
    here = sign_in(rep)
    others = [sign_in(rep) for _ in range(2)]
    r = here.post(reverse("account:sessions"), {"all": "1"}, follow=True)
    assert "Signed out of 2 other sessions." in r.content.decode()
    for client in others:
        assert client.get(reverse("core:home")).status_code == 302
    assert here.get(reverse("core:home")).status_code == 200
    assert UserSession.objects.filter(user=rep).count() == 1


def test_sign_out_forgets_the_session_and_last_seen_is_refreshed(rep):
    client = sign_in(rep)
    row = UserSession.objects.get(user=rep)
    session = client.session
    session[accounts.SEEN_SESSION_KEY] = time.time() - 3600
    session.save()
    client.get(reverse("core:home"))
    row2 = UserSession.objects.get(user=rep)
    assert row2.last_seen > row.last_seen
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=rep).exists()


def test_hr_list_query_count_does_not_grow_with_rows(client_as, make_user):
    version = publish()
    client = client_as("general_manager")
    accounts.accept_agreement(client.user, version)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("governance:agreementacceptance_list")).status_code == 200
        return len(ctx.captured_queries)

    for i in range(5):
        accounts.accept_agreement(make_user("sales_rep", username=f"few{i}"), version)
    few = count()
    for i in range(60):
        accounts.accept_agreement(make_user("warehouse_clerk", username=f"many{i}"), version)
    assert count() <= few


def test_gate_costs_no_query_once_settled(rep):
    client = sign_in(rep)
    version = publish()
    client.post(reverse("account:agreement"), {"version": version.pk, "accept": "on"})
    client.get(reverse("core:notifications"))
    cache.delete(accounts.CURRENT_AGREEMENT_CACHE_KEY)
    client.get(reverse("core:notifications"))
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("core:notifications"))
    assert ctx.captured_queries and not [q for q in ctx.captured_queries if "governance_" in q["sql"]]


class BrokenCache:
    """The cache server is down: every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_gate_works_with_the_cache_down(rep, monkeypatch):
    monkeypatch.setattr("hardware_erp.core.cache.cache", BrokenCache())
    client = sign_in(rep)
    assert client.get(reverse("core:home")).status_code == 200
    version = publish()  # clearing the cache fails quietly
    assert client.get(reverse("core:home"))["Location"] == reverse("account:agreement")
    client.post(reverse("account:agreement"), {"version": version.pk, "accept": "on"})
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize("agent,device", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome 131 · Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 · iPhone"),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36 "
     "MicroMessenger/8.0.49", "WeChat 8 · Android"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "Firefox 140 · Linux"),
    ("curl/8.5", ""),
])
def test_session_device_is_readable(agent, device):
    assert UserSession(user_agent=agent).device == device
