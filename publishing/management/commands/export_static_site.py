"""`manage.py export_static_site DIR`: the public site as static files, for a mirror host.

Pages, PDFs and feeds of published releases in every language, the campaign pages, the campaign
tracker's target and ask pages (with the targets' feeds), the CSS and
fonts, and releases.json (the public Release JSON of every published release). Pages are fetched
through the app itself, in-process (the same views, templates and visibility rules as the live
site; always as a secure request, so production's HTTPS redirect never answers instead), and
their links made relative, so the copy works from any directory, a file:// URL included.
Retracted, embargoed and unpublished statements are not exported.

The site is built in a fresh folder beside DIR and swapped in whole: a release retracted or
hidden since the last export is gone with everything it had, and a reader of the mirror never
sees half an export. DIR must be new, empty, or an earlier export (it holds MARKER).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import posixpath
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management.base import BaseCommand, CommandError
from django.http.request import split_domain_port, validate_host
from django.test import Client
from django.urls import reverse
from django.utils import translation

from config.languages import language_codes
from publishing.serializers import ReleaseSerializer
from publishing.views import PAGE_SIZE
from publishing.visibility import (
    public_asks,
    public_campaigns,
    public_targets,
    published_releases,
    readable_languages,
)

STATIC_FILES = [
    "css/public.css",
    "fonts/NotoSansMyanmar-Regular.ttf",
    "fonts/NotoSansMyanmar-Bold.ttf",
    "fonts/NotoSans-Regular.ttf",
    "fonts/NotoSans-Bold.ttf",
    "fonts/OFL-NotoSansMyanmar.txt",
]
LINK = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>/[^"]*)"')
# Written into every export; a folder without it is never replaced.
MARKER = ".pressroom-export"


def build_site(out: Path, base_url: str = "") -> int:
    """Write the export into the empty folder `out` (no swap): for callers that push it
    elsewhere themselves (channels/mirrors.py). Returns the number of releases."""
    command = Command()
    count = command._build(out, base_url)
    write_marker(out)
    return count


def write_marker(out: Path) -> None:
    (out / MARKER).write_text("Written by manage.py export_static_site.\n")


def file_for(url_path: str) -> str:
    """The file a URL path is written to: directories get index.html."""
    path = url_path.lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


class Command(BaseCommand):
    help = "Write the public site (published releases only) as static files to DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--base-url",
            default="",
            help="Where the mirror is served, for the links in feeds (default: SITE_URL).",
        )

    def handle(self, *args, directory: str, base_url: str = "", **options):
        target = Path(directory).absolute()
        check_replaceable(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.building-"))
        try:
            building.chmod(0o755)  # mkdtemp makes it private; a mirror is served to everyone
            count = self._build(building, base_url)
            write_marker(building)
            swap_in(building, target)
        finally:
            shutil.rmtree(building, ignore_errors=True)  # a failed build, or the old export
        self.stdout.write(f"Exported {count} releases, {len(self.written)} files to {target}")

    def _build(self, out: Path, base_url: str) -> int:
        site = urlsplit(settings.SITE_URL)
        host = site.netloc or "127.0.0.1"
        if not validate_host(split_domain_port(host)[0], settings.ALLOWED_HOSTS):
            # Fetch under a host this instance answers to; links are rewritten anyway.
            host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), host)
        # Rendered in-process as a secure request whatever SITE_URL's scheme: production's
        # SECURE_SSL_REDIRECT would answer an http request with a 301, not the page.
        self.origin = f"https://{host}"
        self.base_url = (base_url or settings.SITE_URL).rstrip("/")
        self.client = Client(HTTP_HOST=host)
        self.out = out
        self.written: set[str] = set()
        campaigns = list(public_campaigns().order_by("slug"))
        targets = list(public_targets().order_by("slug").values_list("slug", flat=True))
        asks = list(public_asks().order_by("pk").values_list("pk", flat=True))

        releases = list(published_releases())
        pages: list[str] = []
        binaries: list[str] = []
        feeds: list[str] = []
        for lang in language_codes():
            with translation.override(lang):
                pages += self._paginated(
                    reverse("public:releases"), "public:releases-page", {}, len(releases)
                )
                pages.append(reverse("public:campaigns"))
                for campaign in campaigns:
                    count = sum(1 for r in releases if r.campaign_id == campaign.pk)
                    pages += self._paginated(
                        reverse("public:campaign", kwargs={"slug": campaign.slug}),
                        "public:campaign-page",
                        {"slug": campaign.slug},
                        count,
                    )
                    feeds += [
                        reverse("public:campaign-feed-rss", kwargs={"slug": campaign.slug}),
                        reverse("public:campaign-feed-atom", kwargs={"slug": campaign.slug}),
                    ]
                feeds += [reverse("public:feed-rss"), reverse("public:feed-atom")]
                # The campaign tracker: who we address, each target (and its feeds), each ask.
                pages.append(reverse("public:targets"))
                for slug in targets:
                    pages.append(reverse("public:target", kwargs={"slug": slug}))
                    feeds += [
                        reverse("public:target-feed-rss", kwargs={"slug": slug}),
                        reverse("public:target-feed-atom", kwargs={"slug": slug}),
                    ]
                pages += [reverse("public:ask", kwargs={"ask_id": pk}) for pk in asks]
                for release in releases:
                    pages.append(reverse("public:release", kwargs={"slug": release.slug}))
                    if lang in readable_languages(release):
                        binaries.append(
                            reverse("public:release-pdf", kwargs={"slug": release.slug})
                        )
        exported = set(pages) | set(binaries) | set(feeds)
        for static in STATIC_FILES:
            exported.add(settings.STATIC_URL + static)

        for url in pages:
            html = self._get(url).decode("utf-8")
            self._write(url, self._relative_links(html, url, exported).encode("utf-8"))
        for url in binaries:
            self._write(url, self._get(url))
        for url in feeds:
            text = self._get(url).decode("utf-8").replace(self.origin + "/", self.base_url + "/")
            self._write(url, text.encode("utf-8"))
        for static in STATIC_FILES:
            source = finders.find(static)
            if not source:
                raise CommandError(f"static file missing: {static}")
            target = out / file_for(settings.STATIC_URL + static)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        self._write_json(releases)
        first = language_codes()[0]
        index = (
            f'<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" '
            f'content="0; url={first}/releases/index.html">'
            f'<a href="{first}/releases/index.html">Press releases</a>\n'
        )
        (out / "index.html").write_text(index, encoding="utf-8")
        return len(releases)

    def _paginated(self, first: str, name: str, kwargs: dict, count: int) -> list[str]:
        pages = max(1, -(-count // PAGE_SIZE))
        return [first] + [reverse(name, kwargs={**kwargs, "page": n}) for n in range(2, pages + 1)]

    def _get(self, url: str) -> bytes:
        response = self.client.get(url, secure=True)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        if getattr(response, "streaming", False):
            return b"".join(response.streaming_content)
        return response.content

    def _write(self, url: str, data: bytes) -> None:
        target = self.out / file_for(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written.add(url)

    def _relative_links(self, html: str, url: str, exported: set[str]) -> str:
        here = posixpath.dirname("/" + file_for(url))

        def replace(match: re.Match) -> str:
            target = match.group("url")
            path, _, fragment = target.partition("#")
            if path in exported:
                relative = posixpath.relpath("/" + file_for(path), here)
                return f'{match.group("attr")}="{relative}{"#" + fragment if fragment else ""}"'
            return f'{match.group("attr")}="{self.base_url}{target}"'

        return LINK.sub(replace, html)

    def _write_json(self, releases) -> None:
        data = ReleaseSerializer(releases, many=True, context={"request": None}).data
        prefix = settings.SITE_URL
        for release in data:
            for translation_data in release["translations"].values():
                for key in ("url", "pdf_url"):
                    if translation_data.get(key):
                        path = translation_data[key].removeprefix(prefix)
                        translation_data[key] = file_for(path)
        (self.out / "releases.json").write_text(
            json.dumps({"count": len(data), "results": data}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        self.written.add("/releases.json")


def check_replaceable(target: Path) -> None:
    """Refuse to replace a folder this command did not write (a mistyped DIR must not lose
    anybody's files)."""
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise CommandError(f"{target} exists and is not a folder.")
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise CommandError(
            f"{target} is not empty and was not written by export_static_site "
            f"(no {MARKER} in it): give a new or empty folder."
        )


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def swap_in(built: Path, target: Path) -> None:
    """Put `built` at `target`; what was at `target` ends up at `built` (removed by the
    caller). Atomic where the system allows it: readers see the old export or the new one."""
    if not target.exists():
        os.replace(built, target)
        return
    if _exchange(built, target):
        return
    # Two renames: the folder is missing for an instant, never half written.
    old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
    os.replace(target, old / "site")
    os.replace(built, target)
    os.replace(old, built)
