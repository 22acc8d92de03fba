"""Store Statement.search_text uncompressed out of line on PostgreSQL (STORAGE EXTERNAL).

Search runs LIKE over this column for every candidate row, and for a common word that is
every row: decompressing each value first was most of the time (bench/search.py measured
a count over 10,000 statements at about 200 ms compressed, 50-90 ms uncompressed). The cost
is disk: about 1.5 times the table size. Existing values keep their storage until rewritten
(refresh_search_text rewrites them on the next edit). SQLite has no such setting.
"""

from django.db import migrations

PG_FORWARD = ["ALTER TABLE statements_statement ALTER COLUMN search_text SET STORAGE EXTERNAL"]
PG_BACKWARD = ["ALTER TABLE statements_statement ALTER COLUMN search_text SET STORAGE EXTENDED"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("statements", "0004_statement_search_text")]

    operations = [
        migrations.RunPython(_run({"postgresql": PG_FORWARD}), _run({"postgresql": PG_BACKWARD})),
    ]
