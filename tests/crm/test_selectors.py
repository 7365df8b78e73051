import datetime

import pytest
from django.db import connection
from django.utils import timezone

from crm import selectors, services
from crm.models import Customer
from tests.factories.crm import ContactFactory, CustomerFactory, RecordFactory, TaskFactory, credit_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(make_user):
    return make_user("sales_rep")


def names(qs):
    return sorted(c.name for c in qs)


def test_search_by_pinyin_initials_full_pinyin_and_name(rep):
    CustomerFactory(owner=rep, name="张三五金")
    CustomerFactory(owner=rep, name="宏达建材有限公司")
    CustomerFactory(owner=rep, name="鑫源五金店")
    assert names(selectors.customer_search(rep, "zswj")) == ["张三五金"]
    assert names(selectors.customer_search(rep, "ZSWJ")) == ["张三五金"]
    assert names(selectors.customer_search(rep, "zhangsan")) == ["张三五金"]
    assert names(selectors.customer_search(rep, "hdjc")) == ["宏达建材有限公司"]
    assert names(selectors.customer_search(rep, "五金")) == ["张三五金", "鑫源五金店"]
    assert names(selectors.customer_search(rep, "wj")) == ["张三五金", "鑫源五金店"]


def test_search_by_phone_code_and_contact(rep):
    a = CustomerFactory(owner=rep, name="甲", phone="0571-8888 6666", credit_code=credit_code(11))
    b = CustomerFactory(owner=rep, name="乙")
    ContactFactory(customer=b, name="王小明", mobile="+8613912345678")
    assert names(selectors.customer_search(rep, "139 1234 5678")) == ["乙"]
    assert names(selectors.customer_search(rep, "13912345678")) == ["乙"]
    assert names(selectors.customer_search(rep, "057188886666")) == ["甲"]
    assert names(selectors.customer_search(rep, credit_code(11).lower())) == ["甲"]
    assert names(selectors.customer_search(rep, "小明")) == ["乙"]
    assert a.pk


def test_search_only_finds_visible_customers(rep, make_user):
    other = make_user("sales_rep")
    CustomerFactory(owner=other, name="张三五金")
    assert list(selectors.customer_search(rep, "zswj")) == []
    assert names(selectors.customer_search(make_user("sales_manager"), "zswj")) == ["张三五金"]


def test_find_duplicates_reasons(rep):
    c = CustomerFactory(owner=rep, name="张三五金店", city="杭州市", phone="13800001111", credit_code=credit_code(5))
    found = selectors.find_duplicates(name="张三五金", city="杭州市", credit_code=credit_code(5),
                                      phones=["13800001111"])
    assert len(found) == 1 and found[0]["customer"] == c and len(found[0]["reasons"]) == 3
    assert selectors.find_duplicates(name="张三五金", city="杭州市", exclude_pk=c.pk) == []
    assert selectors.find_duplicates(name="李四建材", city="杭州市") == []


def test_kpi_selectors(rep):
    now = timezone.now()
    c = CustomerFactory(owner=rep)
    on_time = TaskFactory(customer=c, assignee=rep, due_at=now - datetime.timedelta(hours=1))
    services.complete_task(on_time, outcome="ok", actor=rep)
    on_time.refresh_from_db()
    late = TaskFactory(customer=c, assignee=rep, due_at=now - datetime.timedelta(hours=3))
    start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=1)
    # done_at is now, after the due time -> late; move the due time of one to make it on time
    type(on_time).objects.filter(pk=on_time.pk).update(due_at=now + datetime.timedelta(minutes=5))
    rows = {r["id"]: r for r in selectors.kpi_followups_on_time(rep, start, end)}
    assert rows[on_time.pk]["ok"] is True and rows[late.pk]["ok"] is False
    assert rows[late.pk]["model"] == "crm.followuptask" and rows[late.pk]["url"] == c.get_absolute_url()
    RecordFactory(customer=c, created_by=rep, occurred_at=now - datetime.timedelta(hours=2))
    RecordFactory(customer=c, created_by=rep, occurred_at=now - datetime.timedelta(hours=30))
    oks = sorted(r["ok"] for r in selectors.kpi_contact_entry_timeliness(rep, start, end))
    assert oks == [False, True]
    assert selectors.kpi_contact_entry_timeliness(rep, end, end + datetime.timedelta(days=1)) == []


