"""Read-side queries of the CRM: search, duplicates, the customer page, reports and KPI evidence."""

import re
import unicodedata
from datetime import timedelta
from difflib import SequenceMatcher

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import Regex
from django.utils import timezone
from django.utils.translation import gettext as _

from hardware_erp.core.fields import blind_index, digits_only, mask_phone

from .choices import OPEN_STAGES, TaskStatusChoices
from .grams import (
    MAX_GRAM,
    PIECE_TABLE,
    PIECE_WALK_BOUND,
    HasGram,
    contains_q,
    contains_sql,
    few_containing,
    few_matches,
    is_chinese,
    name_piece,
    prefix_range_sql,
    table_rows,
    walk_bound,
    walk_piece,
)
from .models import Contact, ContactRecord, Customer, FollowUpTask, Opportunity
from .models.customers import mobile_index
from .pinyin import in_syllables, name_q, plain_name, plain_pinyin
from .signals import sales_figures
from .validators import normalize_credit_code, normalize_phone

# ---------------------------------------------------------------- search

_DIGITS = re.compile(r"\D")

# How a match ranks (lower first): an identifier typed in full, the name's beginning, inside the name, the pinyin
# of the name, a contact's name.
RANK_EXACT, RANK_PREFIX, RANK_NAME, RANK_PINYIN, RANK_CONTACT = range(5)


def _lookups(q: str) -> list[tuple[int, str, str, str, list]]:
    """The indexed lookups of the search `q`, by kind: [(rank, table, key column, condition on that table's row,
    params)]; the conditions on customers are on their qualified columns. See `search_lookups`."""
    q = " ".join((q or "").split())
    if not q:
        return []
    qn = connection.ops.quote_name
    customers, contacts = qn(Customer._meta.db_table), qn(Contact._meta.db_table)
    name_column = f"{customers}.{qn('name')}"

    def equals(column, value):
        return RANK_EXACT, customers, "id", f"{customers}.{qn(column)} = %s", [value]

    plain, pinyin = plain_name(q), plain_pinyin(q)
    if plain:
        out = [(RANK_NAME, customers, "id", *contains_sql(name_column, plain))]
    elif pinyin:  # the name contains the word, or its readings (pinyin and initials) the key
        name, name_params = contains_sql(name_column, pinyin[0])
        readings, readings_params = _readings_sql(pinyin[1])
        out = [(RANK_NAME, customers, "id", f"({name} OR {readings})", [*name_params, *readings_params])]
    else:
        out = [(RANK_NAME, customers, "id", *_name_sql(q))]
    code = normalize_credit_code(q)
    if 15 <= len(code) <= 20 and code.isalnum():
        out += [equals("credit_code", code), equals("tax_number", code)]
    digits = _DIGITS.sub("", q)
    if len(digits) >= 7 and len(digits) >= len(q.replace(" ", "").replace("-", "").replace("+", "")) - 1:
        norm = normalize_phone(q)
        out += [equals("phone_norm", norm), equals("invoice_phone", q)]
        bidx = blind_index(norm, normalize=digits_only) if norm else ""  # mobile_index(q), q normalised once
        if bidx:
            out.append((RANK_EXACT, contacts, "customer_id", f"{qn('mobile_bidx')} = %s", [bidx]))
    out.append((RANK_CONTACT, contacts, "customer_id", *contains_sql(qn("name"), q)))
    return out


_SQL_NAMES: dict = {}  # database vendor -> the quoted names and operators the search writes


def _sql_names() -> dict:
    """The customers' and contacts' quoted table and column names and the LIKE forms of this database, built once
    (building them on every search cost a tenth of a millisecond in lookups through the connection)."""
    names = _SQL_NAMES.get(connection.vendor)
    if names is None:
        qn, ops = connection.ops.quote_name, connection.ops
        customers, contacts = qn(Customer._meta.db_table), qn(Contact._meta.db_table)
        names = {"customers": customers, "contacts": contacts, "id": f"{customers}.{qn('id')}",
                 "name": f"{customers}.{qn('name')}", "city": f"{customers}.{qn('city')}",
                 "keys": f"{customers}.{qn('name_keys')}", "readings": f"{customers}.{qn('name_readings')}",
                 "readings_contains": f"{ops.lookup_cast('contains', 'TextField')} {connection.operators['contains']}"
                                      % (f"{customers}.{qn('name_readings')}", "%s"),
                 "name_icontains": f"{ops.lookup_cast('icontains')} {connection.operators['icontains']}"
                                   % (f"{customers}.{qn('name')}", "%s")}
        _SQL_NAMES[connection.vendor] = names
    return names


def _readings_sql(key: str) -> tuple[str, list]:
    """Customers' `name_readings` contain `key` (a pinyin or initials key, lower case): (condition, params)."""
    return _sql_names()["readings_contains"], [f"%{connection.ops.prep_for_like_query(key)}%"]


def _readings_read_sql(key: str) -> tuple[str, list]:
    """`_readings_sql` as an index reads it: for a key of two characters on PostgreSQL, the pairs index of the
    readings (migration 0020: the trigram index cannot answer a key that short, and the LIKE read every customer)."""
    if connection.vendor == "postgresql" and len(key) == 2:
        return f"crm_pairs({_sql_names()['readings']}) @> ARRAY[%s]::text[]", [key]
    return _readings_sql(key)


