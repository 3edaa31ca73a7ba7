"""Index ``tickets_ticket.search_document`` for full-text search (ADR 0005).

SQLite: an external-content FTS5 table (it stores only the index; the text stays in tickets_ticket)
kept in sync by triggers. The document is already jieba-segmented and space-separated, so the
``unicode61`` tokenizer splits it into exactly those words.
PostgreSQL: a stored generated column ``search_vector = to_tsvector('simple', search_document)`` with
a GIN index (weibao.core.search matches on that column).

Caution (SQLite): a later migration that makes Django rebuild tickets_ticket (copy to a new table,
drop, rename -- e.g. most AlterField) drops these triggers with the old table. Such a migration must
run ``SQLITE_TRIGGERS`` again and ``'rebuild'`` the FTS table; weibao/tickets/tests/test_search.py fails
if the triggers are missing.

The SQL is copied here rather than imported so that this migration keeps doing what it did.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE tickets_ticket_fts USING fts5("
    "search_document, content='tickets_ticket', content_rowid='id', tokenize='unicode61')",
]
SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER tickets_ticket_fts_ai AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO tickets_ticket_fts(rowid, search_document) VALUES (new.id, new.search_document);
    END
    """,
    """
    CREATE TRIGGER tickets_ticket_fts_ad AFTER DELETE ON tickets_ticket BEGIN
        INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
    END
    """,
    # Django's save() writes every column; skip the index work when the document did not change.
    """
    CREATE TRIGGER tickets_ticket_fts_au AFTER UPDATE OF search_document ON tickets_ticket
    WHEN old.search_document IS NOT new.search_document BEGIN
        INSERT INTO tickets_ticket_fts(tickets_ticket_fts, rowid, search_document)
        VALUES ('delete', old.id, old.search_document);
        INSERT INTO tickets_ticket_fts(rowid, search_document) VALUES (new.id, new.search_document);
    END
    """,
]
SQLITE_REBUILD = ["INSERT INTO tickets_ticket_fts(tickets_ticket_fts) VALUES ('rebuild')"]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tickets_ticket_fts_ai",
    "DROP TRIGGER IF EXISTS tickets_ticket_fts_ad",
    "DROP TRIGGER IF EXISTS tickets_ticket_fts_au",
    "DROP TABLE IF EXISTS tickets_ticket_fts",
]

# A stored vector rather than an index on the expression: when PostgreSQL walks ticket_reported_idx
# for the newest matches (its plan for any word in more than ~1 % of tickets) it must test each row,
# and recomputing to_tsvector(search_document) costs ~45 us a row -- 100-400 ms at 200k tickets for a
# word in 1-5 % of them; a stored vector costs ~1 us (ADR 0005). Django does not know the column;
# weibao.core.search addresses it by name. The ALTER rewrites the table (cheap while it is small).
POSTGRESQL_CREATE = [
    "ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_document)) STORED",
    "CREATE INDEX ticket_search_gin ON tickets_ticket USING gin (search_vector)",
    # The planner estimates a word it has no statistics for at min(0.5 %, half the rarest tracked
    # word's share). With the default target the 1 000 tracked words are all above ~1 %, so a word in
    # 60 of 1M tickets was estimated at 5 000 rows and read by walking ticket_reported_idx (0.5-0.9 s).
    # Tracking 10 000 words brings that estimate near 0.05 %: the GIN bitmap is chosen (ADR 0005).
    "ALTER TABLE tickets_ticket ALTER COLUMN search_vector SET STATISTICS 1000",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS ticket_search_gin",
    "ALTER TABLE tickets_ticket DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE + SQLITE_TRIGGERS + SQLITE_REBUILD)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_CREATE)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_seed_desk")]
    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
