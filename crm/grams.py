"""Short Chinese search terms (one or two characters: 五金, 有限, 张) answered from an index.

pg_trgm needs three characters to narrow a `LIKE '%…%'`, so a search of one or two Chinese characters read every
row. Migration 0014 adds `crm_grams(text)` (every piece of one and two characters of a text) and GIN indexes on
`crm_grams(name)` for customers and contacts: the text is in the name exactly when its one piece is in the name's
pieces, which the index answers. Chinese characters have no case, so this is `name__icontains` for them. Other
databases (SQLite) and other terms keep `icontains`.
"""

import math
import re

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

MAX_GRAM = 2  # the longest piece crm_grams() stores
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


class HasGram(Func):
    """`crm_grams(field) @> ARRAY[text]`: the field holds `text` (one or two characters) somewhere."""

    output_field = BooleanField()

    def as_sql(self, compiler, connection, **extra_context):
        field, field_params = compiler.compile(self.source_expressions[0])
        text, text_params = compiler.compile(self.source_expressions[1])
        return f"crm_grams({field}) @> ARRAY[{text}]::text[]", (*field_params, *text_params)


def is_short(text: str) -> bool:
    """One or two Chinese characters: what the gram indexes answer (and the trigram indexes cannot)."""
    return 0 < len(text) <= MAX_GRAM and bool(_CHINESE.fullmatch(text))


def is_chinese(text: str) -> bool:
    """Chinese characters only."""
    return bool(_CHINESE.fullmatch(text))


def contains_q(field: str, text: str) -> Q:
    """`field` contains `text`, case-insensitively: `Q(field__icontains=text)`, answered from the gram index when
    `text` is one or two Chinese characters on PostgreSQL (`field` is `name` of a customer or contact)."""
    if connection.vendor == "postgresql" and is_short(text):
        return Q(HasGram(F(field), Value(text)))
    return Q(**{f"{field}__icontains": text})


def contains_sql(column: str, text: str) -> tuple[str, list]:
    """What `contains_q` compiles to, for a hand-written query: (condition on `column`, params)."""
    if connection.vendor == "postgresql" and is_short(text):
        return f"crm_grams({column}) @> ARRAY[%s]::text[]", [text]
    lhs = connection.ops.lookup_cast("icontains", "CharField") % column
    return f"{lhs} {connection.operators['icontains'] % '%s'}", [f"%{connection.ops.prep_for_like_query(text)}%"]


PIECE_STATS_SECONDS = 600  # how long a process keeps the gram index's statistics (ANALYZE refreshes them)
_piece_stats: dict = {}  # index -> (read at, ({piece: share of rows}, share below which pieces are not listed))


def _cached(store: dict, key, read):
    """`read()`, kept in `store` under `key` for PIECE_STATS_SECONDS (statistics: ANALYZE refreshes them)."""
    import time

    now = time.monotonic()
    cached = store.get(key)
    if cached and now - cached[0] < PIECE_STATS_SECONDS:
        return cached[1]
    value = read()
    store[key] = (now, value)
    return value