def test_search_is_a_union_of_indexed_lookups_ranked_best_first(rep):
    """Issue 19, item 3: one indexed lookup per kind, combined by UNION (an OR with EXISTS scans every customer);
    an identifier typed in full first, then the name's beginning, the name, its pinyin, a contact's name."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inside = CustomerFactory(owner=rep, name="杭州张三五金")
    starts = CustomerFactory(owner=rep, name="张三五金行")
    by_contact = CustomerFactory(owner=rep, name="宏达建材")
    ContactFactory(customer=by_contact, name="张三", mobile="+8613700001111")
    by_phone = CustomerFactory(owner=rep, name="鑫源", phone="13700001111")
    CustomerFactory(owner=rep, name="李四建材")
    list(selectors.customer_search(rep, "x"))  # the rep's permissions are read once
    with CaptureQueriesContext(connection) as ctx:
        found = list(selectors.customer_search(rep, "张三"))
    assert len(ctx.captured_queries) == 1 and " UNION " in ctx.captured_queries[0]["sql"]
    assert found == [starts, inside, by_contact]
    # a mobile typed in full: the customer with it as phone and the one whose contact has it, both exact
    assert list(selectors.customer_search(rep, "137 0000 1111")) == [by_contact, by_phone]
    assert set(selectors.customer_search(rep, "zswj")) == {inside, starts}  # pinyin initials
    assert names(Customer.objects.filter(selectors.search_q("张三"))) == sorted(["杭州张三五金", "张三五金行",
                                                                               "宏达建材"])


def test_the_list_page_counts_no_further_than_its_bound(client_as, settings):
    client = client_as("sales_manager")
    for i in range(8):
        CustomerFactory(owner=client.user, name=f"五金{i}")
    settings.LIST_EXACT_COUNT_MAX = 100
    page = client.get("/crm/customers/?q=五金").content.decode()
    assert "8 records" in page and "about" not in page
    settings.LIST_EXACT_COUNT_MAX = 5
    page = client.get("/crm/customers/?q=五金").content.decode()
    assert "about " in page and "records" in page and "五金0" in page and "8 records" not in page


def test_the_pickers_lookup_gives_the_searchs_customers_in_its_order(rep, make_user):
    other = make_user("sales_rep")
    inside = CustomerFactory(owner=rep, name="杭州张三五金", city="杭州市")
    starts = CustomerFactory(owner=rep, name="张三五金行", city="")
    by_contact = CustomerFactory(owner=rep, name="宏达建材", city="温州市")
    ContactFactory(customer=by_contact, name="张三", mobile="+8613700001111")
    CustomerFactory(owner=rep, name="鑫源", phone="13700001111", credit_code=credit_code(7))
    CustomerFactory(owner=rep, name="Zhang San Hardware")
    CustomerFactory(owner=other, name="张三建材")  # not the rep's
    for user in (rep, make_user("sales_manager")):
        assert selectors.customer_picks(user, "  ") == []
        for q in ("张三", "zswj", "zhangsan", "zhang san", "137 0000 1111", credit_code(7), "五金", "wj", "杭州zs",
                  "无此人"):
            picks = selectors.customer_picks(user, q, limit=20)
            assert [pk for pk, _n, _c in picks] == [c.pk for c in selectors.customer_search(user, q, limit=20)], q
    picks = selectors.customer_picks(rep, "张三", limit=2)
    assert picks == [(starts.pk, "张三五金行", ""), (inside.pk, "杭州张三五金", "杭州市")]


def _plan(sql):
    """The plan PostgreSQL would choose for `sql` if it avoided sequential scans wherever an index can serve."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cur.fetchall())


def _picks_sql(user, q):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        picks = selectors.customer_picks(user, q, limit=20)
    return picks, ctx.captured_queries[-1]["sql"]


