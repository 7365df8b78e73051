"""`crm_customer_piece`: every piece of a customer's name and keys, with the name, in one B-tree ordered by piece,
then name, then id (PostgreSQL only; SQLite keeps its LIKE scans).

The customer pickers show the first 20 matches by name. A term's matches come from the gram or trigram indexes
(GIN: unordered, so every match is read and sorted) or from a walk of the names in order until 20 match; a term with
a few thousand matches at a million customers costs a few milliseconds either way, and that grows with the square
root of the customers. Here the matches of a piece lie together and in name order: the first 20 names holding
`建材` are the first 20 entries under it, read from the index alone, however many customers there are.

The pieces (`crm_pieces(name, keys)`): every run of two and three Chinese characters of the name (杭州鑫泰建材 ->
杭州, 州鑫, … 杭州鑫, 州鑫泰, …); every run of two and three letters or digits of each word of `name_keys` (the
readings' initials: hzxtjc -> hz, zx, …, hzx, zxt, …); and, marked with "=", every run of one and two letters or
digits of the name itself, in capitals (ABC五金 -> =A, =AB, …: the trigram index cannot answer a term that short, and
a walk of the names in order to find none read them all). A term that short, a Chinese term of two or three
characters, or a key of two or three letters, is one piece; a longer one is walked under its rarest piece of three
(`crm.grams.walk_piece`). About 31 rows a customer (30.6 million at a million customers).

PostgreSQL keeps the table itself, as it keeps the gram index: statement triggers on `crm_customer` (insert, update
of the name or keys, delete, truncate) write the changed customers' pieces, so saves, bulk updates, imports and
bulk loaders need do nothing. The fill reads the customers in piece order, so the B-tree is written in order.
"""

from django.db import migrations

CHINESE = r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"  # what splits a name into its runs of Chinese characters

FUNCTION = rf"""
CREATE OR REPLACE FUNCTION crm_pieces(name text, keys text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT p), '{{}}') FROM (
        SELECT substr(r, i, n) AS p
        FROM regexp_split_to_table(coalesce(name, ''), '{CHINESE}') AS r,
             generate_series(1, char_length(r)) AS i, generate_series(2, 3) AS n
        WHERE i + n - 1 <= char_length(r)
        UNION ALL
        SELECT '=' || substr(r, i, n)
        FROM regexp_split_to_table(upper(coalesce(name, '')), '[^0-9A-Z]+') AS r,
             generate_series(1, char_length(r)) AS i, generate_series(1, 2) AS n
        WHERE i + n - 1 <= char_length(r)
        UNION ALL
        SELECT substr(w, i, n)
        FROM regexp_split_to_table(coalesce(keys, ''), ' ') AS w,
             generate_series(1, char_length(w)) AS i, generate_series(2, 3) AS n
        WHERE i + n - 1 <= char_length(w)
    ) AS s
$$"""  # noqa: S608 (constants)

TABLE = """
CREATE TABLE crm_customer_piece (
    piece text NOT NULL,
    name text NOT NULL,
    customer_id bigint NOT NULL,
    keys text,
    PRIMARY KEY (piece, name, customer_id) INCLUDE (keys)
)"""

# the pieces of the customers in `rows` (a transition table or a query's alias), a key's with the keys it is from
PIECES_OF = ("SELECT p.piece, r.name, r.id, CASE WHEN p.piece ~ '^[0-9a-z]' THEN r.name_keys END AS keys "
             "FROM {rows} AS r, unnest(crm_pieces(r.name, r.name_keys)) AS p(piece)")

# the rows of transition table `this` whose name or keys differ in `that`
CHANGED = ("(SELECT o.* FROM {this} AS o JOIN {that} AS a ON a.id = o.id "
           "WHERE a.name IS DISTINCT FROM o.name OR a.name_keys IS DISTINCT FROM o.name_keys)")

TRIGGERS = f"""
CREATE OR REPLACE FUNCTION crm_customer_pieces_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO crm_customer_piece (piece, name, customer_id, keys)
    {PIECES_OF.format(rows="added")} ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION crm_customer_pieces_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM crm_customer_piece AS k USING ({PIECES_OF.format(rows="removed")}) AS p
    WHERE k.piece = p.piece AND k.name = p.name AND k.customer_id = p.id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION crm_customer_pieces_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM crm_customer_piece AS k
    USING ({PIECES_OF.format(rows=CHANGED.format(this="removed", that="added"))}) AS p
    WHERE k.piece = p.piece AND k.name = p.name AND k.customer_id = p.id;
    INSERT INTO crm_customer_piece (piece, name, customer_id, keys)
    {PIECES_OF.format(rows=CHANGED.format(this="added", that="removed"))} ORDER BY 1, 2, 3 ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION crm_customer_pieces_emptied() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE crm_customer_piece;
    RETURN NULL;
END $$;

CREATE TRIGGER crm_customer_pieces_added AFTER INSERT ON crm_customer REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_pieces_added();
CREATE TRIGGER crm_customer_pieces_removed AFTER DELETE ON crm_customer REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_pieces_removed();
CREATE TRIGGER crm_customer_pieces_changed AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_pieces_changed();
CREATE TRIGGER crm_customer_pieces_emptied AFTER TRUNCATE ON crm_customer
    FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_pieces_emptied();
"""  # noqa: S608 (constants)

FILL = ("INSERT INTO crm_customer_piece (piece, name, customer_id, keys) "  # noqa: S608 (constants)
        f"{PIECES_OF.format(rows='crm_customer')} ORDER BY 1, 2, 3")

# the planner's picture of the pieces: the thousand commonest pieces and their shares (`crm.grams.walk_piece`)
STATISTICS = "ALTER TABLE crm_customer_piece ALTER COLUMN piece SET STATISTICS 1000"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (FUNCTION, TABLE, STATISTICS, TRIGGERS, FILL, "ANALYZE crm_customer_piece"):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in ("added", "removed", "changed", "emptied"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS crm_customer_pieces_{event} ON crm_customer")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS crm_customer_pieces_{event}()")
    schema_editor.execute("DROP TABLE IF EXISTS crm_customer_piece")
    schema_editor.execute("DROP FUNCTION IF EXISTS crm_pieces(text, text)")


class Migration(migrations.Migration):
    dependencies = [("crm", "0018_customer_name_keys")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
