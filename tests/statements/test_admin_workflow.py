"""The Django admin does not route around the workflow: statements are read-only there (with a
link to the desk), and a boilerplate printed under an approved or published release is frozen."""

import pytest

from statements.models import Boilerplate, Statement
from tests.factories import TargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff.admin)
    return client


@pytest.fixture
def about(db):
    return Boilerplate.objects.create(
        slug="about-us", about={"en": "We campaign.", "my": "ကျွန်ုပ်တို့"}, media_contact={}
    )


def test_admin_cannot_retarget_or_re_embargo_a_published_statement(admin_client, published):
    TargetFactory(slug="asean")
    url = f"/admin/statements/statement/{published.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Open in the desk" in page
    for field in ("targets", "asks", "roles", "boilerplate", "kind", "embargo_until"):
        assert f'name="{field}"' not in page, field
    response = admin_client.post(url, {"targets": ["1"], "kind": "briefing", "embargo_until": ""})
    assert response.status_code == 403
    statement = Statement.objects.get(pk=published.pk)
    assert not statement.targets.exists() and statement.kind == "press_release"
    assert (
        admin_client.post(
            f"/admin/statements/statement/{published.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    assert Statement.objects.filter(pk=published.pk).exists()


def test_a_boilerplate_under_a_published_release_is_read_only_and_says_why(
    admin_client, published, about
):
    Statement.objects.filter(pk=published.pk).update(boilerplate=about)
    url = f"/admin/statements/boilerplate/{about.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert "Read-only" in page and published.slug in page
    assert 'name="about' not in page
    response = admin_client.post(url, {"slug": "about-us", "about_en": "Rewritten"})
    assert response.status_code == 403
    about.refresh_from_db()
    assert about.about["en"] == "We campaign."
    response = admin_client.post(
        f"/admin/statements/boilerplate/{about.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403


def test_a_boilerplate_only_drafts_use_stays_editable(admin_client, draft, about):
    Statement.objects.filter(pk=draft.pk).update(boilerplate=about)
    page = admin_client.get(f"/admin/statements/boilerplate/{about.pk}/change/").content.decode()
    assert "Read-only" not in page and 'name="slug"' in page


def test_a_changed_boilerplate_is_a_change_of_what_was_approved(approved, about, staff):
    from statements import workflow

    workflow.statement_edit(statement_id=approved.pk, by=staff.author, boilerplate="about-us")
    workflow.statement_approve(statement_id=approved.pk, by=staff.editor2)
    statement = Statement.objects.get(pk=approved.pk)
    approved_hash = workflow.working_hash(statement)
    Boilerplate.objects.filter(pk=about.pk).update(about={"en": "Changed behind review"})
    assert workflow.working_hash(Statement.objects.get(pk=approved.pk)) != approved_hash
