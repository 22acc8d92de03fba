"""Is this ours? The answers of the verification page (/<lang>/verify/) and verify_release.

Three outcomes: **ours** (the exact signed bytes of a release version, or a PDF we signed, or a
link to one of our releases), **altered** (close to a signed version: the differences against
it), **not ours**. Only releases publishing/visibility.py shows are candidates: a public
release, or the tombstone of a retracted one (which matches exactly only, and shows no diff
of the withdrawn text: only its signed retraction notice can be diffed). A valid signature
block on a text is checked against our published keys whatever the database holds.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from publishing import signing
from publishing.models import ReleaseSignature

OURS, ALTERED, NOT_OURS = "ours", "altered", "not_ours"
# Below this similarity a text is "not ours" rather than an altered release.
ALTERED_MIN_RATIO = 0.6
LINK_RE = re.compile(
    r"^/(?P<lang>[a-z]{2,3})/releases/(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:/|/index\.html|\.txt|\.pdf|\.pdf\.sig)?$"
)


@dataclasses.dataclass
class Outcome:
    result: str  # ours | altered | not_ours
    slug: str = ""
    language: str = ""
    version: int | None = None
    latest_version: int | None = None
    status: str = ""  # published | corrected | retracted (the release now)
    published_at: datetime.datetime | None = None
    retracted_at: datetime.datetime | None = None
    title: str = ""
    key_id: str = ""
    what: str = "text"  # text | pdf | link
    header_missing: bool = False  # the words match, the header lines were not pasted
    similarity: float = 0.0
    diff_html: SafeString | str = ""
    message: str = ""  # for "not ours": why, in plain words (verify_release prints it)

    @property
    def superseded(self) -> bool:
        return bool(self.version and self.latest_version and self.version < self.latest_version)


def _candidates():
    """Text signatures of releases the public may see (public or tombstone), newest first."""
    from publishing.visibility import public_or_tombstone

    return (
        ReleaseSignature.objects.filter(
            statement__in=public_or_tombstone().values("pk"), kind=ReleaseSignature.Kind.TEXT
        )
        .select_related("statement")
        .order_by("-version")
    )


def _ensure_signed() -> None:
    # Releases published before signing existed (or whose after-commit hook failed) are
    # signed on first need, as PDFs are made on first request.
    from publishing.visibility import public_or_tombstone

    signing.current_text_signatures(public_or_tombstone())


def _latest_versions(rows) -> dict[tuple[int, str], int]:
    latest: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row.statement_id, row.language)
        latest[key] = max(latest.get(key, 0), row.version)
    return latest


def _describe(row, result: str, latest: int | None, *, what: str = "text") -> Outcome:
    statement = row.statement
    from publishing.rendering import release_status

    tr = next((t for t in statement.translations.all() if t.language == row.language), None)
    return Outcome(
        result=result,
        slug=statement.slug,
        language=row.language,
        version=row.version,
        latest_version=latest,
        status=release_status(statement),
        published_at=statement.published_at,
        retracted_at=statement.retracted_at if statement.state == "retracted" else None,
        title=tr.title if tr else statement.slug,
        key_id=row.key_id,
        what=what,
    )


def _signature_valid(row, keys) -> bool:
    data = (row.canonical_text.encode("utf-8")) if row.kind == "text" else None
    if data is None:
        return True  # a PDF row: its bytes were checked by hash and the caller verifies
    try:
        signing.verify_bytes(data, row.signature, keys, row.key_id)
    except signing.SignatureError:
        return False
    return True


def verify_text(text: str) -> Outcome:
    """What a pasted or uploaded text is (see the module's docstring)."""
    body, key_id, value = signing.split_signed(text)
    canonical = signing.as_canonical(body)
    data = canonical.encode("utf-8")
    digest = signing.content_hash(data)
    keys = signing.published_keys()
    _ensure_signed()
    rows = list(_candidates().prefetch_related("statement__translations"))
    latest = _latest_versions(rows)

    for row in rows:
        if row.content_hash == digest and _signature_valid(row, keys):
            return _describe(row, OURS, latest[(row.statement_id, row.language)])

    if value:  # a signature block: the crypto says, whatever the database holds
        try:
            key = signing.verify_bytes(data, value, keys, key_id)
        except signing.SignatureError:
            pass
        else:
            header = signing.parse_header(canonical)
            version = header.get("version", "")
            return Outcome(
                result=OURS,
                slug=header.get("release", ""),
                language=header.get("language", ""),
                version=int(version) if version.isdigit() else None,
                status=header.get("status", ""),
                key_id=key.key_id,
            )

    header = signing.parse_header(canonical)
    pasted_body = signing.body_of(canonical)
    # Only what the public may read is compared word by word: the current versions of public
    # releases and the signed retraction notices of tombstones.
    diffable = [
        row
        for row in rows
        if row.version == latest[(row.statement_id, row.language)]
        and (row.statement.state != "retracted" or row.status == "retracted")
    ]
    if header.get("release"):
        same = [r for r in rows if r.statement.slug == header["release"]]
        if same:
            diffable = [r for r in diffable if r.statement.slug == header["release"]] or diffable
            wanted = header.get("language")
            diffable.sort(key=lambda r: r.language != wanted)
    for row in diffable:  # the same words, without the header lines
        if signing.body_of(row.canonical_text) == pasted_body and not header:
            outcome = _describe(row, OURS, latest[(row.statement_id, row.language)])
            outcome.header_missing = True
            return outcome

    def comparable(row) -> str:
        # Pasted words without our header are compared with our words without it.
        return row.canonical_text if header else signing.body_of(row.canonical_text)

    best, best_ratio = None, 0.0
    scored = sorted(
        diffable,
        key=lambda r: difflib.SequenceMatcher(None, comparable(r), canonical).quick_ratio(),
        reverse=True,
    )[:5]
    for row in scored:
        ratio = difflib.SequenceMatcher(None, comparable(row), canonical).ratio()
        if header and row.statement.slug == header.get("release"):
            ratio = max(ratio, ALTERED_MIN_RATIO)  # it names our release: show what differs
        if ratio > best_ratio:
            best, best_ratio = row, ratio
    if best is None or best_ratio < ALTERED_MIN_RATIO:
        return Outcome(result=NOT_OURS, message="No release of ours matches this text.")
    outcome = _describe(best, ALTERED, latest[(best.statement_id, best.language)])
    outcome.similarity = best_ratio
    outcome.diff_html = diff_html(comparable(best), canonical, best.language)
    return outcome


def diff_html(ours: str, theirs: str, language: str) -> SafeString:
    """A side-by-side table of the changes (difflib escapes the text)."""
    table = difflib.HtmlDiff(wrapcolumn=60).make_table(
        ours.splitlines(),
        theirs.splitlines(),
        fromdesc=escape(gettext("What we signed")),
        todesc=escape(gettext("What you gave")),
        context=True,
        numlines=2,
    )
    return mark_safe(f'<div class="diff-wrap" lang="{language}">{table}</div>')  # noqa: S308


def verify_pdf(data: bytes) -> Outcome:
    """A PDF we signed (by its exact bytes), else not ours."""
    from publishing.visibility import public_or_tombstone

    digest = signing.content_hash(data)
    keys = signing.published_keys()
    rows = (
        ReleaseSignature.objects.filter(
            kind=ReleaseSignature.Kind.PDF,
            content_hash=digest,
            statement__in=public_or_tombstone().values("pk"),
        )
        .select_related("statement")
        .prefetch_related("statement__translations")
    )
    for row in rows:
        try:
            signing.verify_bytes(data, row.signature, keys, row.key_id)
        except signing.SignatureError:
            continue
        texts = ReleaseSignature.objects.filter(
            statement_id=row.statement_id, language=row.language, kind="text"
        ).order_by("-version")
        latest = texts.values_list("version", flat=True).first()
        return _describe(row, OURS, latest, what="pdf")
    return Outcome(result=NOT_OURS, what="pdf", message="This PDF is not one we signed.")


def our_hosts(request_host: str = "") -> set[str]:
    hosts = {urlsplit(settings.SITE_URL).netloc.lower()}
    if request_host:
        hosts.add(request_host.lower())
    for url in getattr(settings, "MIRROR_URLS", []) or []:
        if url.strip():
            hosts.add(urlsplit(url.strip()).netloc.lower())
    return {h for h in hosts if h}


def verify_link(url: str, request_host: str = "") -> Outcome:
    """A link to one of our release pages (site or mirror), looked up here, never fetched."""
    from publishing.visibility import release_by_slug

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or parts.netloc.lower() not in our_hosts(request_host):
        return Outcome(result=NOT_OURS, what="link", message="This address is not our site.")
    match = LINK_RE.match(parts.path)
    languages = [code for code, _n in settings.LANGUAGES]
    if not match or match.group("lang") not in languages:
        return Outcome(result=NOT_OURS, what="link", message="This address is not a release.")
    statement = release_by_slug(match.group("slug"))
    language = match.group("lang")
    if statement is None:
        return Outcome(result=NOT_OURS, what="link", message="We have no such release.")
    row = signing.text_signature(statement, language)
    if row is None:
        return Outcome(
            result=NOT_OURS, what="link", message="This release is not published in that language."
        )
    row.statement = statement
    return _describe(row, OURS, row.version, what="link")
