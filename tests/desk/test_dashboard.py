"""The dashboard: sections with column headers, dated by publication, empty sections in one
line, pages instead of whole lists, and the same number of queries however many statements."""

from __future__ import annotations

import pytest

from desk.views.statements import DASHBOARD_PAGE
from statements import workflow
from statements.models import Statement
from tests.statements import conftest as statement_fixtures
from tests.statements.conftest import EN, MY

pytestmark = pytest.mark.django_db
# The statements suite's fixtures, shared.
campaign, staff = statement_fixtures.campaign, statement_fixtures.staff


def _make(staff, campaign, n: int, *, prefix: str = "s") -> None:
    """n statements spread over draft, in review, approved and published."""
    for i in range(n):
        statement, _ = workflow.statement_create(
            by=staff.author,
            campaign=campaign.slug,
            slug=f"{prefix}-{i}",
            translations={"en": EN | {"title": f"Title {prefix} {i}"}, "my": MY},
        )
        kind = i % 4
        if kind >= 1:
            workflow.statement_submit(statement_id=statement.pk, by=staff.author)
        if kind >= 2:
            workflow.statement_approve(statement_id=statement.pk, by=staff.editor2)
        if kind == 3:
            workflow.statement_publish(statement_id=statement.pk, by=staff.publisher)


def _section(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


def test_sections_have_column_headers_and_plain_state_words(client, staff, campaign):
    _make(staff, campaign, 4)
    client.force_login(staff.editor)
    page = client.get("/desk/").content.decode()
    waiting = _section(page, 'id="waiting"', "</section>")
    for header in ("Title", "Campaign", "State", "Published or updated", "Author"):
        assert f">{header}</th>" in waiting
    assert "Title s 1" in waiting and ">In review<" in waiting
    published = _section(page, 'id="state-published"', "</section>")
    assert ">Published<" in published and "in_review" not in page.replace('"state-in_review', "")


def test_rows_are_dated_by_publication_and_newest_published_first(client, staff, campaign):
    _make(staff, campaign, 8)
    first, second = Statement.objects.filter(state="published").order_by("pk")
    Statement.objects.filter(pk=first.pk).update(published_at="2026-01-02T10:00:00Z")
    Statement.objects.filter(pk=second.pk).update(published_at="2026-03-04T11:30:00Z")
    client.force_login(staff.editor)
    published = _section(client.get("/desk/").content.decode(), 'id="state-published"', "</sect")
    assert "2026-03-04 11:30" in published and "2026-01-02 10:00" in published
    assert published.index(second.slug) < published.index(first.slug)
    drafts = _section(client.get("/desk/").content.decode(), 'id="state-draft"', "</section>")
    assert "Updated" in drafts


def test_empty_sections_are_one_line_each_not_empty_tables(client, staff, campaign):
    _make(staff, campaign, 1)  # one draft, nothing else
    client.force_login(staff.editor)
    page = client.get("/desk/").content.decode()
    assert "Nothing waiting for your review." in page
    assert "Nothing scheduled." in page and "Nothing under embargo." in page
    assert page.count("<table") == 1  # the drafts' table only
    assert "No statements: In review, Changes requested, Approved" in page


def test_a_long_section_is_paginated(client, staff, campaign):
    for i in range(DASHBOARD_PAGE + 3):
        workflow.statement_create(
            by=staff.author, campaign=campaign.slug, slug=f"d-{i}", translations={"en": EN}
        )
    client.force_login(staff.author)
    first = _section(client.get("/desk/").content.decode(), 'id="state-draft"', "</section>")
    assert first.count("<tr>") == DASHBOARD_PAGE + 1  # header row + a page
    assert "Page 1 of 2" in first and "draft_page=2" in first
    second = client.get("/desk/?draft_page=2").content.decode()
    assert _section(second, 'id="state-draft"', "</section>").count("<tr>") == 3 + 1


def test_waiting_lists_only_what_this_editor_may_approve(client, staff, campaign):
    _make(staff, campaign, 2)  # s-1 in review, written by the author
    mine, _ = workflow.statement_create(
        by=staff.editor, campaign=campaign.slug, slug="editors-own", translations={"en": EN}
    )
    workflow.statement_submit(statement_id=mine.pk, by=staff.editor)
    client.force_login(staff.editor)
    waiting = _section(client.get("/desk/").content.decode(), 'id="waiting"', "</section>")
    assert "s-1" in waiting and "editors-own" not in waiting
    client.force_login(staff.author)  # authors do not review: no such section
    assert 'id="waiting"' not in client.get("/desk/").content.decode()


@pytest.mark.parametrize("how_many", [5, 50])
def test_dashboard_queries_do_not_grow_with_statements(
    client, staff, campaign, how_many, django_assert_max_num_queries
):
    _make(staff, campaign, how_many)
    client.force_login(staff.editor)
    client.get("/desk/")  # session and permission caches warm, as for a person clicking
    with django_assert_max_num_queries(QUERY_BUDGET):
        response = client.get("/desk/")
    assert response.status_code == 200


# Session, user, role, preference, grouped counts, one page (+ prefetches) per non-empty
# state and section (~35), and transitions.can() (4 queries) over at most one page of reviews
# (REVIEW_PAGE = 10): the same bound for 5 statements as for 50.
QUERY_BUDGET = 80
