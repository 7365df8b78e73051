"""Customer search over 100,000 customers: 200 queries (names, pinyin initials, phones, mobiles) through
`crm.selectors.customer_picks` (the customer pickers' lookup: id, name, city; the list page filters with the
same `search_q`),
p50 and p95, taking turns query by query with:
- reference (the floor): a hand-written query through psycopg2 with the indexed lookups of every kind (name
  trigram, or the gram index (`crm.grams`) for one or two Chinese characters, pinyin readings (`name_readings`),
  normalised phone, invoice phone, credit code and tax number, contact mobile blind index, contact name trigram or
  grams), ranked the same way (exact identifier, name prefix, name, pinyin, contact), the first 20, in the
  project's plan shape: per rank the first 20 by (name, id), then the best rank per customer (`floor_sql`);
- union floor: the floor before that shape, one UNION of the lookups, every match ranked and sorted
  (`floor_union_sql`), reported beside;
- before: the search as it was before issue 19 (one OR of the same conditions with EXISTS over contacts), through
  the ORM like the project.
The project must give the reference's customers in the reference's order."""

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


def _floor_parts(q):
    """The hand-written lookups of `q`: (params, name condition on customers `c`, the contact lookup, the pinyin
    condition or None, the exact identifier lookups as (lookup, condition on `c`))."""
    from crm.grams import is_short
    from crm.pinyin import looks_like_pinyin
    from crm.validators import normalize_credit_code, normalize_phone
    from hardware_erp.core.fields import blind_index, digits_only

    q = " ".join(q.split())
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    p = {"like": like, "prefix": like[1:], "q": q}
    if is_short(q):  # one or two Chinese characters: no trigram; the gram index (crm.grams)
        name = "crm_grams(c.name) @> ARRAY[%(q)s]"
        contact = "SELECT customer_id FROM crm_contact WHERE crm_grams(name) @> ARRAY[%(q)s]"
    else:
        name = "upper(c.name) LIKE upper(%(like)s)"
        contact = "SELECT customer_id FROM crm_contact WHERE upper(name) LIKE upper(%(like)s)"
    exact, pinyin = [], None
    if looks_like_pinyin(q):
        p["key"] = "%" + q.replace(" ", "").lower() + "%"
        pinyin = "c.name_readings LIKE %(key)s"  # pinyin and initials
        words = q.split(" ")
        if len(words) > 1 and all(w.isdigit() for w in words):  # a number in groups (138 1234 5678): or every
            # group in the readings, as the project's name kind (`crm.pinyin.name_q`) reads it
            p.update({f"w{i}": f"%{w}%" for i, w in enumerate(words)})
            every = " AND ".join(f"c.name_readings LIKE %(w{i})s" for i in range(len(words)))
            pinyin = f"({pinyin} OR ({every}))"
    code = normalize_credit_code(q)
    if 15 <= len(code) <= 20 and code.isalnum():
        p["code"] = code
        exact += [("SELECT id FROM crm_customer WHERE credit_code = %(code)s", "c.credit_code = %(code)s"),
                  ("SELECT id FROM crm_customer WHERE tax_number = %(code)s", "c.tax_number = %(code)s")]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 7 and len(digits) >= len(q.replace(" ", "").replace("-", "").replace("+", "")) - 1:
        p["norm"] = normalize_phone(q)
        p["bidx"] = blind_index(p["norm"], normalize=digits_only) if p["norm"] else ""  # mobile_index(q)
        exact += [("SELECT id FROM crm_customer WHERE phone_norm = %(norm)s", "c.phone_norm = %(norm)s"),
                  ("SELECT id FROM crm_customer WHERE invoice_phone = %(q)s", "c.invoice_phone = %(q)s")]
        if p["bidx"]:
            exact.append(("SELECT customer_id FROM crm_contact WHERE mobile_bidx = %(bidx)s",
                          "EXISTS (SELECT 1 FROM crm_contact k WHERE k.customer_id = c.id "
                          "AND k.mobile_bidx = %(bidx)s)"))
    return p, name, contact, pinyin, exact


