"""The dashboard and the staff statement list (desk and API) cost the same number of queries
for 5 statements as for 50: every per-row answer (may I approve it? an open change? who edited
since the last approval?) comes from prefetched data (statements/selectors.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.staff import staff_token
from statements import workflow
from statements.models import Statement
from tests.desk.test_dashboard import _make
from tests.statements import conftest as statement_fixtures
from tests.statements.conftest import EN, MY

pytestmark = pytest.mark.django_db
campaign, staff = statement_fixtures.campaign, statement_fixtures.staff

# Session, user, role and preferences, every section's count in one query, one query for every
# state's page (window function), scheduled, embargoed, the reviews waiting and what the
# approval guards read (prefetched in bulk), overdue, one translations prefetch for every
# section, sends, the header's notifications: 24 when measured (6 of them the role lookups of
# accounts/policy.py), for 5 as for 50 statements; it was 35 + 4 per review row before.
DASHBOARD_BUDGET = 25
# Token, user, role, the page of statements and what every row's "actions" reads: 13 measured.
API_LIST_BUDGET = 16


def _many(staff, campaign, n: int) -> None:
    _make(staff, campaign, n)
    # An open change on a published statement and an edit after approval: the per-row
    # answers the list shows.
    published = Statement.objects.filter(state="published").order_by("pk").first()
    if published is not None:
        workflow.statement_edit(
            statement_id=published.pk,
            by=staff.author,
            translations={"en": EN | {"body": "Changed."}, "my": MY},
        )


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.mark.parametrize("how_many", [5, 50])
def test_dashboard_queries_are_few_and_constant(
    client, staff, campaign, how_many, django_assert_max_num_queries
):
    _many(staff, campaign, how_many)
    client.force_login(staff.editor)
    client.get("/desk/")  # session and permission caches warm, as for a person clicking
    with django_assert_max_num_queries(DASHBOARD_BUDGET):
        response = client.get("/desk/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="waiting"' in page and "Title s 1" in page


def test_dashboard_costs_exactly_the_same_for_5_and_50(client, staff, campaign):
    counts = []
    for prefix, n in (("a", 5), ("b", 45)):
        for i in range(n):
            workflow.statement_create(
                by=staff.author,
                campaign=campaign.slug,
                slug=f"{prefix}-{i}",
                translations={"en": EN, "my": MY},
            )
            statement = Statement.objects.get(slug=f"{prefix}-{i}")
            workflow.statement_submit(statement_id=statement.pk, by=staff.author)
        client.force_login(staff.editor)
        client.get("/desk/")
        counts.append(_count(lambda: client.get("/desk/")))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize("how_many", [5, 50])
def test_staff_api_list_queries_are_constant(
    staff, campaign, how_many, django_assert_max_num_queries
):
    _many(staff, campaign, how_many)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=staff.editor)}")
    api.get("/api/v1/statements/")
    with django_assert_max_num_queries(API_LIST_BUDGET):
        response = api.get("/api/v1/statements/")
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    assert rows and all("actions" in row for row in rows)