def test_short_chinese_queries_are_answered_from_the_gram_index(rep):
    """Issue 19: one or two Chinese characters have no trigram; the gram index (crm.grams) answers them, with the
    rows and order that a LIKE gives."""
    hardware = CustomerFactory(owner=rep, name="宏达五金")
    shop = CustomerFactory(owner=rep, name="五金店")
    tools = CustomerFactory(owner=rep, name="永盛工具")
    by_contact = CustomerFactory(owner=rep, name="鑫源建材")
    ContactFactory(customer=by_contact, name="王五", mobile="+8613700002222")
    CustomerFactory(owner=rep, name="Hongda Hardware")
    selectors.customer_picks(rep, "x")  # the rep's permissions are read once
    for q, expected in [("五金", [shop, hardware]), ("五", [shop, hardware, by_contact]), ("工具", [tools]),
                        ("达五", [hardware]), ("金店", [shop]), ("王五", [by_contact]), ("建", [by_contact]),
                        ("无", [])]:
        picks, sql = _picks_sql(rep, q)
        assert [pk for pk, _n, _c in picks] == [c.pk for c in expected], q
        assert list(selectors.customer_search(rep, q)) == expected, q
        if connection.vendor != "postgresql":  # SQLite (make run's embedded default) keeps its LIKE scans
            continue
        # the gram conditions are in the statement and nothing is read by a sequential scan; which index serves a
        # rank (the gram index for a rare term, the (name, id) index for a broad one) is the planner's choice from
        # the table's statistics, which a test table of a few rows cannot show (bench/search.py does, at scale)
        assert "crm_grams" in sql, q
        assert "Seq Scan" not in _plan(sql), _plan(sql)
    assert names(Customer.objects.filter(selectors.search_q("五金"))) == ["五金店", "宏达五金"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_every_kind_of_query_is_answered_from_indexes(rep):
    """Names (short and long), pinyin initials and full pinyin, a landline, a contact's mobile, a credit code: each
    lookup of the picker's query can be served by an index (no sequential scan where one can be avoided)."""
    code = credit_code(9)
    a = CustomerFactory(owner=rep, name="杭州宏达五金有限公司", phone="0571-8888 6666", credit_code=code)
    b = CustomerFactory(owner=rep, name="张三建材")
    ContactFactory(customer=b, name="李四", mobile="+8613912345678")
    selectors.customer_picks(rep, "x")
    for q, expected in [("宏达五金", [a]), ("五金", [a]), ("hdwj", [a]), ("hongda", [a]), ("zsjc", [b]),
                        ("0571-8888 6666", [a]), ("139 1234 5678", [b]), (code, [a]), (code.lower(), [a])]:
        picks, sql = _picks_sql(rep, q)
        assert [pk for pk, _n, _c in picks] == [c.pk for c in expected], q
        assert "Seq Scan" not in _plan(sql), (q, _plan(sql))


def test_the_pickers_lookup_agrees_with_the_search_on_many_queries(make_user):
    """Issue 19: the picker's lookup takes per rank only the first `limit` customers by name (a broad term stops
    early) and merges them by rank. Over names sharing broad pieces (有限公司, 五金), pinyin, initials, phones,
    mobiles, credit codes, contacts, mixed and multi-word queries, full-width and Latin letters in both cases, for a
    rep and a manager, at limits that cut every rank: the same customers in the same order as `customer_search`."""
    rep, manager = make_user("sales_rep"), make_user("sales_manager")
    other = make_user("sales_rep")
    cities, brands = ["杭州", "温州", "宁波", "长沙"], ["宏达", "华丰", "永盛", "鑫源", "朝阳"]
    trades, forms = ["五金", "建材", "五金工具", "水暖"], ["有限公司", "经营部", "商行", ""]
    customers = []
    for i in range(48):
        name = f"{cities[i % 4] if i % 3 else ''}{brands[i % 5]}{trades[i % 4]}{forms[(i // 4) % 4]}"
        customers.append(CustomerFactory(owner=(rep, other)[i % 3 == 2], name=name, city=cities[i % 4] + "市",
                                         phone=f"0571-8{i:03d} 66{i:02d}" if i % 4 == 0 else "",
                                         credit_code=credit_code(100 + i) if i % 6 == 0 else ""))
    customers.append(CustomerFactory(owner=rep, name="Hongda Hardware Ltd"))
    customers.append(CustomerFactory(owner=rep, name="HONGDA五金"))
    customers.append(CustomerFactory(owner=rep, name="五金张三"))
    for i, c in enumerate(customers[::3]):
        ContactFactory(customer=c, name=["张三", "宏达", "李四五金", "王五"][i % 4], mobile=f"+86137{i:04d}1111")
    customers[1].shared_with.add(other)
    customers[2].shared_with.add(rep)
    queries = ["五金", "五", "金", "有限", "有限公司", "宏达", "宏达五金", "杭州宏达", "达五", "建材有限", "张三",
               "李四", "hdwj", "hd", "wj", "hongda", "HONGDA", "Hongda", "hong da", "zs", "hz", "hzhd", "杭州hd",
               "hangzhouhd", "宏达 五金", "温州 有限", "ｈｄｗｊ", "五金　有限", "0571", "0571-8004 6604",
               "057180046604", "137 0003 1111", "13700001111", credit_code(100), credit_code(106).lower(),
               "无此人", "x", "公司", "商行", "朝阳", "chaoyang", "zy", "cy"]
    for user in (rep, manager):
        for q in queries:
            for limit in (1, 3, 7, 20):
                picks = selectors.customer_picks(user, q, limit=limit)
                expected = [(c.pk, c.name, c.city) for c in selectors.customer_search(user, q, limit=limit)]
                assert picks == expected, (user.username, q, limit)


def test_name_q_written_as_sql_is_what_the_orm_compiles():
    """`_name_sql` writes `crm.pinyin.name_q`'s conditions itself (compiling them through the ORM cost more than the
    query): the same SQL and parameters as the ORM's compiler, for every shape name_q builds."""
    from crm.pinyin import name_q

    for q in ["138 1234 5678", "杭州hd", "wenzhouhf", "温州 华丰", "hong da", "杭州 五金", "五金 有限公司", "hdwj",
              "zhang san 五金", "ＡＢＣ"]:
        assert selectors._name_sql(q) == selectors._where(Customer.objects.filter(name_q(q))), q


def _fresh_statistics():
    """ANALYZE the customers and forget the statistics a process keeps (`crm.grams`' caches)."""
    from crm import grams

    with connection.cursor() as cur:
        cur.execute("ANALYZE crm_customer")
    grams._piece_stats.clear()
    grams._table_rows.clear()
    grams._column_stats.clear()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statistics are PostgreSQL's")
@pytest.mark.parametrize("few", [True, False])
def test_the_picker_reads_few_matches_from_the_index_and_many_by_walking_the_names(few, rep, make_user, monkeypatch):
    """Issue 19, 1M customers: a Chinese term or a pinyin key with few matches (by the statistics: `few_matches`,
    `few_containing`) has every match read from the gram or trigram index and sorted (OFFSET 0: the planner does
    not walk the name index for them, which read 70,000 rows for 290 matches); one with many walks the names in
    order, testing each. Either way the same customers in the same order as `customer_search`."""
    from crm import grams

    monkeypatch.setattr(grams, "few_limit", lambda rows, index_only=True: 10**9 if few else -1)
    monkeypatch.setattr(selectors, "walk_bound", lambda rows, limit=20: None)  # unbounded (bounded: below)
    monkeypatch.setattr(selectors, "walk_piece", lambda text: None)  # without the pieces (test_pieces.py)
    manager = make_user("sales_manager")
    for i, name in enumerate(["杭州宏达五金有限公司", "宏达五金", "温州华丰建材经营部", "达五金店", "宏达水暖",
                              "永盛五金工具", "张三五金行", "华丰宏达"] * 3):
        c = CustomerFactory(owner=rep if i % 3 else manager, name=f"{name}{i}" if i > 7 else name)
        if i % 5 == 0:
            ContactFactory(customer=c, name="张三", mobile=f"+86137{i:04d}2222")
    _fresh_statistics()
    for q in ["宏达五金", "达五金", "五金", "宏", "华丰宏达", "hdwj", "hongda", "wj", "hfjc", "张三", "无此"]:
        for user in (rep, manager):
            for limit in (1, 3, 20):
                picks = selectors.customer_picks(user, q, limit=limit)
                assert picks == [(c.pk, c.name, c.city) for c in selectors.customer_search(user, q, limit=limit)], \
                    (q, user.username, limit)
    for q in ["宏达五金", "hdwj"]:
        _picks, sql = _picks_sql(rep, q)
        assert ("OFFSET 0" in sql) == few, sql
    _picks, sql = _picks_sql(rep, "宏达五金")
    assert ("crm_grams" in sql) == few and "strpos" in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the statistics are PostgreSQL's")
def test_the_share_of_readings_containing_a_key_comes_from_analyze(rep):
    """`contains_share`: ANALYZE's common values and histogram of the readings give the share of customers whose
    readings contain a key (here every row is sampled, so it is exact)."""
    from crm import grams

    for i in range(40):
        CustomerFactory(owner=rep, name=["宏达五金", "华丰建材", "永盛工具", "鑫源水暖"][i % 4] + str(i))
    _fresh_statistics()
    assert grams.contains_share("crm_customer", "crm_customer_readings_sample", "hdwj") == pytest.approx(0.25, abs=0.01)
    assert grams.contains_share("crm_customer", "crm_customer_readings_sample", "qqqq") == 0
    assert grams.table_rows("crm_customer") == 40
    assert grams.few_containing("crm_customer", "crm_customer_readings_sample", "hdwj")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk's index and statistics are PostgreSQL's")
@pytest.mark.parametrize("bound", [2, 40])
def test_the_pickers_walk_stops_at_its_bound_and_then_reads_every_match(bound, rep, make_user, monkeypatch):
    """Issue 19, 1M customers: a term the statistics call broad is walked in name order for `walk_bound` names only
    (州鑫: 2,131 names, all behind 杭州 and 温州, 350,000 walked); when fewer than `limit` of those match, every
    match is read from its index (the gram index, the readings' trigram index) and sorted. A pinyin key that no run
    of syllables holds (hdwj) is tested on `name_keys`, in the walk's index. Either way (a bound of 2 names: the
    walk falls short for every term; of 40: it finds 1 and 3 within it, not 20) the same customers in the same order
    as `customer_search`."""
    from crm import grams

    monkeypatch.setattr(grams, "few_limit", lambda rows, index_only=True: -1)  # "many" for every term
    monkeypatch.setattr(selectors, "walk_bound", lambda rows, limit=20: bound)
    monkeypatch.setattr(selectors, "walk_piece", lambda text: None)  # without the pieces (test_pieces.py)
    manager = make_user("sales_manager")
    for i, name in enumerate(["杭州宏达五金有限公司", "宏达五金", "温州华丰建材经营部", "达五金店", "宏达水暖",
                              "永盛五金工具", "张三五金行", "华丰宏达", "HONGDA五金", "朝阳五金"] * 3):
        c = CustomerFactory(owner=rep if i % 3 else manager, name=f"{name}{i}" if i > 9 else name)
        if i % 5 == 0:
            ContactFactory(customer=c, name="张三", mobile=f"+86137{i:04d}2222")
    _fresh_statistics()
    for q in ["宏达五金", "达五金", "五金", "宏", "华丰宏达", "hdwj", "wj", "hfjc", "zywj", "cywj", "dawj", "gdwj",
              "hongda", "张三", "无此"]:
        for user in (rep, manager):
            for limit in (1, 3, 20):
                picks = selectors.customer_picks(user, q, limit=limit)
                assert picks == [(c.pk, c.name, c.city) for c in selectors.customer_search(user, q, limit=limit)], \
                    (q, user.username, limit, bound)
    _picks, sql = _picks_sql(rep, "hdwj")
    assert "b3w" in sql and "name_keys" in sql and "name_readings" in sql  # the walk, then the trigram index
    _picks, sql = _picks_sql(rep, "宏达五金")
    assert "b2w" in sql and "crm_grams" in sql
    _picks, sql = _picks_sql(rep, "hongda")  # in a run of syllables: the readings, walked row by row
    assert "b3w" not in sql and "name_keys" not in sql
