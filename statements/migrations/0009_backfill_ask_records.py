"""Ask records for releases published before the ledger existed: made by the first, repeated
by later ones, dated by publication. Idempotent (one row per ask and release)."""

from django.db import migrations


def backfill(apps, schema_editor):
    Statement = apps.get_model("statements", "Statement")
    AskRecord = apps.get_model("statements", "AskRecord")
    released = Statement.objects.filter(
        state__in=["published", "corrected", "retracted"], published_at__isnull=False
    ).order_by("published_at", "id")
    seen = set(AskRecord.objects.values_list("ask_id", flat=True))
    for statement in released:
        for ask_id in statement.asks.values_list("id", flat=True):
            if AskRecord.objects.filter(ask_id=ask_id, statement_id=statement.pk).exists():
                continue
            AskRecord.objects.create(
                ask_id=ask_id,
                statement_id=statement.pk,
                role="repeated" if ask_id in seen else "made",
                published_at=statement.published_at,
            )
            seen.add(ask_id)


class Migration(migrations.Migration):
    dependencies = [("statements", "0008_campaign_ledger")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