def _name_sql(q: str) -> tuple[str, list]:
    """`crm.pinyin.name_q(q)` as a condition on customers' qualified columns: its conditions (the name containing
    a word, from the gram index for one or two Chinese characters; the readings containing a key; the readings
    matching a syllable pattern) written here as the ORM writes them, the ORM compiling only what is not one of
    them (compiling a mobile number's seven conditions through the ORM cost half a millisecond)."""
    qn = connection.ops.quote_name
    table = qn(Customer._meta.db_table)
    columns = {"name": f"{table}.{qn('name')}", "name_readings": f"{table}.{qn('name_readings')}"}

    def render(node):
        if isinstance(node, Q):
            if node.negated or node.connector not in (Q.AND, Q.OR) or not node.children:
                raise LookupError(node)
            parts = [render(child) for child in node.children]
            return f"({f' {node.connector} '.join(sql for sql, _p in parts)})", [p for _s, ps in parts for p in ps]
        if isinstance(node, tuple) and node[0] == "name__icontains":
            return contains_sql(columns["name"], node[1])
        if isinstance(node, tuple) and node[0] == "name_readings__contains":
            return _readings_sql(node[1])
        if isinstance(node, HasGram) and node.source_expressions[0] == F("name"):
            return f"crm_grams({columns['name']}) @> ARRAY[%s]::text[]", [node.source_expressions[1].value]
        if isinstance(node, Regex) and isinstance(node.lhs, Lower) and isinstance(node.rhs, str) \
                and node.lhs.source_expressions == [F("name_readings")]:
            lhs = connection.ops.lookup_cast("regex", "TextField") % f"LOWER({columns['name_readings']})"
            return f"{lhs} {connection.operators['regex'] % '%s'}", [node.rhs]
        raise LookupError(node)

    cond = name_q(q)
    try:
        return render(cond)
    except LookupError:  # a shape this does not write: the ORM's compiler
        return _where(Customer.objects.filter(cond))


def _where(qs) -> tuple[str, list]:
    """The WHERE condition of the queryset `qs` (of customers), compiled: columns qualified by the table's name."""
    sql, params = qs.query.get_compiler(connection=connection).compile(qs.query.where)
    return sql, list(params)


def search_lookups(q: str) -> list[tuple[int, str, list]]:
    """The indexed lookups one search box runs, by kind: [(rank, SQL selecting customer ids, params)]. Each one can
    use its own index (trigram GIN on UPPER(name), name_readings and contacts' UPPER(name); the gram GIN of
    `crm.grams` on customers' and contacts' names for one or two Chinese characters; B-tree on phone_norm,
    credit_code, tax_number, invoice_phone and contacts' mobile_bidx), which an OR over them with EXISTS over
    contacts cannot: that plan scans every customer. The name kind is `crm.pinyin.name_q` (the name, its readings'
    pinyin and initials, every word of the query: conditions on indexed columns of the customer only, which
    PostgreSQL combines with a BitmapOr), compiled by the ORM; a query that is only "the name contains it"
    (`plain_name`: Chinese, no pinyin), or the name or its readings containing one word (`plain_pinyin`: hdwj),
    and the identifier and contact lookups are written here, each one condition on one or two columns (compiling
    them through the ORM cost more than running them)."""
    qn = connection.ops.quote_name
    return [(rank, f"SELECT {qn(key)} AS {qn('pk')} FROM {table} WHERE {condition}", params)  # noqa: S608  # nosec B608 (names from the models' metadata, values bound)
            for rank, table, key, condition, params in _lookups(q)]


def matching_ids(q: str) -> RawSQL:
    """A subquery of the ids of the customers the search `q` finds: the UNION of its indexed lookups."""
    lookups = search_lookups(q)
    return RawSQL(" UNION ".join(sql for _rank, sql, _params in lookups),  # noqa: S611  # nosec B611 (compiled above, values bound)
                  [p for _rank, _sql, params in lookups for p in params])


def search_q(q: str) -> Q:
    """One search box: name, pinyin (full or initials), phone, credit code / tax number, contact mobile and name.
    `Q(pk__in=<UNION of indexed lookups>)`, so that a list page's own filters, scope and sort apply around it."""
    q = " ".join((q or "").split())
    if not q:
        return Q()
    return Q(pk__in=matching_ids(q))


def search_rank(q: str):
    """An expression ranking a found customer (see the RANK_ constants): evaluated on the found rows only."""
    q = " ".join((q or "").split())
    whens = [When(name__istartswith=q, then=Value(RANK_PREFIX)), When(name__icontains=q, then=Value(RANK_NAME))]
    exact = Q()
    code = normalize_credit_code(q)
    if 15 <= len(code) <= 20 and code.isalnum():
        exact |= Q(credit_code=code) | Q(tax_number=code)
    digits = _DIGITS.sub("", q)
    if len(digits) >= 7:
        exact |= Q(phone_norm=normalize_phone(q)) | Q(invoice_phone=q)
        bidx = mobile_index(q)
        if bidx:
            exact |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), mobile_bidx=bidx))
    if exact:
        whens.insert(0, When(exact, then=Value(RANK_EXACT)))
    whens.append(When(name_q(q), then=Value(RANK_PINYIN)))  # its readings, or every word of it
    return Case(*whens, default=Value(RANK_CONTACT), output_field=IntegerField())


