"""Short Chinese search terms (one or two characters: 五金, 有限, 张) answered from an index.

pg_trgm needs three characters to narrow a `LIKE '%…%'`, so a search of one or two Chinese characters read every
row. Migration 0014 adds `crm_grams(text)` (every piece of one and two characters of a text) and GIN indexes on
`crm_grams(name)` for customers and contacts: the text is in the name exactly when its one piece is in the name's
pieces, which the index answers. Chinese characters have no case, so this is `name__icontains` for them. Other
databases (SQLite) and other terms keep `icontains`.
"""

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
