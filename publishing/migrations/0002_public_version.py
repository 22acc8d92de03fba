import uuid

from django.db import migrations, models


def create_row(apps, schema_editor):
    # A random first token: a page cache kept in Redis across a rebuilt database never
    # answers with pages of the old one.
    apps.get_model("publishing", "PublicVersion").objects.get_or_create(
        pk=1, defaults={"token": uuid.uuid4().hex}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("publishing", "0001_signatures"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.CharField(max_length=32)),
                ("next_change", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