_SCOPES: dict = {}  # (database vendor, user id, sees every customer) -> `for_user`'s condition, compiled


def _scope(user) -> tuple[str, list] | None:
    """`Customer.objects.for_user(user)` as a condition on "crm_customer"'s columns, compiled once per user and
    role (the rule stays `for_user`'s; compiling it cost a third of a millisecond a search), None for nobody."""
    if not user.is_authenticated:
        return None
    key = (connection.vendor, user.pk, user.has_perm("crm.view_all_customers"))
    if key not in _SCOPES:
        if len(_SCOPES) > 1000:
            _SCOPES.clear()
        _SCOPES[key] = _where(Customer.objects.for_user(user))
    return _SCOPES[key]


def customer_picks(user, q: str, limit: int = 20) -> list[tuple[int, str, str]]:
    """(id, name, city) of the first `limit` customers `user` may see that the search `q` finds, ranked as
    `customer_search` ranks them (see the RANK_ constants, then by name and id): the customer pickers' lookup.

    One statement, one branch per rank: the first `limit` customers by (name, id) of those that rank there or
    better (an identifier typed in full; the name kind and the name beginning with `q`; the name kind and the name
    containing `q`; the name kind; a contact's name), then per customer its best branch, first `limit`. A branch
    stops after `limit` rows: for a broad term (有限, yxg: a third of the customers) PostgreSQL reads the
    `(name, id)` index and filters, for a rare one it takes the matches from the gram or trigram index and sorts
    them; either way the work does not grow with the matches. This gives `customer_search`'s rows in its order:
    a customer among the first `limit` of the answer has fewer than `limit` customers before it in its best
    branch (each of them ranks better, or the same and sorts before it), so that branch returns it; a customer
    returned only by a worse branch than its best sorts after its true place, never before a customer that
    belongs. The lookups are `_lookups`' SQL, the user's scope `for_user`'s compiled once (`_scope`)."""
    q = " ".join((q or "").split())
    scope = _scope(user)
    lookups = _lookups(q)
    if not lookups or not limit or scope is None:
        return []
    qn = connection.ops.quote_name
    names = _sql_names()
    customers, name_column, id_column = names["customers"], names["name"], names["id"]
    name_like = names["name_icontains"]
    escaped = connection.ops.prep_for_like_query(q)
    exact = [(f"SELECT {qn(key)} FROM {table} WHERE {condition}", params)  # noqa: S608  # nosec B608 (names from the models' metadata, values bound)
             for rank, table, key, condition, params in lookups if rank == RANK_EXACT]
    (by_name, name_params), = [(c, p) for rank, _t, _k, c, p in lookups if rank == RANK_NAME]
    (_r, contacts, key, by_contact, contact_params), = [x for x in lookups if x[0] == RANK_CONTACT]
    branches = []
    if exact:
        branches.append((RANK_EXACT, f"{id_column} IN ({' UNION ALL '.join(sql for sql, _p in exact)})",
                         [p for _sql, params in exact for p in params], False, None, None))
    if " ".join(unicodedata.normalize("NFKC", q).split()) == q:
        # the name kind (`name_q` and its shortcuts) holds every name containing `q`, so the name's beginning and
        # the name containing `q` are tests of the name alone: the beginning, for Chinese and digits, a range of
        # the (name, id) index; the name containing `q`, for Chinese, the test itself as `strpos` on the rows of
        # the gram index or of a walk (below)
        prefix, prefix_params = name_like, [f"{escaped}%"]
        in_order = prefix_range_sql(name_column, q)
        if in_order:  # the range alone: `q` has no letter with a case, so it is the LIKE exactly; with both the
            # planner multiplies their shares, takes a broad prefix (青岛) for a rare one and sorts all its names
            prefix, prefix_params = in_order
        contains, contains_params, every, fallback, piece = *contains_sql(name_column, q), False, None, None
        if connection.vendor == "postgresql" and is_chinese(q):
            # two characters or more: the names holding its piece, in order (below), else as every match read from
            # the gram index; one: few names contain it (by the gram index's statistics): every match from the gram
            # index, then sorted; many: the (name, id) index walked (index-only, `crm_customer_active_name_cover`),
            # each name tested until `limit` match. The planner cannot choose: it does not know how many names the
            # exact test keeps, and it costs a walk as if the matches were spread evenly through the alphabet
            pieces = sorted({q[i:i + MAX_GRAM] for i in range(max(1, len(q) - MAX_GRAM + 1))})
            contains, contains_params = f"strpos({name_column}, %s) > 0", [q]  # no case in Chinese
            from_index = f"crm_grams({name_column}) @> %s::text[] AND {contains}", [pieces, q]
            piece = walk_piece(q)
            if piece:
                fallback, piece = from_index, (*piece, "strpos(k.name, %s) > 0", [q])
            elif few_matches(q):
                every, (contains, contains_params) = True, from_index
            else:
                fallback = from_index
        elif name_piece(q):  # one or two letters or digits, shorter than a trigram: the names holding them in order
            piece = (name_piece(q), True, "TRUE", [])
        branches += [(RANK_PREFIX, prefix, prefix_params, False, None, None),
                     (RANK_NAME, contains, contains_params, every, fallback, piece)]
        pinyin = plain_pinyin(q)
        if pinyin:  # ranking as a reading: the readings contain the key (and the name does not contain `q`); few
            # (by ANALYZE's sample of the readings): every match from the trigram index, sorted; many: the walk,
            # which for a key no run of syllables holds (hdwj) tests `name_keys` in the walk's index (the readings
            # contain it exactly when those do, `crm.pinyin.keys_text`), else the readings, row by row
            reading = pinyin[1]
            index_only = connection.vendor == "postgresql" and not in_syllables(reading)
            piece = walk_piece(reading) if index_only else None  # in `name_keys`' pieces (below)
            every = not piece and few_containing(Customer._meta.db_table, "crm_customer_readings_sample", reading,
                                                 index_only=index_only)
            if piece:
                piece = (*piece, "strpos(k.keys, %s) > 0", [reading])
            if every or not index_only:  # every match read from an index, or the readings walked row by row
                branches.append((RANK_PINYIN, *(_readings_read_sql if every else _readings_sql)(reading), every,
                                 None, None))
            else:
                branches.append((RANK_PINYIN, f"strpos({names['keys']}, %s) > 0", [reading], False,
                                 _readings_sql(reading), piece))
        elif not plain_name(q):  # else the name kind is the name containing `q`: nothing ranks as a reading
            branches.append((RANK_PINYIN, by_name, name_params, False, None, None))
    else:
        branches += [(RANK_PREFIX, f"{by_name} AND {name_like}", [*name_params, f"{escaped}%"], False, None, None),
                     (RANK_NAME, f"{by_name} AND {name_like}", [*name_params, f"%{escaped}%"], False, None, None),
                     (RANK_PINYIN, by_name, name_params, False, None, None)]
    branches.append((RANK_CONTACT, f"{id_column} IN (SELECT {qn(key)} FROM {contacts} "  # noqa: S608  # nosec B608 (names from the models' metadata, values bound)
                                   f"WHERE {by_contact})", contact_params, False, None, None))
    bound = walk_bound(table_rows(Customer._meta.db_table), limit) \
        if any(fallback and not piece for *_b, fallback, piece in branches) else None
    scope_sql, scope_params = scope
    ctes, params, done = [], [], []
    for rank, condition, condition_params, every, fallback, piece in branches:
        # a branch runs only while the better ones found fewer than `limit` customers: when they found `limit`, the
        # answer is theirs (a customer's best branch decides its place), and a broad term's worse branch is not read
        # (青岛 names a tenth of a million customers and begins most of them: the name-contains branch would scan
        # the (name, id) index up to where they sort); PostgreSQL tests the count once, before the branch's plan
        gate, gate_params = "", []
        if done:
            found = " UNION ".join(f"SELECT id FROM {b}" for b in done)  # noqa: S608  # nosec B608 (CTE names)
            gate, gate_params = f"(SELECT count(*) FROM ({found}) AS s) < %s AND ", [limit]  # noqa: S608  # nosec B608 (CTE names)
        columns = f"{rank} AS r, {id_column}, {name_column}, {names['city']}"
        rows = (f"SELECT {columns} "  # noqa: S608  # nosec B608 (names from the models' metadata, conditions compiled above, values bound)
                f"FROM {customers} WHERE {gate}({scope_sql}) AND {condition}")
        if piece:
            # the names holding `piece` in order (`crm_customer_piece`, index-only), each customer read for its
            # city and the user's scope until `limit` are in it: when `q` is the piece, the first entries (建材,
            # zht: at a million customers as at ten thousand); else as far as PIECE_WALK_BOUND entries, each tested
            # in the index (the name, or the keys a key's piece is from), then as below
            text, whole, test, test_params = piece
            if whole:
                test, test_params = "TRUE", []
            walked = (f"SELECT {columns} FROM (SELECT customer_id, name, keys FROM {PIECE_TABLE} "  # noqa: S608  # nosec B608 (as above)
                      f"WHERE {gate}piece = %s ORDER BY name, customer_id{'' if whole else ' LIMIT %s'}) AS k "
                      f"JOIN {customers} ON {id_column} = k.customer_id WHERE {test} AND ({scope_sql}) "
                      f"ORDER BY k.name, k.customer_id LIMIT %s")
            walked_params = [*gate_params, text, *([] if whole else [PIECE_WALK_BOUND]), *test_params,
                             *scope_params, limit]
            if whole:
                ctes.append(f"b{rank} AS MATERIALIZED ({walked})")
                params += walked_params
                done.append(f"b{rank}")
                continue
        elif fallback and bound:
            # an index-only walk, bounded: the first `bound` names in order, tested; when fewer than `limit` of them
            # match, the matches are fewer or bunched further on (州鑫: 2,131 names at a million customers, the first
            # after 350,000 of them, behind 杭州 and 温州), and every match is read from its index and sorted instead
            walked = (f"SELECT {columns} FROM (SELECT {id_column}, {name_column}, {names['city']}, {names['keys']} "  # noqa: S608  # nosec B608 (as above)
                      f"FROM {customers} WHERE {gate}({scope_sql}) ORDER BY {name_column}, {id_column} LIMIT %s) "
                      f"AS {customers} WHERE {condition} LIMIT %s")
            walked_params = [*gate_params, *scope_params, bound, *condition_params, limit]
        if fallback and (bound or piece):
            few, few_params = fallback
            short = f"(SELECT count(*) FROM b{rank}w)"  # noqa: S608  # nosec B608 (a CTE's name)
            # (the tests of whether to read at all stay outside the read: inside, PostgreSQL would start the
            # parallel workers of a broad term's plan before finding it has nothing to do, 6 ms)
            read = (f"SELECT * FROM (SELECT {columns} FROM {customers} WHERE ({scope_sql}) AND {few} OFFSET 0) "  # noqa: S608  # nosec B608 (as above)
                    f"AS {customers} WHERE {gate}{short} < %s ORDER BY {name_column}, {id_column} LIMIT %s")
            ctes += [f"b{rank}w AS MATERIALIZED ({walked})",
                     f"b{rank} AS MATERIALIZED (SELECT * FROM b{rank}w WHERE {short} >= %s UNION ALL ({read}))"]  # noqa: S608  # nosec B608 (as above)
            params += [*walked_params, limit, *scope_params, *few_params, *gate_params, limit, limit]
            done.append(f"b{rank}")
            continue
        if every:  # every match, then sorted (OFFSET 0: the planner does not walk the (name, id) index for them)
            rows = f"SELECT * FROM ({rows} OFFSET 0) AS {customers}"  # noqa: S608  # nosec B608 (as above)
        ctes.append(f"b{rank} AS MATERIALIZED ({rows} ORDER BY {name_column}, {id_column} LIMIT %s)")
        params += [*gate_params, *scope_params, *condition_params, limit]
        done.append(f"b{rank}")
    union = " UNION ALL ".join(f"SELECT * FROM {b}" for b in done)  # noqa: S608  # nosec B608 (CTE names)
    sql = (f"WITH {', '.join(ctes)} SELECT f.id, f.name, f.city FROM ({union}) AS f "  # noqa: S608  # nosec B608 (as above)
           f"GROUP BY f.id, f.name, f.city ORDER BY MIN(f.r), f.name, f.id LIMIT %s")
    with connection.cursor() as cur:
        cur.execute(sql, [*params, limit])
        return cur.fetchall()


