import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings

from statements.models import Review, Statement, StatementTranslation
from tests.factories import StatementFactory, TranslationFactory

pytestmark = pytest.mark.django_db


def _translate(source: StatementTranslation, language: str) -> StatementTranslation:
    return TranslationFactory(
        statement=source.statement,
        language=language,
        title="ခေါင်းစဉ်",
        summary="အကျဉ်း",
        body="စာကိုယ်",
        source_hash=source.content_hash(),
    )


def test_translation_made_from_the_current_source_is_not_stale():
    source = TranslationFactory(language="en")
    burmese = _translate(source, "my")
    assert not burmese.is_stale()
    assert not source.is_stale()


def test_translation_becomes_stale_when_its_source_changes():
    source = TranslationFactory(language="en")
    burmese = _translate(source, "my")
    source.body += "\n\nA new paragraph."
    source.save()
    burmese.refresh_from_db()
    assert burmese.is_stale()


def test_retranslating_from_the_new_source_clears_staleness():
    source = TranslationFactory(language="en")
    burmese = _translate(source, "my")
    source.title = "Changed"
    source.save()
    burmese.source_hash = source.content_hash()
    burmese.save()
    assert not burmese.is_stale()


def test_translation_is_complete_only_with_title_summary_and_body():
    t = TranslationFactory(language="en")
    assert t.is_complete
    t.summary = ""
    assert not t.is_complete
    t.summary = "back"
    t.marked_complete = False
    assert not t.is_complete


def test_one_translation_per_statement_and_language():
    source = TranslationFactory(language="en")
    with pytest.raises(IntegrityError), transaction.atomic():
        TranslationFactory(statement=source.statement, language="en")


def test_statement_slugs_are_unique():
    StatementFactory(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(slug="same")


@pytest.mark.parametrize("slug", ["မြန်မာ", "Upper-Case", "trailing-", "with space"])
def test_statement_slug_must_be_lower_case_ascii(slug):
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(slug=slug)


def test_a_published_statement_has_a_publication_time():
    with pytest.raises(IntegrityError), transaction.atomic():
        StatementFactory(state=Statement.State.PUBLISHED, published_at=None)


def test_requesting_changes_needs_a_comment(make_staff):
    statement = StatementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            statement=statement,
            reviewer=make_staff("editor"),
            decision="request_changes",
            comment="",
            content_hash="x",
        )


def test_content_hash_covers_every_language():
    source = TranslationFactory(language="en")
    burmese = _translate(source, "my")
    before = source.statement.content_hash()
    burmese.body = "ပြင်ဆင်ထားသော စာကိုယ်"
    burmese.save()
    assert source.statement.content_hash() != before


def test_a_third_language_needs_no_migration():
    with override_settings(LANGUAGES=[("en", "English"), ("my", "Burmese"), ("th", "Thai")]):
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
        source = TranslationFactory(language="en")
        thai = TranslationFactory(statement=source.statement, language="th", title="หัวข้อ")
        thai.full_clean()
