"""One PDF per release and language, made with WeasyPrint on publication or correction and
cached on disk (never rendered per request once made).

Files are MEDIA_ROOT/pdf/<slug>.<lang>.<fingerprint>.pdf, the fingerprint a hash of everything
the PDF shows, the organisation's letterhead included: a correction or a new name, address or
logo makes a new file, and a stale one is never served. The Myanmar and
Latin fonts the app ships (static/fonts/) are embedded, so Burmese renders shaped anywhere.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from publishing.rendering import ReleaseView, build_release
from publishing.visibility import (
    is_retracted,
    readable_languages,
    release_by_slug,
    with_release_data,
)
from statements.models import Statement
from statements.organisation import letterhead, logo_path

log = logging.getLogger(__name__)

# Bump when the PDF template or its CSS changes, so cached files are made anew.
TEMPLATE_VERSION = "3"
FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


def pdf_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "pdf"


def signature_dir() -> Path:
    """Signatures of the cached PDFs (publishing/signing.py sidecar)."""
    return Path(settings.MEDIA_ROOT) / "pdf-sig"


# "Page 1 of 2" in the margin, per language; the numbers are CSS counters in the language's
# digits (WeasyPrint's predefined "myanmar" counter style). Others fall back to English.
PAGE_LABELS = {
    "en": ("Page ", " of ", "decimal"),
    "my": ("စာမျက်နှာ ", " / ", "myanmar"),
}


def page_label(language: str) -> dict:
    before, between, style = PAGE_LABELS.get(language, PAGE_LABELS["en"])
    return {"before": before, "between": between, "style": style}


def fingerprint(view: ReleaseView) -> str:
    payload = json.dumps(
        # SITE_URL too: the PDF prints its link, so a PDF made under another port is made anew.
        # The letterhead: an organisation's new name, address, website or logo makes new PDFs.
        {
            "v": TEMPLATE_VERSION,
            "site": settings.SITE_URL,
            "letterhead": letterhead(view.language),
            "release": dataclasses.asdict(view),
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def cached_path(view: ReleaseView) -> Path:
    return pdf_dir() / f"{view.slug}.{view.language}.{fingerprint(view)}.pdf"


def render_pdf_bytes(view: ReleaseView) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    with translation.override(view.language):
        document = render_to_string(
            "public/release_pdf.html",
            {
                "release": view,
                "fonts_url": FONTS_DIR.as_uri(),
                "site_url": settings.SITE_URL,
                "letterhead": letterhead(view.language),
                # A file in MEDIA_ROOT, checked on upload (statements.models.validate_logo).
                "logo_url": Path(logo).as_uri() if (logo := logo_path()) else "",
                "page": page_label(view.language),
            },
        )
    fonts = FontConfiguration()
    return HTML(string=document, base_url=str(FONTS_DIR)).write_pdf(font_config=fonts)


def ensure_pdf(statement: Statement, language: str) -> Path:
    """The cached PDF of a public release in `language`, made now if missing."""
    view = build_release(statement, language)
    path = cached_path(view)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    data = render_pdf_bytes(view)
    # Signed before the file is put in place, so the PDF served and <slug>.pdf.sig always
    # match (publishing/signing.py).
    from publishing.signing import sign_pdf

    sign_pdf(statement, language, data, path)
    # Written beside and renamed, so a reader never gets half a file.
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".pdf")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
    _remove_old(view.slug, language, keep=path)
    log.info("pdf made: %s", path.name)
    return path


def _remove_old(slug: str, language: str, keep: Path | None = None) -> None:
    for old in pdf_dir().glob(f"{slug}.{language}.*.pdf"):
        if old != keep:
            old.unlink(missing_ok=True)
    for old in signature_dir().glob(f"{slug}.{language}.*.pdf.sig"):  # their signatures
        if keep is None or old.name != keep.name + ".sig":
            old.unlink(missing_ok=True)


def remove_pdfs(slug: str) -> None:
    """Forget every PDF of a release (after a retraction)."""
    if pdf_dir().exists():
        for old in pdf_dir().glob(f"{slug}.*.pdf"):
            old.unlink(missing_ok=True)
    if signature_dir().exists():
        for old in signature_dir().glob(f"{slug}.*.pdf.sig"):
            old.unlink(missing_ok=True)


def refresh_release_pdfs(*, statement_id: int) -> list[Path]:
    """Make the PDFs of a release that is public now; remove them if it is not (retracted)."""
    statement = with_release_data(Statement.objects.filter(pk=statement_id)).first()
    if statement is None:
        return []
    public = release_by_slug(statement.slug)
    if public is None or is_retracted(public):
        remove_pdfs(statement.slug)
        return []
    return [ensure_pdf(public, language) for language in readable_languages(public)]
