"""Customer search over 100,000 customers: 200 queries (names, pinyin initials, phones, mobiles) through
`crm.selectors.customer_search` (the customer pickers' lookup; the list page filters with the same `search_q`),
p50 and p95. Reference: the SQL that search builds, run directly through psycopg2 on the same data."""

import os
import random
import time

from .common import emit, figures, log, raw_connection

QUERIES = 200
LIMIT = 20


def scale() -> int:
    return int(100_000 * float(os.environ.get("BENCH_SCALE", "1")))


def queries(n, seed=10):
    """Search terms drawn from the data: parts of names, pinyin initials, landlines, contacts' mobiles."""
    from crm.models import Contact, Customer

    rng = random.Random(seed)
    ids = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    picked = Customer.objects.in_bulk(rng.sample(ids, min(len(ids), n)))
    contacts = list(Contact.objects.filter(customer_id__in=picked).exclude(mobile="").order_by("pk")[:n])
    out = []
    for i, c in enumerate(picked.values()):
        kind = i % 10
        if kind < 4:  # a piece of the name: 宏达五金, 张伟
            size = rng.randint(2, 4)
            start = rng.randrange(0, max(1, len(c.name) - size))
            out.append(("name", c.name[start:start + size]))
        elif kind < 7 and len(c.name_initials) >= 3:  # pinyin initials: hdwj
            size = rng.randint(3, 4)
            start = rng.randrange(0, max(1, len(c.name_initials) - size))
            out.append(("initials", c.name_initials[start:start + size]))
        elif kind < 8 and c.phone:  # the landline as printed: 0571-12345678
            out.append(("phone", c.phone))
        elif contacts:  # a contact's mobile as typed: 138 1234 5678
            m = contacts.pop().mobile.removeprefix("+86")
            out.append(("mobile", f"{m[:3]} {m[3:7]} {m[7:]}"))
        else:
            out.append(("name", c.name[:2]))
    return out[:n]


def run():
    from django.contrib.auth import get_user_model

    from crm.models import Customer
    from crm.selectors import customer_search

    from .data import ensure_customers

    n = scale()
    customers = ensure_customers(n)
    user = get_user_model().objects.get(username="gm")  # sees every customer
    terms = queries(QUERIES)
    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()

    def project(q):
        return [(c.pk, c.owner.username if c.owner else None) for c in customer_search(user, q, limit=LIMIT)]

    compiled = {q: customer_search(user, q, limit=LIMIT).query.sql_with_params() for _k, q in terms}

    def reference(q):
        sql, params = compiled[q]
        cur.execute(sql, params)
        return cur.fetchall()

    for _k, q in terms[:10]:  # warm both paths (plans, caches)
        project(q), reference(q)
    proj, ref, hits, mismatches = [], [], 0, 0
    for i, (_k, q) in enumerate(terms):
        answers = {}
        pair = [(project, proj), (reference, ref)]
        for fn, samples in (pair if i % 2 else pair[::-1]):  # alternate who goes first
            t0 = time.perf_counter()
            answers[fn] = fn(q)
            samples.append(time.perf_counter() - t0)
        hits += bool(answers[project])
        mismatches += [pk for pk, _o in answers[project]] != [row[0] for row in answers[reference]]
    conn.close()
    kinds = {}
    for k, _q in terms:
        kinds[k] = kinds.get(k, 0) + 1
    p, r = figures(proj), figures(ref)
    ratio = p["median_ms"] / r["median_ms"]
    p95_ratio = p["p95_ms"] / r["p95_ms"]
    log(f"search: project p50 {p['median_ms']} ms p95 {p['p95_ms']} ms; reference p50 {r['median_ms']} ms "
        f"p95 {r['p95_ms']} ms")
    return emit("search", {"customers": customers, "active": Customer.objects.active().count(), "queries": len(terms),
                           "kinds": kinds, "limit": LIMIT},
                p, r, ratio=ratio, target=1.5, ok=ratio <= 1.5 and p95_ratio <= 1.5, p95_ratio=round(p95_ratio, 3),
                queries_with_results=hits, valid=mismatches == 0, mismatches=mismatches,
                note="ratio = project p50 / reference p50; the target applies to p50 and p95")