def customer_search(user, q: str, limit: int | None = None):
    """The customers `user` may see that the search `q` finds, best matches first (then by name)."""
    qs = (Customer.objects.for_user(user).filter(search_q(q)).select_related("owner")
          .annotate(search_rank=search_rank(q)).order_by("search_rank", "name", "pk"))
    return qs[:limit] if limit else qs


# ---------------------------------------------------------------- duplicates

_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司", "商行", "经营部", "门市部", "店", "厂")


def merge_survivor(user, pk):
    """The customer that the merged customer `pk` lives on in (following merges of merges), if `user` may see it."""
    seen = set()
    current = Customer.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    while current and current not in seen:
        seen.add(current)
        nxt = Customer.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if not nxt:
            break
        current = nxt
    return Customer.objects.for_user(user).filter(pk=current).first() if current else None


def core_name(name: str) -> str:
    """The distinctive part of a name: no spaces, brackets or legal-form suffix, no leading city name."""
    s = re.sub(r"[\s()（）·.,，]", "", name or "").lower()
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix) + 1:
                s, changed = s[: -len(suffix)], True
    return s


def name_similarity(a: str, b: str) -> float:
    a, b = core_name(a), core_name(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


SIMILAR_NAME = 0.8


def find_duplicates(*, name="", city="", credit_code="", phones=(), exclude_pk=None, limit=10) -> list[dict]:
    """Likely duplicates of a customer about to be saved: [{"customer", "reasons": [str, ...]}], strongest first.

    Same credit code, same phone (the customer's or a contact's mobile), or a very similar name
    in the same city. Looks at every customer, not only the user's: a rep must learn that a
    colleague already serves this company.
    """
    found: dict[int, dict] = {}

    def add(customer, reason):
        entry = found.setdefault(customer.pk, {"customer": customer, "reasons": []})
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)

    base = Customer.objects.active().select_related("owner")
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    code = normalize_credit_code(credit_code)
    if code:
        for c in base.filter(Q(credit_code=code) | Q(tax_number=code))[:limit]:
            add(c, _("same unified social credit code %(code)s") % {"code": code})
    for phone in {p for p in phones if p}:
        norm = normalize_phone(phone)
        bidx = mobile_index(phone)
        cond = Q(phone_norm=norm)
        if bidx:
            cond |= Exists(Contact.objects.filter(customer_id=OuterRef("pk"), mobile_bidx=bidx))
        for c in base.filter(cond)[:limit]:
            add(c, _("same phone number %(phone)s") % {"phone": phone})
    core = core_name(name)
    if core and city:
        probe = core[:2]
        candidates = base.filter(contains_q("name", probe), city=city)[:300]
        for c in candidates:
            score = name_similarity(name, c.name)
            if score >= SIMILAR_NAME:
                add(c, _("very similar name in %(city)s (%(score)d%% alike)") % {"city": city,
                                                                                 "score": round(score * 100)})
    result = sorted(found.values(), key=lambda e: -len(e["reasons"]))
    return result[:limit]