def floor_sql(q):
    """The hand-written indexed search, one branch per rank: the first 20 by (name, id) of the customers that rank
    there or better (exact identifier, name prefix, name, pinyin, contact), each branch served by the `(name, id)`
    index with its match as a filter or by its match's index and a sort; then per customer its best branch, the
    first 20 (the plan shape of the project's `customer_picks`). A prefix without letters is a range of the
    (name, id) index. The name containing a Chinese term and the readings containing a pinyin key are read one of
    two ways, chosen from the statistics (`crm.grams.few_matches`, `few_containing`: few matches, up to
    `few_limit`, 1,200 at a million customers for a walk of the index alone):
    few, every match from the gram index (all the term's pieces) or the readings' trigram index, then sorted
    (OFFSET 0 keeps the planner from walking the name index for them); many, the (name, id) index walked with the
    test as a filter (index-only for the name and for a pinyin key no run of syllables holds, tested on
    `name_keys`: `crm_customer_active_name_cover`, migrations 0017 and 0018, both sides). The
    planner cannot choose these itself: it does not know how many names a `strpos` keeps and costs a walk as if
    the matches were spread evenly through the alphabet. A branch runs only while the better ones found fewer than
    20 (a one-time filter: PostgreSQL skips its plan)."""
    from crm import grams
    from crm.pinyin import in_syllables

    p, name, contact, pinyin, exact = _floor_parts(q)
    conditions = []
    if exact:
        conditions.append((0, f"c.id IN ({' UNION ALL '.join(sql for sql, _cond in exact)})"))
    in_order = grams.prefix_range_sql("c.name", p["q"])  # no letter with a case: a range of the (name, id) index
    if in_order:
        p["from"], p["to"] = in_order[1]
        conditions.append((1, "c.name >= %(from)s AND c.name < %(to)s"))
    else:
        conditions.append((1, "upper(c.name) LIKE upper(%(prefix)s)"))
    if grams.is_chinese(p["q"]):  # few or many: the gram index's statistics of the term's rarest piece
        p["pieces"] = sorted({p["q"][i:i + 2] for i in range(max(1, len(p["q"]) - 1))})
        from_index = "crm_grams(c.name) @> %(pieces)s::text[] AND strpos(c.name, %(q)s) > 0"
        piece = grams.walk_piece(p["q"])
        if piece:  # two characters or more: under its piece of `crm_customer_piece`, in name order
            conditions.append((2, {"piece": piece, "test": "strpos(k.name, %(q)s) > 0", "few": from_index}))
        elif grams.few_matches(p["q"]):  # every match from the gram index (it intersects the pieces' lists), sorted
            conditions.append((2, f"{from_index} OFFSET 0"))
        else:  # the (name, id) index walked, index-only, each name tested, as far as `walk_bound`; then as few
            conditions.append((2, ("strpos(c.name, %(q)s) > 0", from_index)))
    elif grams.name_piece(p["q"]):  # one or two letters or digits: the names holding them, in order (no trigram)
        conditions.append((2, {"piece": (grams.name_piece(p["q"]), True), "test": "TRUE", "few": None}))
    else:
        conditions.append((2, name if name.startswith("upper") else f"{name} AND upper(c.name) LIKE upper(%(like)s)"))
    if pinyin:  # few or many: ANALYZE's sample of the readings; a key no run of syllables holds (hdwj) is walked
        # on `name_keys`, in the walk's index (migration 0018), where the readings contain it exactly when those do
        key = p["key"].strip("%")
        index_only = " " not in p["q"] and not in_syllables(key)  # (words: each tested, as the project does)
        piece = grams.walk_piece(key) if index_only else None
        few = not piece and grams.few_containing("crm_customer", "crm_customer_readings_sample", key,
                                                 index_only=index_only)
        if piece:  # two letters or more: under its piece of `crm_customer_piece` (with the keys it is from)
            p["bare_key"] = key
            conditions.append((3, {"piece": piece, "test": "strpos(k.keys, %(bare_key)s) > 0", "few": pinyin}))
        elif few:  # a key of two letters from the readings' pairs index (migration 0020), else the trigrams
            short = len(key) == 2 and " " not in p["q"]
            conditions.append((3, f"{'crm_pairs(c.name_readings) @> ARRAY[%(short)s]' if short else pinyin} OFFSET 0"))
            p["short"] = key
        elif index_only:
            p["bare_key"] = key
            conditions.append((3, ("strpos(c.name_keys, %(bare_key)s) > 0", pinyin)))
        else:
            conditions.append((3, pinyin))
    conditions.append((4, f"c.id IN ({contact})"))
    ctes, done = [], []
    bound = grams.walk_bound(grams.table_rows("crm_customer"), LIMIT)
    for rank, cond in conditions:  # a branch runs only while the better ones found fewer than 20 customers
        gate = f"(SELECT count(*) FROM ({' UNION '.join(f'SELECT id FROM b{r}' for r in done)}) s) < {LIMIT} AND " \
            if done else ""
        def or_few(walk, few, rank=rank, gate=gate):  # the walk's `LIMIT` rows, else every match of `few`, sorted
            return [f"b{rank}w AS MATERIALIZED ({walk})",
                    f"b{rank} AS MATERIALIZED (SELECT * FROM b{rank}w WHERE (SELECT count(*) FROM b{rank}w) = "  # noqa: S608
                    f"{LIMIT} UNION ALL (SELECT * FROM (SELECT {rank} AS r, c.id, c.name, c.city FROM "
                    f"crm_customer c WHERE c.merged_into_id IS NULL AND {few} OFFSET 0) c WHERE {gate}"
                    f"(SELECT count(*) FROM b{rank}w) < {LIMIT} ORDER BY c.name, c.id LIMIT {LIMIT}))"]

        if isinstance(cond, dict):  # the piece's entries in name order (index-only), each customer read; a term
            # longer than its piece: as far as PIECE_WALK_BOUND entries, tested in the index, then as few
            (p[f"piece{rank}"], whole), test = cond["piece"], cond["test"]
            walk = (f"SELECT {rank} AS r, c.id, c.name, c.city FROM (SELECT customer_id, name, keys "  # noqa: S608
                    f"FROM crm_customer_piece WHERE {gate}piece = %(piece{rank})s ORDER BY name, customer_id"
                    f"{'' if whole else f' LIMIT {grams.PIECE_WALK_BOUND}'}) k "
                    f"JOIN crm_customer c ON c.id = k.customer_id "
                    f"WHERE {'TRUE' if whole else test} AND c.merged_into_id IS NULL "
                    f"ORDER BY k.name, k.customer_id LIMIT {LIMIT}")
            ctes += [f"b{rank} AS MATERIALIZED ({walk})"] if whole else or_few(walk, cond["few"])
            done.append(rank)
            continue
        if isinstance(cond, tuple):  # an index-only walk of the first `bound` names, else every match, sorted
            walk, few = cond
            if not bound:
                cond = walk
            else:
                ctes += or_few(f"SELECT {rank} AS r, id, name, city FROM (SELECT c.id, c.name, "  # noqa: S608
                               f"c.city, c.name_keys FROM crm_customer c WHERE {gate}c.merged_into_id IS NULL "
                               f"ORDER BY c.name, c.id LIMIT {bound}) c WHERE {walk} LIMIT {LIMIT}", few)
                done.append(rank)
                continue
        rows = (f"SELECT {rank} AS r, c.id, c.name, c.city FROM crm_customer c "  # noqa: S608
                f"WHERE {gate}c.merged_into_id IS NULL AND {cond}")
        if cond.endswith("OFFSET 0"):  # every match, then sorted: no walk of the (name, id) index
            rows = f"SELECT * FROM ({rows}) c"  # noqa: S608
        ctes.append(f"b{rank} AS MATERIALIZED ({rows} ORDER BY c.name, c.id LIMIT {LIMIT})")  # noqa: S608
        done.append(rank)
    union = " UNION ALL ".join(f"SELECT * FROM b{r}" for r in done)
    sql = (f"WITH {', '.join(ctes)} SELECT id, name, city FROM ({union}) f "  # noqa: S608
           f"GROUP BY id, name, city ORDER BY min(r), name, id LIMIT {LIMIT}")
    return sql, p


