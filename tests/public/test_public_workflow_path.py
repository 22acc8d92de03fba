"""The real path: the workflow publishes, corrects and retracts; the public outputs follow
(PDFs made by the task on release_changed, pages, feeds, API)."""

from __future__ import annotations

import pytest

from statements import workflow
from tests.factories import CampaignFactory
from tests.statements.conftest import EN, MY

pytestmark = pytest.mark.django_db


def pdfs(media_root, slug: str) -> set[str]:
    folder = media_root / "pdf"
    return {p.name for p in folder.glob(f"{slug}.*.pdf")} if folder.exists() else set()


def test_publication_correction_and_retraction_reach_every_output(
    client, make_staff, media_root, django_capture_on_commit_callbacks
):
    author, editor = make_staff("author"), make_staff("editor")
    publisher = make_staff("publisher")
    CampaignFactory(slug="asean-complicity")
    with django_capture_on_commit_callbacks(execute=True):
        statement, _ = workflow.statement_create(
            by=author, campaign="asean-complicity", translations={"en": EN, "my": MY}
        )
        slug = statement.slug
        workflow.statement_submit(statement_id=statement.pk, by=author)
        workflow.statement_approve(statement_id=statement.pk, by=editor)
    assert client.get(f"/en/releases/{slug}/").status_code == 404
    assert not pdfs(media_root, slug)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_publish(statement_id=statement.pk, by=publisher)
    published_pdfs = pdfs(media_root, slug)
    assert {name.split(".")[1] for name in published_pdfs} == {"en", "my"}  # made by the task
    assert client.get(f"/my/releases/{slug}/").status_code == 200
    assert slug.encode() in client.get("/my/feeds/releases.xml").content
    assert client.get(f"/api/v1/releases/{slug}/").json()["status"] == "published"

    fixed = EN | {"body": "Paragraph one, corrected.\n\nParagraph two."}
    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_edit(
            statement_id=statement.pk,
            by=author,
            translations={"en": fixed, "my": MY | {"body": "ပြင်ဆင်ပြီး။"}},
        )
        workflow.statement_submit(statement_id=statement.pk, by=author)
        workflow.statement_approve(statement_id=statement.pk, by=editor)
        workflow.statement_correct(
            statement_id=statement.pk,
            by=publisher,
            notes={"en": "Fixed a date.", "my": "ရက်စွဲ ပြင်ဆင်သည်။"},
        )
    corrected_pdfs = pdfs(media_root, slug)
    assert len(corrected_pdfs) == 2 and not corrected_pdfs & published_pdfs  # new files
    page = client.get(f"/en/releases/{slug}/").content.decode()
    assert "Paragraph one, corrected." in page and "Fixed a date." in page
    assert "ရက်စွဲ ပြင်ဆင်သည်။" in client.get(f"/my/releases/{slug}/").content.decode()
    assert client.get(f"/api/v1/releases/{slug}/").json()["status"] == "corrected"

    with django_capture_on_commit_callbacks(execute=True):
        workflow.statement_retract(
            statement_id=statement.pk, by=publisher, reason="Published in error"
        )
    assert not pdfs(media_root, slug)
    tombstone = client.get(f"/en/releases/{slug}/")
    assert tombstone.status_code == 410
    assert "Published in error" in tombstone.content.decode()
    assert "Paragraph one" not in tombstone.content.decode()
    assert client.get(f"/en/releases/{slug}.pdf").status_code == 410
    data = client.get(f"/api/v1/releases/{slug}/").json()
    assert data["status"] == "retracted" and data["retracted_at"]
    assert slug.encode() not in client.get("/api/v1/releases/").content
    assert slug.encode() not in client.get("/en/feeds/releases.xml").content


def test_a_broker_failure_does_not_undo_a_publication(make_release, monkeypatch, caplog):
    from publishing import tasks as tasks_outputs
    from statements.models import Statement
    from statements.signals import release_changed

    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks_outputs.render_release_pdfs, "delay", broken)
    statement = make_release()
    release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    assert "could not queue the PDFs" in caplog.text