def likely_duplicate_pairs(customers=None, *, bucket_limit=300) -> list[dict]:
    """Every pair of active customers that `find_duplicates` would flag against each other, found for all
    customers at once in a fixed number of queries (the data quality page): [{"a_id", "b_id", "reasons"}],
    most reasons first. `customers` narrows the pairs to those with at least one customer in that queryset.

    Same rules and wording as `find_duplicates`: same credit code (or tax number), same phone (the
    customer's phone or a contact's mobile, compared through the mobile blind index), very similar
    name in the same city (candidates share the first characters of `core_name`, at most `bucket_limit`).
    """
    rows = list(Customer.objects.active().values_list("pk", "name", "city", "credit_code", "tax_number",
                                                      "phone_norm"))
    if not rows:
        return []
    pairs: dict[tuple[int, int], list[str]] = {}

    def add(x, y, reason):
        if x == y:
            return
        reasons = pairs.setdefault((min(x, y), max(x, y)), [])
        if reason not in reasons:
            reasons.append(reason)

    def groups(index: dict, reason):
        for key, ids in index.items():
            ids = sorted(set(ids))
            for i, x in enumerate(ids):
                for y in ids[i + 1:]:
                    add(x, y, reason(key))

    codes: dict[str, list[int]] = {}
    phones: dict[str, list[int]] = {}
    shown_phone: dict[str, str] = {}
    by_city: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for pk, name, city, credit_code, tax_number, phone_norm in rows:
        for code in {normalize_credit_code(credit_code), normalize_credit_code(tax_number)} - {""}:
            codes.setdefault(code, []).append(pk)
        if phone_norm:
            key = mobile_index(phone_norm)
            if key:
                phones.setdefault(key, []).append(pk)
                shown_phone.setdefault(key, phone_norm)
        core = core_name(name)
        if core and city:
            by_city.setdefault((city, core[:2]), []).append((pk, name))
    for customer_id, bidx in Contact.objects.filter(customer__merged_into__isnull=True).exclude(mobile_bidx="") \
            .values_list("customer_id", "mobile_bidx"):
        phones.setdefault(bidx, []).append(customer_id)
    phones = {k: v for k, v in phones.items() if len(set(v)) > 1}
    unnamed = [k for k in phones if k not in shown_phone]
    if unnamed:  # a contact's mobile is encrypted: name it masked, as reps without the permission see it
        for bidx, mobile in Contact.objects.filter(mobile_bidx__in=unnamed).values_list("mobile_bidx", "mobile"):
            shown_phone.setdefault(bidx, mask_phone(mobile))
    groups(codes, lambda code: _("same unified social credit code %(code)s") % {"code": code})
    groups(phones, lambda key: _("same phone number %(phone)s") % {"phone": shown_phone.get(key, "")})
    for (city, _probe), members in by_city.items():
        members = members[:bucket_limit]
        for i, (x, a) in enumerate(members):
            for y, b in members[i + 1:]:
                score = name_similarity(a, b)
                if score >= SIMILAR_NAME:
                    add(x, y, _("very similar name in %(city)s (%(score)d%% alike)") % {
                        "city": city, "score": round(score * 100)})
    result = [{"a_id": a, "b_id": b, "reasons": reasons}
              for (a, b), reasons in sorted(pairs.items(), key=lambda item: (-len(item[1]), item[0]))]
    return narrow_pairs(result, customers) if customers is not None else result