def floor_union_sql(q):
    """The floor before the branches: one UNION of the indexed lookups, every match ranked and sorted, first 20
    (the fastest for a rare term; a broad one reads and sorts all its matches)."""
    p, name, contact, pinyin, exact = _floor_parts(q)
    parts = [f"SELECT id FROM crm_customer c WHERE {name}", contact, *(sql for sql, _cond in exact)]
    if pinyin:
        parts.append(f"SELECT id FROM crm_customer c WHERE {pinyin}")
    exact_rank = " OR ".join(cond for _sql, cond in exact) or "false"
    rank = (f"CASE WHEN {exact_rank} THEN 0 WHEN upper(c.name) LIKE upper(%(prefix)s) THEN 1 "
            f"WHEN upper(c.name) LIKE upper(%(like)s) THEN 2 WHEN {pinyin or 'false'} THEN 3 ELSE 4 END")
    sql = (f"SELECT c.id, c.name, c.city FROM crm_customer c "  # noqa: S608
           f"WHERE c.merged_into_id IS NULL AND c.id IN ({' UNION '.join(parts)}) "
           f"ORDER BY {rank}, c.name, c.id LIMIT {LIMIT}")
    return sql, p


def old_search_q(q):
    """The search as it was before issue 19: an OR over every kind, EXISTS over contacts (scans every customer)."""
    import re

    from django.db.models import Exists, OuterRef, Q

    from crm.models import Contact
    from crm.models.customers import mobile_index
    from crm.pinyin import looks_like_pinyin
    from crm.validators import normalize_credit_code, normalize_phone

    q = " ".join(q.split())
    cond = Q(name__icontains=q)
    if looks_like_pinyin(q):
        key = q.replace(" ", "").lower()
        cond |= Q(name_pinyin__contains=key) | Q(name_initials__contains=key)
    code = normalize_credit_code(q)
    if 15 <= len(code) <= 20 and code.isalnum():
        cond |= Q(credit_code=code) | Q(tax_number=code)
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 7 and len(digits) >= len(q.replace(" ", "").replace("-", "").replace("+", "")) - 1:
        cond |= Q(phone_norm=normalize_phone(q)) | Q(invoice_phone=q)
        bidx = mobile_index(q)
        if bidx:
            cond |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), mobile_bidx=bidx))
    return cond | Exists(Contact.objects.filter(customer_id=OuterRef("pk"), name__icontains=q))


