"""PostgreSQL only: the pg_trgm GIN index serves the search (asserted with EXPLAIN)."""

from __future__ import annotations

import pytest

from statements.models import Statement
from statements.search import search_statements
from tests.factories import CampaignFactory

pytestmark = pytest.mark.django_db

INDEX = "statement_search_text_trgm"


@pytest.fixture
def many_statements(postgres):
    campaign = CampaignFactory(slug="bulk")
    rows = [
        Statement(
            campaign=campaign,
            slug=f"filler-{i}",
            search_text=f"filler release number {i}\nရန်ကုန်မြို့ အစီရင်ခံစာ {i}",
            search_title=f"filler release number {i}",
        )
        for i in range(2000)
    ]
    rows.append(
        Statement(
            campaign=campaign,
            slug="needle",
            search_text="asean must stop legitimising the junta\nမြန်မာနိုင်ငံ စစ်ကောင်စီသည် ထုတ်ပြန်ခဲ့သည်",
            search_title="asean must stop legitimising the junta",
        )
    )
    Statement.objects.bulk_create(rows)
    with postgres.cursor() as cursor:
        cursor.execute("ANALYZE statements_statement")
        # Local to the test's transaction: with 2,000 rows the planner could still prefer a
        # sequential scan; this makes its choice deterministic without changing the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
    return rows


def test_the_trigram_extension_and_index_exist(postgres):
    with postgres.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        (definition,) = cursor.fetchone()
    assert "gin" in definition.lower() and "gin_trgm_ops" in definition
    with postgres.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = "
            "'statements_statement'::regclass AND attname = 'search_text'"
        )
        # EXTERNAL: LIKE reads the text without decompressing it first (migration 0005).
        assert cursor.fetchone() == ("e",)


@pytest.mark.parametrize("query", ["စစ်ကောင်စီ", "Legitimising", "ျမန္မာ"])
def test_search_uses_the_trigram_index(many_statements, query):
    queryset = search_statements(Statement.objects.all(), query)
    plan = queryset.explain()
    assert INDEX in plan, plan
    assert list(queryset.values_list("slug", flat=True)) == ["needle"]


def test_burmese_word_inside_unsegmented_text_on_postgres(many_statements):
    found = search_statements(Statement.objects.all(), "အစီရင်ခံစာ 1999")
    assert list(found.values_list("slug", flat=True)) == ["filler-1999"]


def test_trigram_similarity_ranks_a_closer_match_first(postgres):
    campaign = CampaignFactory(slug="rank")
    Statement.objects.bulk_create(
        [
            # "exact" first, so the newer id (the last tie-break) would put "loose" first.
            Statement(
                campaign=campaign,
                slug="exact",
                search_text="the junta and its allies",
                search_title="the junta and its allies",  # the first line, stored apart
            ),
            Statement(
                campaign=campaign,
                slug="loose",
                search_text="the juntas and their allies",
                search_title="the juntas and their allies",
            ),
        ]
    )
    found = search_statements(Statement.objects.all(), "junta")
    # Both contain "junta"; the whole word is the closer match.
    assert list(found.values_list("slug", flat=True)) == ["exact", "loose"]