def narrow_pairs(pairs: list[dict], customers) -> list[dict]:
    """The pairs of `likely_duplicate_pairs` with at least one customer in the `customers` queryset (one query)."""
    if not pairs:
        return []
    ids = set(customers.filter(pk__in={i for p in pairs for i in (p["a_id"], p["b_id"])})
              .values_list("pk", flat=True))
    return [p for p in pairs if p["a_id"] in ids or p["b_id"] in ids]


# ---------------------------------------------------------------- customer page

def customer_page(customer, user) -> dict:
    now = timezone.now()
    return {
        "contacts": list(customer.contacts.all()),
        "addresses": list(customer.addresses.all()),
        "records": list(customer.records.select_related("created_by", "contact", "opportunity")[:30]),
        "record_count": customer.records.count(),
        "opportunities": list(customer.opportunities.filter(stage__in=OPEN_STAGES).select_related("owner")),
        "closed_opportunities": list(customer.opportunities.exclude(stage__in=OPEN_STAGES)
                                     .select_related("owner").order_by("-closed_at")[:5]),
        "tasks": list(customer.tasks.filter(status=TaskStatusChoices.OPEN).select_related("assignee")),
        "done_tasks": list(customer.tasks.filter(status=TaskStatusChoices.DONE).select_related("assignee")
                           .order_by("-done_at")[:5]),
        "events": list(customer.events.select_related("actor", "from_user", "to_user", "other_customer")[:10]),
        "now": now,
    }


# ---------------------------------------------------------------- KPI evidence (read by performance)

def _fmt(dt):
    return timezone.localtime(dt).strftime("%m-%d %H:%M") if dt else "—"


def kpi_followups_on_time(user, start, end) -> list[dict]:
    """Follow-up tasks of `user` due in [start, end): ok when done by their due time."""
    tasks = (FollowUpTask.objects.filter(assignee=user, due_at__gte=start, due_at__lt=end)
             .exclude(status=TaskStatusChoices.CANCELLED).select_related("customer").order_by("due_at"))
    return [{
        "model": "crm.followuptask", "id": t.pk, "label": f"{t.title} · {t.customer.name}",
        "url": t.customer.get_absolute_url(), "ok": bool(t.done_at and t.done_at <= t.due_at), "value": None,
        "detail": _("due %(due)s, done %(done)s") % {"due": _fmt(t.due_at), "done": _fmt(t.done_at)},
    } for t in tasks]