def run():
    from django.contrib.auth import get_user_model

    from crm.models import Customer
    from crm.selectors import customer_picks

    from .data import ensure_customers

    n = scale()
    customers = ensure_customers(n)
    user = get_user_model().objects.get(username="gm")  # sees every customer
    terms = queries(QUERIES)
    conn = raw_connection()
    conn.autocommit = True
    cur = conn.cursor()

    def project(q):
        return customer_picks(user, q, limit=LIMIT)

    def reference(q):
        sql, params = floor_sql(q)
        cur.execute(sql, params)
        return cur.fetchall()

    def union(q):
        sql, params = floor_union_sql(q)
        cur.execute(sql, params)
        return cur.fetchall()

    def before(q):
        return [(c.pk, c.name, c.city) for c in Customer.objects.active().filter(old_search_q(q))
                .select_related("owner").order_by("name", "pk")[:LIMIT]]

    with_before = os.environ.get("BENCH_SEARCH_BEFORE", "1") != "0"  # 0: skip the old OR (most of a 1M run)
    sides = [project, reference, union] + ([before] if with_before else [])
    for _k, q in terms[:10]:  # warm every path (plans, caches)
        for fn in sides:
            fn(q)
    proj, ref, uni, old, hits, mismatches, union_mismatches = [], [], [], [], 0, 0, 0
    for i, (_k, q) in enumerate(terms):
        answers = {}
        turn = [(project, proj), (reference, ref), (union, uni), (before, old)][:len(sides)]
        order = turn[i % len(turn):] + turn[:i % len(turn)]  # who goes first changes every query
        if (i // len(turn)) % 2:  # and every other round the order is reversed: each side goes before each other
            order.reverse()  # side half the time (a rotation alone put the project before the floor 2 or 3 times in
        for fn, samples in order:  # 3 or 4, and the first to read a term's rows reads them from disk or the OS)
            t0 = time.perf_counter()
            answers[fn] = fn(q)
            samples.append(time.perf_counter() - t0)
        hits += bool(answers[project])
        mismatches += [row[0] for row in answers[project]] != [row[0] for row in answers[reference]]
        union_mismatches += [row[0] for row in answers[union]] != [row[0] for row in answers[reference]]
    conn.close()
    kinds = {}
    for k, _q in terms:
        kinds[k] = kinds.get(k, 0) + 1
    p, r, u = figures(proj), figures(ref), figures(uni)
    b = figures(old) if old else {"skipped": "BENCH_SEARCH_BEFORE=0"}
    slowest = sorted(zip(proj, ref, (q for _k, q in terms), strict=True), key=lambda x: -max(x[0], x[1]))[:8]
    ratio = p["median_ms"] / r["median_ms"]
    p95_ratio = p["p95_ms"] / r["p95_ms"]
    log(f"search: project p50 {p['median_ms']} ms p95 {p['p95_ms']} ms; reference p50 {r['median_ms']} ms "
        f"p95 {r['p95_ms']} ms")
    return emit("search", {"customers": customers, "active": Customer.objects.active().count(), "queries": len(terms),
                           "kinds": kinds, "limit": LIMIT},
                p, r, ratio=ratio, target=1.5, ok=ratio <= 1.5 and p95_ratio <= 1.5, p95_ratio=round(p95_ratio, 3),
                before=b, union_floor=u, ratio_to_union_floor=round(p["median_ms"] / u["median_ms"], 3),
                p95_ratio_to_union_floor=round(p["p95_ms"] / u["p95_ms"], 3), queries_with_results=hits,
                valid=mismatches == 0 and union_mismatches == 0, mismatches=mismatches,
                union_floor_mismatches=union_mismatches,
                slowest=[{"q": q, "project_ms": round(a * 1000, 1), "reference_ms": round(c * 1000, 1)}
                         for a, c, q in slowest],
                note="ratio = project p50 / reference p50; the target applies to p50 and p95; union_floor: the "
                     "floor before the per-rank branches (one UNION, every match ranked and sorted)")
