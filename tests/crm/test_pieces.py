"""Issue 19, search at a million customers: `crm_customer_piece` (migration 0019), every piece of a customer's name
and keys in one B-tree by (piece, name, id), kept by PostgreSQL's triggers, and the customer pickers' walk under a
term's piece (`crm.grams.walk_piece`, `crm.selectors.customer_picks`)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm import grams, selectors
from crm.models import Customer
from tests.factories.crm import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="the piece table is PostgreSQL's")]


@pytest.fixture
def rep(make_user):
    return make_user("sales_rep")


def pieces(customer_id):
    with connection.cursor() as cur:
        cur.execute("SELECT piece, name, keys FROM crm_customer_piece WHERE customer_id = %s ORDER BY piece",
                    [customer_id])
        return cur.fetchall()


def test_the_pieces_of_a_name_are_its_runs_of_two_and_three_chinese_characters_and_three_letters_of_its_keys():
    with connection.cursor() as cur:
        cur.execute("SELECT crm_pieces(%s, %s)", ["杭州ABC建材店", "hzabcjcd hzabcjiancai"])
        got = set(cur.fetchone()[0])
    assert got == {"杭州", "建材", "材店", "建材店",  # runs of Chinese only: nothing across ABC, nothing of one
                   "=A", "=B", "=C", "=AB", "=BC",  # the name's own letters, in capitals, one and two
                   "hz", "za", "ab", "bc", "cj", "jc", "cd",  # the keys' first word, two and three
                   "hza", "zab", "abc", "bcj", "cjc", "jcd",
                   "ji", "ia", "an", "nc", "ca", "ai",  # the second (hz … bcj: once)
                   "cji", "jia", "ian", "anc", "nca", "cai"}


def test_the_database_keeps_every_customers_pieces_on_every_kind_of_write(rep):
    a = CustomerFactory(owner=rep, name="宏达五金")
    keys = {w[i:i + n] for w in a.name_keys.split() for n in (2, 3) for i in range(len(w) - n + 1)}  # hdwj …
    assert {"hd", "dw", "wj", "hdw", "dwj"} <= keys
    assert set(pieces(a.pk)) == {(p, "宏达五金", None) for p in ["宏达", "达五", "五金", "宏达五", "达五金"]} \
        | {(p, "宏达五金", a.name_keys) for p in keys}
    a.name = "华丰建材"
    a.save()
    assert {p for p, _n, _k in pieces(a.pk)} >= {"华丰", "丰建", "建材", "华丰建", "丰建材", "hfj", "fjc"}
    assert not {"宏达", "hdw"} & {p for p, _n, _k in pieces(a.pk)}
    assert {n for _p, n, _k in pieces(a.pk)} == {"华丰建材"}
    Customer.objects.filter(pk=a.pk).update(name_keys="abcd")  # an update of the keys alone
    assert sorted((p, k) for p, _n, k in pieces(a.pk) if k) == [(p, "abcd") for p in ["ab", "abc", "bc", "bcd", "cd"]]
    b = CustomerFactory(owner=rep, name="永盛工具")
    a.name, b.name = "鑫源水暖", "朝阳五金"
    Customer.objects.bulk_update([a, b], ["name"])  # one statement for both
    assert {p for p, _n, _k in pieces(b.pk)} >= {"朝阳", "阳五金"} and "永盛" not in {p for p, *_ in pieces(b.pk)}
    assert "鑫源" in {p for p, *_ in pieces(a.pk)}
    Customer.objects.filter(pk=b.pk).update(city="杭州市")  # neither name nor keys: nothing rewritten
    assert {p for p, *_ in pieces(b.pk)} >= {"朝阳"}
    b.delete()
    assert pieces(b.pk) == []
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (no deferred key checks left to run on a truncated table)
        cur.execute("TRUNCATE crm_customer CASCADE")  # (the test's transaction rolls it back)
        cur.execute("SELECT count(*) FROM crm_customer_piece")
        assert cur.fetchone()[0] == 0


def test_a_term_is_walked_under_itself_or_under_its_rarest_piece(monkeypatch):
    grams._piece_table_stats[grams.PIECE_TABLE] = (time.monotonic(), ({"宏达五": 0.01, "达五金": 0.001, "hdw": 0.02,
                                                                       "dwj": 0.03}, 0.0005))
    assert grams.walk_piece("五金") == ("五金", True)
    assert grams.walk_piece("宏达五") == ("宏达五", True)
    assert grams.walk_piece("宏达五金") == ("达五金", False)  # the rarer of the two
    assert grams.walk_piece("宏达五金店") == ("五金店", False)  # not among the commonest: rarer than any of them
    assert grams.walk_piece("hdw") == ("hdw", True)
    assert grams.walk_piece("hdwj") == ("hdw", False)
    assert grams.walk_piece("hdwjx") == ("wjx", False)
    assert grams.walk_piece("wj") == ("wj", True)
    for short_or_mixed in ["五", "w", "hd五金", "HDW", ""]:
        assert grams.walk_piece(short_or_mixed) is None, short_or_mixed
    assert grams.name_piece("wj") == grams.name_piece("WJ") == "=WJ" and grams.name_piece("7") == "=7"
    for other in ["五", "abc", "w j", "é", ""]:
        assert grams.name_piece(other) is None, other
    grams._piece_table_stats.clear()


def _sql(user, q):
    with CaptureQueriesContext(connection) as ctx:
        selectors.customer_picks(user, q)
    return ctx.captured_queries[-1]["sql"]


@pytest.mark.parametrize("bound", [2, 10_000])
def test_the_picker_walks_the_names_under_a_terms_piece(bound, rep, make_user, monkeypatch):
    """A Chinese term of two or three characters, a key of two or three letters, or one or two letters of the name
    itself, is its piece: the first names under it are the answer. A longer one is walked under its rarest piece,
    each entry tested in the index, as far as PIECE_WALK_BOUND entries (2: it falls short for every term, and every
    match is read from its index instead). Two letters that can lie inside syllables (ab: 安保, dabai) are read from
    the readings' pairs index. Merged customers and other reps' customers are skipped. Either way the same customers
    in the same order as `customer_search`."""
    monkeypatch.setattr(selectors, "PIECE_WALK_BOUND", bound)
    manager = make_user("sales_manager")
    survivor = None
    for i, name in enumerate(["杭州宏达五金有限公司", "宏达五金", "温州华丰建材经营部", "达五金店", "宏达水暖",
                              "永盛五金工具", "张三五金行", "华丰宏达", "HONGDA五金", "朝阳五金", "安保五金",
                              "大白建材"] * 3):
        c = CustomerFactory(owner=rep if i % 3 else manager, name=f"{name}{i}" if i > 9 else name)
        if i % 5 == 0:
            ContactFactory(customer=c, name="张三", mobile=f"+86137{i:04d}2222")
        if i == 4:
            survivor = c
        if i == 11:
            Customer.objects.filter(pk=c.pk).update(merged_into=survivor)
    grams._piece_table_stats.clear()
    terms = ["宏达五金", "达五金", "五金", "宏达", "华丰宏达", "五金有限公司", "hdwj", "hdw", "wjd", "zywj", "cywj",
             "gdwj", "hfjc", "hongda", "张三", "无此", "无此五金", "wj", "hd", "qx", "HO", "o", "Ng", "5", "ab", "an",
             "ia"]
    for q in terms:
        for user in (rep, manager):
            for limit in (1, 3, 20):
                picks = selectors.customer_picks(user, q, limit=limit)
                assert picks == [(c.pk, c.name, c.city) for c in selectors.customer_search(user, q, limit=limit)], \
                    (q, user.username, limit, bound)
    assert "crm_customer_piece" in _sql(rep, "五金") and "b2w" not in _sql(rep, "五金")  # the piece: no bound
    assert "crm_customer_piece" in _sql(rep, "hdw") and "b3w" not in _sql(rep, "hdw")
    sql = _sql(rep, "宏达五金")
    assert "crm_customer_piece" in sql and "b2w" in sql and "crm_grams" in sql  # bounded, then the gram index
    sql = _sql(rep, "hdwj")
    assert "crm_customer_piece" in sql and "b3w" in sql and "name_readings" in sql  # then the trigram index
    assert "crm_customer_piece" not in _sql(rep, "hongda")  # a run of syllables: the readings
    assert "'=WJ'" in _sql(rep, "wj") or "=WJ" in _sql(rep, "wj")  # the name's own letters, and the keys' piece
    # two letters inside syllables (安保 abwj, 大白 dabai): few, from the readings' pairs index (migration 0020)
    assert 'crm_pairs("crm_customer"."name_readings")' in _sql(rep, "ab")