def kpi_contact_entry_timeliness(user, start, end) -> list[dict]:
    """Contact records entered by `user` in [start, end): ok when entered within 24 h of the contact."""
    records = (ContactRecord.objects.filter(created_by=user, created_at__gte=start, created_at__lt=end)
               .select_related("customer").order_by("created_at"))
    return [{
        "model": "crm.contactrecord", "id": r.pk, "label": f"{r.get_channel_display()} · {r.customer.name}",
        "url": r.customer.get_absolute_url(), "ok": r.created_at - r.occurred_at <= timedelta(hours=24),
        "value": None,
        "detail": _("happened %(at)s, entered %(entered)s") % {"at": _fmt(r.occurred_at),
                                                              "entered": _fmt(r.created_at)},
    } for r in records]


# ---------------------------------------------------------------- dashboard numbers

def rep_summary(user) -> dict:
    now = timezone.now()
    tasks = FollowUpTask.objects.filter(assignee=user, status=TaskStatusChoices.OPEN)
    agg = tasks.aggregate(overdue=Count("pk", filter=Q(due_at__lt=now)),
                          today=Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=1))))
    pipeline = (Opportunity.objects.for_user(user).filter(stage__in=OPEN_STAGES)
                .aggregate(n=Count("pk"), total=Sum("amount"), weighted=Sum(F("amount") * F("probability") / 100)))
    return {**agg, "open_opps": pipeline["n"], "pipeline": pipeline["total"] or 0}


def pipeline_totals(qs) -> dict:
    rows = qs.order_by().values("stage").annotate(n=Count("pk"), total=Sum("amount"))
    return {r["stage"]: {"n": r["n"], "total": r["total"] or 0} for r in rows}


# ---------------------------------------------------------------- sales analytics (aggregated in the database)

def _name(user_row) -> str:
    first, last, username = user_row
    return (f"{first} {last}".strip() or username) if username else _("(no owner)")


def order_figures(user, start, end) -> dict | None:
    """Revenue of [start, end) from sales orders as `user` may see it, asked of the orders app through the
    `sales_figures` signal (CRM does not import orders); None when no app answers."""
    for _receiver, answer in sales_figures.send(sender=Customer, user=user, start=start, end=end):
        if answer is not None:
            return answer
    return None


def _user_names(ids) -> dict:
    from django.contrib.auth import get_user_model

    return {u[0]: u[1:] for u in get_user_model().objects.filter(pk__in=[k for k in ids if k])
            .values_list("pk", "first_name", "last_name", "username")}


def sales_by_rep(start, end, figures=None) -> list[dict]:
    """Per rep over [start, end): orders and net revenue (from `figures`, see order_figures), new customers,
    opportunities won/lost and amount won, win rate, average days from creation to close of the won ones,
    follow-ups due and done on time. One grouped query per measure."""
    from django.db.models import Avg, DurationField, ExpressionWrapper

    rows: dict = {}
    no_sales = 0 if figures is not None else None

    def row(uid):
        return rows.setdefault(uid, {"user_id": uid, "orders": no_sales, "revenue": no_sales, "new_customers": 0,
                                     "won": 0, "lost": 0, "won_amount": 0, "cycle_days": None, "tasks_due": 0,
                                     "tasks_on_time": 0})

    for uid, r in (figures or {}).get("reps", {}).items():
        row(uid).update(orders=r["orders"], revenue=r["revenue"])
    for r in (Customer.objects.active().filter(created_at__gte=start, created_at__lt=end).order_by()
              .values("owner_id").annotate(n=Count("pk"))):
        row(r["owner_id"])["new_customers"] = r["n"]
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    for r in (Opportunity.objects.filter(closed_at__gte=start, closed_at__lt=end).order_by().values("owner_id")
              .annotate(won=Count("pk", filter=Q(stage="won")), lost=Count("pk", filter=Q(stage="lost")),
                        won_amount=Sum("amount", filter=Q(stage="won")),
                        cycle=Avg(cycle, filter=Q(stage="won")))):
        x = row(r["owner_id"])
        x.update(won=r["won"], lost=r["lost"], won_amount=r["won_amount"] or 0,
                 cycle_days=round(r["cycle"].total_seconds() / 86400, 1) if r["cycle"] else None)
    for r in (FollowUpTask.objects.filter(due_at__gte=start, due_at__lt=end)
              .exclude(status=TaskStatusChoices.CANCELLED).order_by().values("assignee_id")
              .annotate(due=Count("pk"), on_time=Count("pk", filter=Q(status=TaskStatusChoices.DONE,
                                                                       done_at__lte=F("due_at"))))):
        x = row(r["assignee_id"])
        x.update(tasks_due=r["due"], tasks_on_time=r["on_time"])
    users = _user_names(rows)
    out = []
    for uid, x in rows.items():
        closed = x["won"] + x["lost"]
        x["name"] = _name(users.get(uid, ("", "", "")))
        x["win_rate"] = round(100 * x["won"] / closed, 1) if closed else None
        x["on_time_rate"] = round(100 * x["tasks_on_time"] / x["tasks_due"], 1) if x["tasks_due"] else None
        out.append(x)
    return sorted(out, key=lambda x: (-(x["revenue"] or 0), -x["won_amount"], x["name"]))