def _shares(sql: str, params: list) -> tuple[dict, float]:
    """({value: share}, the smallest share listed) from one pg_stats row of (values, their shares, then more)."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if not (row and row[0] and row[1]):
        return {}, 0.0
    listed = row[1][:len(row[0])]
    # a gram index's element shares are followed by the smallest, the largest and the share of NULLs
    return dict(zip(row[0], listed, strict=True)), row[1][len(listed)] if len(row[1]) > len(listed) else min(listed)


def piece_shares(index: str) -> tuple[dict, float]:
    """The share of rows whose name holds each of the commonest pieces, as ANALYZE measured it for the gram index
    `index` (its most common elements, about a thousand), and the smallest share it lists; ({}, 0.0) before any
    ANALYZE. Read once per process every PIECE_STATS_SECONDS."""
    return _cached(_piece_stats, index, lambda: _shares(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = %s", [index]))


_codepoint_order: dict = {}  # database name -> whether its collation orders text by code point


def prefix_range_sql(column: str, text: str) -> tuple[str, list] | None:
    """`column` begins with `text` as a range of `column`'s B-tree (in order: a LIMIT stops early) when the database
    orders text by code point (C, POSIX, C.UTF-8: there, the texts beginning with `text` are exactly those from
    `text` up to `text` with its last character's successor), for a `text` without letters that have a case
    (Chinese, digits: the case-insensitive test is this one); else None. PostgreSQL 15 turns a LIKE prefix into
    such a range only in the collation named C."""
    successor = chr(ord(text[-1]) + 1) if text and ord(text[-1]) < 0x10FFFF else ""
    if connection.vendor != "postgresql" or not successor or "\ud800" <= successor <= "\udfff" \
            or text.upper() != text.lower():
        return None
    name = connection.settings_dict["NAME"]
    if name not in _codepoint_order:
        with connection.cursor() as cur:
            cur.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
            collate = cur.fetchone()[0]
        _codepoint_order[name] = collate in ("C", "POSIX") or collate.lower() in ("c.utf-8", "c.utf8")
    if not _codepoint_order[name]:
        return None
    return f"{column} >= %s AND {column} < %s", [text, text[:-1] + successor]


FEW_MATCHES = 5000  # a walk that reads the table for each name: up to this many matches are read from their index
# a walk that reads the index alone tests an entry in about a fourteenth of the time a match costs read from its
# index (the table's row) and sorted (0.14 against 2 µs, a million customers in memory): finding 20 among m matches
# of n rows by walking costs 20·n/m entries, so reading the m matches is cheaper up to m = sqrt(20 · 0.07 · n)
INDEX_WALK_FACTOR = 20 * 0.07


def few_limit(rows: float, *, index_only: bool = True) -> float:
    """Up to how many matches among `rows` rows are best read from their index and sorted (more: walked in name
    order until 20 match): sqrt(INDEX_WALK_FACTOR · rows) for a walk that reads the index alone (1,200 at a million
    customers, 120 at ten thousand), FEW_MATCHES for one that reads the table."""
    return min(FEW_MATCHES, math.sqrt(INDEX_WALK_FACTOR * rows)) if index_only else FEW_MATCHES


def few_matches(text: str, table: str = "crm_customer", index: str = "crm_customer_name_grams") -> bool:
    """Whether the names that contain the Chinese `text` are few (the rarest of its pieces in at most `few_limit`
    rows of `table`, by the gram index's statistics): then its matches are best read from the gram index and
    sorted; else the names are best walked in order (the `(name, id)` index, index-only) until enough match.
    The planner cannot tell: it does not know how many names the exact test keeps, and a walk that fetches few
    rows it costs as if the matches were spread evenly through the alphabet."""
    if connection.vendor != "postgresql" or not is_chinese(text):
        return False
    shares, floor = piece_shares(index)
    pieces = [text[i:i + MAX_GRAM] for i in range(max(1, len(text) - MAX_GRAM + 1))]
    rows = table_rows(table)
    return min(shares.get(piece, floor) for piece in pieces) * rows <= few_limit(rows)  # the walk is index-only


def walk_bound(rows: float, limit: int = 20) -> int | None:
    """How far a walk of the index alone goes before the matches are read from their index instead (see
    `crm.selectors.customer_picks`): four times as far as `limit` matches lie when there are `few_limit` of them
    spread evenly (68,000 names at a million customers, 10 ms at most); None when that is every row. Matches bunch
    (names sort by region and brand), so a walk that stops sooner falls back more often: at a million customers
    twice as far gave p95 9.8 ms, four times 7.5–8.0, eight times 8.2 (the bench's 200 queries, best of three)."""
    bound = math.ceil(4 * limit * rows / max(few_limit(rows), 1.0))
    return bound if bound < rows else None


_table_rows: dict = {}  # table -> (read at, rows as ANALYZE counted them)


def table_rows(table: str) -> float:
    """The rows of `table` as ANALYZE or VACUUM last counted them (pg_class.reltuples), read once per process every
    PIECE_STATS_SECONDS."""

    def read():
        with connection.cursor() as cur:
            cur.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
            row = cur.fetchone()
        return max(float(row[0]), 0.0) if row and row[0] is not None else 0.0

    return _cached(_table_rows, table, read)


_column_stats: dict = {}  # statistics -> (read at, ([(common value, share)], [sampled values], share of the rest))


def contains_share(table: str, statistics: str, text: str) -> float | None:
    """The share of the rows of `table` whose sampled expression contains `text`, as ANALYZE's sample tells it: the
    common values and their shares, and the histogram's values for the rest, of the extended statistics object
    `statistics` on one expression of `table` (migration 0017: `crm_customer_readings_sample`, the readings at a
    statistics target of 1,000, which the planner does not read: a target of 1,000 on the column itself made it
    test every sampled value against each LIKE and regex of a query while planning, 7 ms for a mobile number);
    None before any ANALYZE or elsewhere than on PostgreSQL. Read once per process every PIECE_STATS_SECONDS."""
    if connection.vendor != "postgresql":
        return None

    def read():
        with connection.cursor() as cur:
            cur.execute("SELECT most_common_vals::text::text[], most_common_freqs, histogram_bounds::text::text[], "
                        "null_frac FROM pg_stats_ext_exprs WHERE schemaname = current_schema() AND tablename = %s "
                        "AND statistics_name = %s", [table, statistics])
            row = cur.fetchone()
        if not row:
            return None, [], 0.0
        return (list(zip(row[0] or [], row[1] or [], strict=True)), row[2] or [],
                max(0.0, 1.0 - (row[3] or 0.0) - sum(row[1] or [])))

    common, sampled, rest = _cached(_column_stats, statistics, read)
    if common is None:
        return None
    share = sum(freq for value, freq in common if text in value)
    if sampled:
        share += rest * sum(text in value for value in sampled) / len(sampled)
    return share


def few_containing(table: str, statistics: str, text: str, *, index_only: bool = False) -> bool:
    """Whether at most `few_limit` rows of `table` contain `text` in the expression of `statistics`, by ANALYZE's
    sample (see `contains_share`); False when unknown. `index_only`: the walk it would take instead reads the index
    alone. A sample of 1,000 values tells 0.5 % from 1 % only roughly: a key near the line of a walk that reads the
    table (zht: 5,000 names at a million customers, most of them late in the alphabet) is read either way depending
    on the sample, 20 ms from the trigram index or 350,000 rows walked (2.5 s); walking the index alone, the same
    350,000 entries take 50 ms."""
    share = contains_share(table, statistics, text)
    if share is None:
        return False
    rows = table_rows(table)
    return share * rows <= few_limit(rows, index_only=index_only)


PIECE_TABLE = "crm_customer_piece"  # migration 0019: (piece, name, customer_id), one B-tree in that order
PIECE_SIZE = 3  # the longest piece it holds (Chinese and keys: two and three; a name's own letters: one and two)
# how far a walk under a piece that is not the whole term goes (each entry tested in the index: about 0.15 µs)
# before the term's matches are read from their index instead (a long term whose rarest piece is common, and few of
# whose names match)
PIECE_WALK_BOUND = 10_000
_KEY = re.compile(r"[0-9a-z]+")
_piece_table_stats: dict = {}


def walk_piece(text: str) -> tuple[str, bool] | None:
    """The piece of `crm_customer_piece` under which the customers whose name holds the Chinese `text` (two
    characters or more), or whose `name_keys` hold the key `text` (two lower-case letters or digits or more), lie
    in name order, and whether every name under it matches (`text` is the piece); for a longer `text` its rarest
    piece of three, by ANALYZE's thousand commonest pieces (a piece not among them is rarer than all of them).
    None elsewhere than on PostgreSQL, or for one character (一, w: dense, walked in the (name, id) index)."""
    if connection.vendor != "postgresql" or len(text) < 2 or not (is_chinese(text) or _KEY.fullmatch(text)):
        return None
    if len(text) <= PIECE_SIZE:
        return text, True
    shares, floor = _cached(_piece_table_stats, PIECE_TABLE, lambda: _shares(
        "SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'piece'", [PIECE_TABLE]))
    pieces = [text[i:i + PIECE_SIZE] for i in range(len(text) - PIECE_SIZE + 1)]
    return min(pieces, key=lambda piece: shares.get(piece, floor)), False


def name_piece(text: str) -> str | None:
    """The piece of `crm_customer_piece` under which the customers whose name holds the letters or digits `text`
    (one or two, any case: shorter than a trigram) lie in name order: "=" and `text` in capitals, as the name is
    compared (`UPPER(name) LIKE UPPER(…)`); None elsewhere than on PostgreSQL or for another `text`."""
    if connection.vendor != "postgresql" or not (1 <= len(text) <= 2 and text.isascii() and text.isalnum()):
        return None
    return "=" + text.upper()
