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
