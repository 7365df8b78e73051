"""The customer list's search box (issue 19): the customers the search finds, as a filter that the list's paginator
reads part by part.

`selectors.search_q` filters by `pk IN` the UNION of the search's indexed lookups (`selectors.search_lookups`); the
list sorted by name (or another column) then read every match to sort it, and its count read up to
`LIST_EXACT_COUNT_MAX + 1` of them: a broad term (经营, yyx, 饰材: thousands of customers) cost 100–170 ms. Here the
same UNION is an `AnyOf` (`core.pagination`) that also names each lookup as a condition on a customer's row, so that
on PostgreSQL the paginator reads a page as each lookup's first `offset + per_page` customers in the list's order
(with the list's scope, filters and sort), merged, and counts each lookup's first rows only. The rows, their order
and every page are those of `search_q`; other databases (SQLite) and lists sorted in an order that is not total run
the UNION as before.
"""

from django.db import connection
from django.db.models import Q

from hardware_erp.core.pagination import AnyOf

from .grams import contains_sql, is_chinese, is_short, piece_shares
from .pinyin import plain_name
from .selectors import _lookups, _sql_names, search_lookups

GRAM_INDEX = "crm_customer_name_grams"  # migration 0014


COMMON_PIECE = 0.01  # share of the names holding a piece from which a part tests it by `strpos` alone


def _strpos_first(condition: str, params: list, column: str) -> tuple[str, list]:
    """`condition` with each test "`column`'s pieces hold x" (`crm.grams`, x one or two characters) preceded by
    `strpos(column, x) > 0`: the same test (the pieces are every substring of one and two characters) without
    computing the pieces. A part read along the (name, id) index, or counted by a scan, tests each name it passes,
    and `crm_grams` costs 25 µs a name (1.5 s for 温州, whose names sort after 60,000 others); `strpos` first, the
    gram index still serves a rare piece; a common one (in `COMMON_PIECE` of the names or more, by the gram index's
    statistics) is tested by `strpos` alone, as the planner would read it along an index or a scan anyway and
    compute the pieces of every name it keeps (10,000 for the count of 限公: 150 ms)."""
    gram = f"crm_grams({column}) @> ARRAY[%s]::text[]"
    pieces = condition.split(gram)
    if len(pieces) == 1:
        return condition, params
    shares, _floor = piece_shares(GRAM_INDEX)
    out, out_params, used = [], [], 0
    for i, piece in enumerate(pieces):
        taken = piece.count("%s")
        out.append(piece)
        out_params += params[used:used + taken]
        used += taken
        if i == len(pieces) - 1:
            break
        text = params[used]
        used += 1
        if not (isinstance(text, str) and 1 <= len(text) <= 2):
            return condition, params  # not a piece crm_grams stores: as it is
        if shares.get(text, 0.0) >= COMMON_PIECE:
            out.append(f"(strpos({column}, %s) > 0)")
            out_params.append(text)
        else:
            out.append(f"(strpos({column}, %s) > 0 AND {gram})")
            out_params += [text, text]
    return "".join(out), out_params


def _parts(q: str) -> list[tuple[str, list]]:
    """Each lookup of the search `q` as a condition on a customer's row ("crm_customer"'s qualified columns)."""
    names, qn = _sql_names(), connection.ops.quote_name
    plain = plain_name(q)
    # a name of Chinese characters (no case) of three or more, "UPPER(name) LIKE UPPER('%…%')" (the trigram index):
    # `strpos` first, the same test at a quarter of the cost for each name a part reads along an index or a scan
    # (60 ms for the 100,000 names against 18 ms)
    caseless = (contains_sql(names["name"], plain), plain) if plain and is_chinese(plain) and not is_short(plain) \
        else None
    parts = []
    for _rank, table, key, condition, params in _lookups(q):
        if caseless and (condition, params) == (caseless[0][0], caseless[0][1]) and connection.vendor == "postgresql":
            parts.append((f"(strpos({names['name']}, %s) > 0 AND {condition})", [caseless[1], *params]))
        elif table == names["customers"] and key == "id":
            parts.append(_strpos_first(condition, params, names["name"]))
        else:  # a lookup on another table (contacts): the customers it names
            parts.append((f"{names['id']} IN (SELECT {qn(key)} FROM {table} WHERE {condition})", params))  # noqa: S608  # nosec B608 (names from the models' metadata, values bound)
    return parts


def list_search_q(q: str) -> Q:
    """The customers the search `q` finds (`selectors.search_q`'s rows), as a filter the list pages by lookup."""
    q = " ".join((q or "").split())
    if not q:
        return Q()
    lookups = search_lookups(q)
    return Q(pk__in=AnyOf(" UNION ".join(sql for _rank, sql, _params in lookups),
                          [p for _rank, _sql, params in lookups for p in params], _parts(q)))
