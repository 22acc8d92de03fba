"""Statement.search_text: the normalised text of every live translation, for search.

Filled here for existing statements (statements/search.py keeps it up to date afterwards).
On PostgreSQL a GIN trigram index (pg_trgm) serves ``search_text LIKE '%term%'``; SQLite has
no such index and scans, which is fine at the scale of the embedded default.
"""

from django.db import migrations, models

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS statement_search_text_trgm ON statements_statement "
    "USING gin (search_text gin_trgm_ops)",
]
# The extension stays: other objects may use it, and dropping it needs more rights.
PG_DROP = ["DROP INDEX IF EXISTS statement_search_text_trgm"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def fill(apps, schema_editor):
    from statements.search import build_search_text

    Statement = apps.get_model("statements", "Statement")
    Translation = apps.get_model("statements", "StatementTranslation")
    for statement in Statement.objects.only("pk", "slug").iterator():
        rows = Translation.objects.filter(statement_id=statement.pk)
        text = build_search_text(slug=statement.slug, translations=rows)
        Statement.objects.filter(pk=statement.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("statements", "0003_amendments_and_schedule_bookkeeping")]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(
            _run({"postgresql": PG_CREATE}), _run({"postgresql": PG_DROP})
        ),
    ]
