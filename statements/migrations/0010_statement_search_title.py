"""Statement.search_title (the first line of search_text: every title) and, on PostgreSQL, a
trigram index on it and a btree index in "newest first" order.

Search finds title matches through the short column (its statistics are good, so the planner
chooses well between the index and a walk), and walks the newest-first index with a LIMIT for
a word found in most statements instead of reading every match (statements/search.py).
"""

from django.db import migrations, models

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS statement_search_title_trgm ON statements_statement "
    "USING gin (search_title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS statement_newest ON statements_statement "
    "(published_at DESC NULLS LAST, created_at DESC, id DESC)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS statement_search_title_trgm",
    "DROP INDEX IF EXISTS statement_newest",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill(apps, schema_editor):
    Statement = apps.get_model("statements", "Statement")
    for pk, text in Statement.objects.values_list("pk", "search_text").iterator():
        Statement.objects.filter(pk=pk).update(search_title=text.split("\n", 1)[0])


class Migration(migrations.Migration):
    dependencies = [("statements", "0009_backfill_ask_records")]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="search_title",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(_run({"postgresql": PG_CREATE}), _run({"postgresql": PG_DROP})),
    ]
