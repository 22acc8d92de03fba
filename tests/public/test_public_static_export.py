"""`manage.py export_static_site DIR`: a mirror of the public site with relative links."""

from __future__ import annotations

import json
import posixpath
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_export_writes_pages_pdfs_feeds_and_json_with_working_relative_links(
    rich_release, make_release, tmp_path, settings
):
    settings.SITE_URL = "https://press.example.org"
    english_only = make_release(languages=("en",))
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out), "--base-url", "https://mirror.example.net")

    for path in [
        "index.html",
        "en/releases/index.html",
        "my/releases/index.html",
        "en/releases/asean-chair-release/index.html",
        "my/releases/asean-chair-release/index.html",
        "en/releases/asean-chair-release.pdf",
        "my/releases/asean-chair-release.pdf",
        f"en/releases/{english_only.slug}.pdf",
        "en/feeds/releases.xml",
        "my/feeds/releases.atom",
        "en/feeds/campaigns/public-campaign.xml",
        "en/campaigns/public-campaign/index.html",
        "static/css/public.css",
        "static/fonts/NotoSansMyanmar-Regular.ttf",
        "releases.json",
    ]:
        assert (out / path).is_file(), path
    assert not (out / f"my/releases/{english_only.slug}.pdf").exists()
    assert (out / "my/releases/asean-chair-release.pdf").read_bytes().startswith(b"%PDF")

    # Every link in every page is relative (or points out of the site) and resolves to a file.
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        here = posixpath.dirname(str(page.relative_to(out)))
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert not url.startswith("/"), f"{page}: root-relative link {url}"
            if url.startswith(("http://", "https://", "mailto:")):
                continue
            target = posixpath.normpath(posixpath.join(here, url.split("#")[0]))
            assert (out / target).is_file(), f"{page}: broken link {url}"

    feed = (out / "en/feeds/releases.xml").read_text(encoding="utf-8")
    assert "https://mirror.example.net/en/releases/asean-chair-release/" in feed

    data = json.loads((out / "releases.json").read_text(encoding="utf-8"))
    assert data["count"] == 2
    release = next(r for r in data["results"] if r["slug"] == "asean-chair-release")
    assert release["translations"]["my"]["url"] == "my/releases/asean-chair-release/index.html"
    assert release["translations"]["my"]["pdf_url"] == "my/releases/asean-chair-release.pdf"
    assert release["status"] == "corrected"


def test_export_again_after_a_retraction_removes_its_pages_and_pdfs(
    make_release, make_staff, tmp_path
):
    from statements import workflow

    kept = make_release(slug="kept-release")
    gone = make_release(slug="gone-release", title="Soon retracted")
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out))
    for lang in ("en", "my"):
        assert (out / f"{lang}/releases/gone-release/index.html").is_file()
        assert (out / f"{lang}/releases/gone-release.pdf").is_file()

    workflow.statement_retract(statement_id=gone.pk, by=make_staff("publisher"), reason="Wrong.")
    call_command("export_static_site", str(out))

    assert not list(out.rglob("gone-release*")), "the retracted release is still in the mirror"
    for path in out.rglob("*"):
        if path.is_file():
            assert b"Soon retracted" not in path.read_bytes(), path
    assert (out / f"en/releases/{kept.slug}/index.html").is_file()
    assert (out / f"en/releases/{kept.slug}.pdf").is_file()
    # Nothing is left beside it: no building or old folder.
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_export_refuses_to_replace_a_folder_it_did_not_write(make_release, tmp_path):
    from django.core.management.base import CommandError

    make_release()
    out = tmp_path / "someones-files"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError, match="not written by export_static_site"):
        call_command("export_static_site", str(out))
    assert (out / "notes.txt").read_text() == "keep me"
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_export_works_under_production_settings_with_an_http_site_url(
    make_release, tmp_path, settings
):
    # Production: DEBUG off and HTTPS enforced by redirect; a mirror's SITE_URL may be http.
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SITE_URL = "http://press.example.org"
    settings.ALLOWED_HOSTS = ["press.example.org"]
    release = make_release(slug="production-release")
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out))
    assert (out / "en/releases/production-release/index.html").is_file()
    assert (out / "my/releases/production-release.pdf").read_bytes().startswith(b"%PDF")
    feed = (out / "en/feeds/releases.xml").read_text(encoding="utf-8")
    assert f"http://press.example.org/en/releases/{release.slug}/" in feed


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_in_replaces_the_folder_whole(tmp_path, monkeypatch, exchange):
    from publishing.management.commands import export_static_site as command

    if not exchange:
        monkeypatch.setattr(command, "_exchange", lambda a, b: False)
    target, built = tmp_path / "site", tmp_path / ".site.building"
    (target / "old").mkdir(parents=True)
    (target / "old/page.html").write_text("old")
    (built / "new").mkdir(parents=True)
    (built / "new/page.html").write_text("new")
    command.swap_in(built, target)
    assert (target / "new/page.html").read_text() == "new"
    assert not (target / "old").exists()
    # What was at target is now at built, for the caller to remove.
    assert (built / "old/page.html").exists() or (built / "site/old/page.html").exists()
