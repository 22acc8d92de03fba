"""No two holders of one role over overlapping periods, enforced by the database.

PostgreSQL: an exclusion constraint over half-open date ranges (needs btree_gist for the
equality on role_id). SQLite has no exclusion constraints, so triggers refuse the write.
"""

from django.db import migrations

PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """ALTER TABLE campaigns_roleholding ADD CONSTRAINT roleholding_no_overlap
       EXCLUDE USING gist (role_id WITH =, daterange(starts_on, ends_on, '[)') WITH &&)""",
]
PG_DROP = ["ALTER TABLE campaigns_roleholding DROP CONSTRAINT roleholding_no_overlap"]

_SQLITE_OVERLAP = """
    SELECT RAISE(ABORT, 'roleholding_no_overlap: overlaps another holder of the same role')
    WHERE EXISTS (
        SELECT 1 FROM campaigns_roleholding o
        WHERE o.role_id = NEW.role_id AND o.id IS NOT NEW.id
          AND (NEW.ends_on IS NULL OR o.starts_on < NEW.ends_on)
          AND (o.ends_on IS NULL OR o.ends_on > NEW.starts_on)
    );
"""
SQLITE_CREATE = [
    f"CREATE TRIGGER roleholding_no_overlap_insert BEFORE INSERT ON campaigns_roleholding "
    f"BEGIN {_SQLITE_OVERLAP} END",
    f"CREATE TRIGGER roleholding_no_overlap_update BEFORE UPDATE ON campaigns_roleholding "
    f"BEGIN {_SQLITE_OVERLAP} END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS roleholding_no_overlap_insert",
    "DROP TRIGGER IF EXISTS roleholding_no_overlap_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": PG_DROP, "sqlite": SQLITE_DROP}),
        ),
    ]
