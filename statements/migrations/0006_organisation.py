"""The organisation (letterhead of PDFs and emails): one row, made here so every reader finds it."""

import django.db.models.deletion
from django.db import migrations, models

import campaigns.models
import statements.models


def create_organisation(apps, schema_editor):
    Organisation = apps.get_model("statements", "Organisation")
    Organisation.objects.get_or_create(pk=1, defaults={"name": {"en": "Pressroom"}})


class Migration(migrations.Migration):
    dependencies = [
        ("statements", "0005_search_text_external_storage"),
    ]

    operations = [
        migrations.CreateModel(
            name="Organisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    campaigns.models.LocalisedField(
                        help_text="The organisation's name in each language."
                    ),
                ),
                (
                    "logo",
                    models.FileField(
                        blank=True,
                        help_text="Optional. PNG or JPEG, at most 1 MB.",
                        upload_to="organisation/",
                        validators=[statements.models.validate_logo],
                    ),
                ),
                (
                    "address",
                    campaigns.models.LocalisedField(
                        blank=True, help_text="Postal address, in each language."
                    ),
                ),
                ("website", models.URLField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "default_boilerplate",
                    models.ForeignKey(
                        blank=True,
                        help_text="About us and media contact for releases without their own.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="statements.boilerplate",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="organisation_singleton"
                    )
                ],
            },
        ),
        migrations.RunPython(create_organisation, migrations.RunPython.noop),
    ]
