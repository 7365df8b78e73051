"""Pages through their real URLs, with users of the right roles; access and query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from performance import services
from performance.choices import ScorecardStatusChoices as S
from performance.models import Adjustment, KPIValue, Scorecard
from tests.factories.performance import KPIFactory, month, only_test_kpis, person, team
from tests.pdffonts import assert_all_embedded
from tests.performance.fake_selectors import ROWS, row

pytestmark = pytest.mark.django_db
D = Decimal
TZ = timezone.get_default_timezone()


def at(day):
    return datetime.datetime(2026, 10, day, 10, tzinfo=TZ)


@pytest.fixture
def world():
    kpi = KPIFactory(code="t_view", name_en="On-time follow-ups", target=D("90"))
    only_test_kpis("sales_rep", [(kpi, 100)])
    dept, boss, people = team(n=3)
    for i, p in enumerate(people):
        ROWS[p.username] = [row(at(2 + j), j <= i, n=100 * i + j, label=f"Task of {p.username}") for j in range(4)]
    period = month()
    services.compute_period(period, actor=boss)
    return period, boss, people, kpi


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_employee_sees_own_scorecard_not_anothers(client, world):
    period, boss, (a, b, c), kpi = world
    login(client, a)
    own = Scorecard.objects.get(employee=a)
    r = client.get(reverse("performance:scorecard", args=[own.pk]))
    assert r.status_code == 200 and "On-time follow-ups" in r.text
    theirs = Scorecard.objects.get(employee=b)
    assert client.get(reverse("performance:scorecard", args=[theirs.pk])).status_code == 404
    value = KPIValue.objects.get(scorecard=theirs)
    assert client.get(reverse("performance:evidence", args=[theirs.pk, value.pk])).status_code == 404
    assert client.get(reverse("performance:scorecard_pdf", args=[theirs.pk])).status_code == 404
    r = client.get(reverse("performance:me"))
    assert r.status_code == 200 and "25" in r.text  # 1 of 4 on time
    assert client.get(reverse("performance:dashboard")).status_code == 403
    assert client.get(reverse("performance:period_list")).status_code == 403


def test_drill_down_lists_the_records_and_why(client, world):
    period, boss, (a, b, c), kpi = world
    login(client, boss)
    sc = Scorecard.objects.get(employee=b)
    value = KPIValue.objects.get(scorecard=sc)
    r = client.get(reverse("performance:evidence", args=[sc.pk, value.pk]))
    assert r.status_code == 200
    assert [f"Task of {b.username} {n}" in r.text for n in (100, 101, 102, 103)] == [True] * 4
    r = client.get(reverse("performance:evidence", args=[sc.pk, value.pk]) + "?only=not_ok")
    assert f"Task of {b.username} 102" in r.text and f"Task of {b.username} 100" not in r.text
    r = client.get(reverse("performance:evidence", args=[sc.pk, value.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in r.text and "evidence-list" in r.text


def test_manager_adjusts_with_reason_shares_and_closes(client, world):
    period, boss, (a, b, c), kpi = world
    sc = Scorecard.objects.get(employee=a)
    url = reverse("performance:scorecard", args=[sc.pk])
    login(client, boss)
    r = client.post(url, {"action": "adjust", "points": "5", "reason": ""})
    assert r.status_code == 400 and "An adjustment needs a reason." in r.text
    assert not Adjustment.objects.exists()
    r = client.post(url, {"action": "adjust", "points": "5", "reason": "Helped at the trade fair"})
    assert r.status_code == 302
    client.post(url, {"action": "transition", "to": S.SHARED})
    login(client, a)
    r = client.post(url, {"action": "transition", "to": S.ACKNOWLEDGED, "note": "OK"}, follow=True)
    assert "Acknowledged" in r.text
    login(client, boss)
    client.post(url, {"action": "transition", "to": S.CLOSED})
    sc.refresh_from_db()
    assert (sc.status, sc.final_score) == (S.CLOSED, D("25.00"))  # 1 of 4 on time: 20 points, +5
    r = client.post(url, {"action": "adjust", "points": "5", "reason": "again"}, follow=True)
    assert "This scorecard is closed and can no longer be changed." in r.text
    sc.refresh_from_db()
    assert sc.final_score == D("25.00")


def test_period_settings_refuse_weights_not_100(client, world):
    period, boss, people, kpi = world
    login(client, boss)
    s = period.kpis.get(kpi=kpi, role="sales_rep")
    url = reverse("performance:period_settings", args=[period.pk]) + "?role=sales_rep"
    r = client.post(url, {"role": "sales_rep", f"k{s.pk}-target": "80", f"k{s.pk}-weight": "90",
                          f"k{s.pk}-bands": "100:100, 0:10"})
    assert r.status_code == 400 and "they must add up to 100%" in r.text
    r = client.post(url, {"role": "sales_rep", f"k{s.pk}-target": "80", f"k{s.pk}-weight": "100",
                          f"k{s.pk}-bands": "100 100"})
    assert r.status_code == 400 and "achievement:score" in r.text
    r = client.post(url, {"role": "sales_rep", f"k{s.pk}-target": "80", f"k{s.pk}-weight": "100",
                          f"k{s.pk}-bands": "100:100, 50:60, 0:10"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.target, s.bands) == (D("80.00"), [[100, 100], [50, 60], [0, 10]])


def test_compute_button_and_closed_period(client, world, django_capture_on_commit_callbacks):
    period, boss, people, kpi = world
    login(client, boss)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("performance:period_compute", args=[period.pk]), follow=True)
    assert r.status_code == 200 and period.runs.count() == 2
    period.status = "closed"
    period.save()
    r = client.post(reverse("performance:period_compute", args=[period.pk]), follow=True)
    assert "is closed" in r.text and period.runs.count() == 2


def test_exports(client, world):
    period, boss, people, kpi = world
    gm = person("general_manager", username="gm-x")
    login(client, gm)
    r = client.get(reverse("performance:period", args=[period.pk]) + "?_export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert "On-time follow-ups (per cent)" in header
    assert ws.max_row == 1 + Scorecard.objects.filter(period=period).count()
    period.status = "closed"  # payroll exports only closed periods (test_closing covers the refusal)
    period.save()
    r = client.get(reverse("performance:payroll_export", args=[period.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    r = client.get(reverse("performance:scorecard_pdf", args=[Scorecard.objects.get(employee=people[0]).pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert_all_embedded(r.content, "scorecard")
    r = client.get(reverse("performance:dashboard") + f"?period={period.pk}&_export=xlsx")
    assert r.status_code == 200


def test_pages_open_for_a_reviewer(client, world):
    period, boss, people, kpi = world
    login(client, boss)
    for name, args in [("performance:index", []), ("performance:me", []), ("performance:scorecard_list", []),
                       ("performance:period_list", []), ("performance:period", [period.pk]),
                       ("performance:period_settings", [period.pk]), ("performance:dashboard", []),
                       ("performance:recognition", []), ("performance:kpi_list", []),
                       ("performance:tier_list", [])]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_query_counts_do_not_grow_with_people(client, django_assert_max_num_queries):
    kpi = KPIFactory(code="t_q", target=D("90"))
    only_test_kpis("sales_rep", [(kpi, 100)])
    dept, boss, people = team(n=30, dept_code="big")
    for i, p in enumerate(people):
        ROWS[p.username] = [row(at(2), i % 2 == 0, n=i)]
    period = month()
    services.compute_period(period)
    gm = person("general_manager", username="gm-q")
    login(client, gm)
    for url in (reverse("performance:scorecard_list"), reverse("performance:period", args=[period.pk]),
                reverse("performance:dashboard") + f"?period={period.pk}",
                reverse("performance:recognition") + f"?period={period.pk}"):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200


def test_bonus_tiers_and_recognition(client, world):
    period, boss, people, kpi = world
    gm = person("general_manager", username="gm-t")
    login(client, gm)
    r = client.post(reverse("performance:tier_create"), {"name_zh": "杰出", "name_en": "Star", "min_score": "95",
                                                         "bonus": "3000", "points": "150"})
    assert "Bonus tier with this From score already exists." in r.text  # the migration's "Outstanding" tier
    r = client.post(reverse("performance:tier_create"), {"name_zh": "杰出", "name_en": "Star", "min_score": "99",
                                                         "bonus": "3000", "points": "150"})
    assert r.status_code == 302
    login(client, people[0])
    assert client.get(reverse("performance:tier_create")).status_code == 403
    r = client.get(reverse("performance:recognition") + f"?period={period.pk}")
    names = [p.get_full_name() for p in people]
    # the top three of the department, best first: 3/4 on time (70 points), then 1/4 and 2/4 (20 points each,
    # by user name); the manager has no data and is not listed
    body = r.text[r.text.index('data-testid="recognition"'):]
    assert body.index(names[2]) < body.index(names[0]) < body.index(names[1])
    assert boss.get_full_name() not in body