def source_analysis(start, end, figures=None) -> list[dict]:
    """Per source channel: customers acquired in [start, end), how many of them have won an opportunity
    (conversion) and the amount won from them; with `figures` (see order_figures) also the orders, net
    revenue and buying customers of the period from customers of that channel (whenever acquired)."""
    from .choices import CustomerSourceChoices

    won = Opportunity.objects.filter(customer_id=OuterRef("pk"), stage="won")
    rows = (Customer.objects.active().filter(created_at__gte=start, created_at__lt=end).order_by()
            .annotate(has_won=Exists(won)).values("source")
            .annotate(customers=Count("pk"), converted=Count("pk", filter=Q(has_won=True))))
    amounts = dict(Opportunity.objects.filter(stage="won", customer__created_at__gte=start,
                                              customer__created_at__lt=end, customer__merged_into__isnull=True)
                   .order_by().values("customer__source").annotate(total=Sum("amount"))
                   .values_list("customer__source", "total"))
    sales = (figures or {}).get("sources", {})
    no_sales = {"orders": 0, "revenue": 0, "buyers": 0} if figures is not None else \
        {"orders": None, "revenue": None, "buyers": None}
    labels = dict(CustomerSourceChoices.choices)
    out = {}
    for r in rows:
        out[r["source"]] = {"source": r["source"], "customers": r["customers"], "converted": r["converted"],
                            "conversion": round(100 * r["converted"] / r["customers"], 1) if r["customers"] else None,
                            "won_amount": amounts.get(r["source"]) or 0}
    for source in sales:
        out.setdefault(source, {"source": source, "customers": 0, "converted": 0, "conversion": None,
                                "won_amount": amounts.get(source) or 0})
    for source, x in out.items():
        x["label"] = str(labels.get(source, source))
        x.update({k: sales.get(source, {}).get(k, v) for k, v in no_sales.items()})
    return sorted(out.values(), key=lambda x: (-(x["revenue"] or 0), -x["customers"], x["label"]))


def customers_by_revenue(figures) -> list[dict]:
    """The customers with the most net revenue in the period (see order_figures), with owner and source."""
    from .choices import CustomerSourceChoices

    rows = (figures or {}).get("customers", [])
    users = _user_names({r["owner_id"] for r in rows})
    labels = dict(CustomerSourceChoices.choices)
    return [{**r, "source_label": str(labels.get(r["source"], r["source"])),
             "owner": _name(users.get(r["owner_id"], ("", "", ""))),
             "last_order": r["last_order"].strftime("%Y-%m-%d") if r["last_order"] else None} for r in rows]


def pipeline_by_stage() -> list[dict]:
    from .choices import StageChoices

    rows = {r["stage"]: r for r in Opportunity.objects.filter(stage__in=OPEN_STAGES).order_by().values("stage")
            .annotate(n=Count("pk"), total=Sum("amount"),
                      weighted=Sum(F("amount") * F("probability") / 100))}
    return [{"stage": s, "label": str(StageChoices(s).label), "count": rows.get(s, {}).get("n", 0),
             "amount": rows.get(s, {}).get("total") or 0, "weighted": rows.get(s, {}).get("weighted") or 0}
            for s in OPEN_STAGES]


def pipeline_by_month(start, end) -> list[dict]:
    """Open pipeline by expected close month, and won amount by close month, within [start, end)."""
    from django.db.models.functions import TruncMonth

    open_rows = (Opportunity.objects.filter(stage__in=OPEN_STAGES, expected_close__gte=start.date(),
                                            expected_close__lt=end.date())
                 .order_by().annotate(m=TruncMonth("expected_close")).values("m")
                 .annotate(total=Sum("amount"), weighted=Sum(F("amount") * F("probability") / 100)))
    won_rows = (Opportunity.objects.filter(stage="won", closed_at__gte=start, closed_at__lt=end).order_by()
                .annotate(m=TruncMonth("closed_at")).values("m").annotate(total=Sum("amount")))
    months: dict = {}
    for r in open_rows:
        key = r["m"].strftime("%Y-%m")
        months.setdefault(key, {"month": key, "open": 0, "weighted": 0, "won": 0})
        months[key].update(open=r["total"] or 0, weighted=r["weighted"] or 0)
    for r in won_rows:
        key = timezone.localtime(r["m"]).strftime("%Y-%m") if hasattr(r["m"], "tzinfo") and r["m"].tzinfo else \
            r["m"].strftime("%Y-%m")
        months.setdefault(key, {"month": key, "open": 0, "weighted": 0, "won": 0})
        months[key]["won"] = r["total"] or 0
    return [months[k] for k in sorted(months)]


def customers_by_region(limit: int = 40) -> list[dict]:
    rows = (Customer.objects.active().order_by().values("province", "city").annotate(n=Count("pk"))
            .order_by("-n")[:limit])
    return [{"province": r["province"] or "—", "city": r["city"] or "—", "customers": r["n"]} for r in rows]
