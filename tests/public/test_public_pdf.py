"""PDFs per language: made on publication or correction, cached, with the fonts embedded."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import override_settings

from statements.models import Statement
from statements.signals import release_changed
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db


def pdffonts(path) -> str:
    if not shutil.which("pdffonts"):
        skip_or_fail("needs poppler-utils (pdffonts, pdftoppm)")
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def test_burmese_pdf_embeds_the_myanmar_font_and_renders(
    client, rich_release, media_root, tmp_path
):
    response = client.get("/my/releases/asean-chair-release.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data.startswith(b"%PDF")
    path = tmp_path / "my.pdf"
    path.write_bytes(data)
    fonts = pdffonts(path)
    myanmar = [line for line in fonts.splitlines() if "Noto-Sans-Myanmar" in line]
    assert myanmar, fonts
    assert all(" yes " in line for line in myanmar)  # embedded
    # Renders (WeasyPrint's text layer for shaped Burmese extracts badly, issue 2841: the
    # check is that poppler draws the page, not text extraction).
    subprocess.run(
        ["pdftoppm", "-r", "30", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 1000


def test_english_pdf_embeds_its_latin_font(client, rich_release, tmp_path):
    data = b"".join(client.get("/en/releases/asean-chair-release.pdf").streaming_content)
    path = tmp_path / "en.pdf"
    path.write_bytes(data)
    assert "Noto-Sans" in pdffonts(path)


def test_pdf_is_cached_not_made_per_request(client, rich_release, media_root, monkeypatch):
    from publishing import pdf

    client.get("/en/releases/asean-chair-release.pdf")
    files = sorted((media_root / "pdf").glob("asean-chair-release.en.*.pdf"))
    assert len(files) == 1

    def fail(view):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf, "render_pdf_bytes", fail)
    assert client.get("/en/releases/asean-chair-release.pdf").status_code == 200


def test_publication_signal_renders_pdfs_in_every_language(make_release, media_root):
    statement = make_release()
    release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    made = sorted(p.name.split(".")[1] for p in (media_root / "pdf").glob(f"{statement.slug}.*"))
    assert made == ["en", "my"]


def test_correction_makes_a_new_pdf_and_retraction_removes_it(make_release, media_root):
    from django.utils import timezone

    from statements.models import Correction

    statement = make_release()
    release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    before = {p.name for p in (media_root / "pdf").glob(f"{statement.slug}.en.*")}
    translation = statement.translation("en")
    translation.body = "Corrected body."
    translation.save()
    Correction.objects.create(
        statement=statement,
        number=1,
        notes={"en": "Fixed.", "my": "ပြင်"},
        published_at=timezone.now(),
    )
    Statement.objects.filter(pk=statement.pk).update(state="corrected", corrected_at=timezone.now())
    release_changed.send(sender=Statement, statement_id=statement.pk, action="corrected")
    after = {p.name for p in (media_root / "pdf").glob(f"{statement.slug}.en.*")}
    assert len(after) == 1 and after != before
    Statement.objects.filter(pk=statement.pk).update(state="retracted")
    release_changed.send(sender=Statement, statement_id=statement.pk, action="retracted")
    assert not list((media_root / "pdf").glob(f"{statement.slug}.*"))


def test_no_pdf_for_an_embargoed_release(client, make_release, media_root):
    import datetime

    from django.utils import timezone

    statement = make_release(embargo_until=timezone.now() + datetime.timedelta(hours=1))
    release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    assert (
        not list((media_root / "pdf").glob(f"{statement.slug}.*"))
        if (media_root / "pdf").exists()
        else True
    )
    assert client.get(f"/en/releases/{statement.slug}.pdf").status_code == 404


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
def test_render_task_takes_an_id(make_release, media_root):
    from publishing.tasks import render_release_pdfs

    statement = make_release(languages=("en",))
    assert render_release_pdfs(statement.pk) == 1
    assert render_release_pdfs(10**9) == 0


def test_pdf_answers_304_to_a_conditional_get(client, make_release):
    statement = make_release(languages=("en",))
    first = client.get(f"/en/releases/{statement.slug}.pdf")
    b"".join(first.streaming_content)
    again = client.get(f"/en/releases/{statement.slug}.pdf", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
