"""What a public release shows, built once per language for pages, PDFs, feeds, the API and the
static export: sanitised HTML from Markdown, dates in UTC and Myanmar time, role holders on the
release date, corrections. Works on a statement loaded by selectors.with_release_data (no
further queries).
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import zoneinfo
from dataclasses import dataclass, field

import markdown
import nh3
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from config.languages import pick
from publishing.visibility import is_retracted, readable_languages
from statements.models import Statement

ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "b",
    "i",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "h5",
    "hr",
    "sup",
    "sub",
}
URL_SCHEMES = {"http", "https", "mailto"}

MYANMAR_DIGITS = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")
MYANMAR_MONTHS = [
    "ဇန်နဝါရီ",
    "ဖေဖော်ဝါရီ",
    "မတ်",
    "ဧပြီ",
    "မေ",
    "ဇွန်",
    "ဇူလိုင်",
    "ဩဂုတ်",
    "စက်တင်ဘာ",
    "အောက်တိုဘာ",
    "နိုဝင်ဘာ",
    "ဒီဇင်ဘာ",
]
# The ask statuses as readers see them (campaigns.models.Ask.Status holds the codes).
ASK_STATUS_LABELS = {
    "open": gettext_lazy("Open"),
    "partly_met": gettext_lazy("Partly met"),
    "met": gettext_lazy("Met"),
    "rejected": gettext_lazy("Rejected"),
    "withdrawn": gettext_lazy("Withdrawn"),
}
ENGLISH_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --- Text ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)  # pure; saves re-rendering the same body on every request
def markdown_html(text: str) -> str:
    """Markdown to HTML that is safe to put in a page: nh3 keeps a small set of tags only."""
    if not text:
        return ""
    raw = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


@functools.lru_cache(maxsize=1024)
def html_text(fragment: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by blank lines."""
    text = nh3.clean(re.sub(r"</(p|li|h\d|blockquote)>", "\n\n", fragment), tags=set())
    text = html.unescape(text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def truncate(text: str, limit: int) -> str:
    """Shorten text without cutting a Burmese syllable (never Truncator.chars on Burmese)."""
    from burmese import truncate as syllable_safe_truncate

    return syllable_safe_truncate(text, limit)


# --- Dates ----------------------------------------------------------------------------------


def myanmar_digits(value: object) -> str:
    return str(value).translate(MYANMAR_DIGITS)


def format_date(day: datetime.date, language: str) -> str:
    """A date for readers of `language`; Burmese with Burmese digits and month names."""
    if language == "my":
        return (
            f"{myanmar_digits(day.year)} ခုနှစ်၊ {MYANMAR_MONTHS[day.month - 1]}လ "
            f"{myanmar_digits(day.day)} ရက်"
        )
    if language == "en":
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"
    with translation.override(language):
        return date_format(day, "j F Y")


def format_time(moment: datetime.datetime, language: str) -> str:
    text = moment.strftime("%H:%M")
    return myanmar_digits(text) if language == "my" else text


@dataclass
class When:
    """One instant shown in UTC and in Myanmar time."""

    iso: str
    utc_date: str
    utc_time: str
    local_date: str
    local_time: str
    separator: str = ","

    @property
    def utc(self) -> str:
        return f"{self.utc_date}{self.separator} {self.utc_time} UTC"

    @property
    def local(self) -> str:
        return f"{self.local_date}{self.separator} {self.local_time}"


def when(moment: datetime.datetime | None, language: str) -> When | None:
    if moment is None:
        return None
    utc = moment.astimezone(datetime.UTC)
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return When(
        iso=utc.isoformat().replace("+00:00", "Z"),
        utc_date=format_date(utc.date(), language),
        utc_time=format_time(utc, language),
        local_date=format_date(local.date(), language),
        local_time=format_time(local, language),
        separator="၊" if language == "my" else ",",
    )


# --- Paths ----------------------------------------------------------------------------------


def page_path(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("public:release", kwargs={"slug": slug})


def pdf_path(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("public:release-pdf", kwargs={"slug": slug})


# --- The release, as shown ------------------------------------------------------------------


@dataclass
class ReleaseView:
    slug: str
    language: str  # the reader's language (page, PDF)
    content_language: str  # the language of the text shown (source language if not translated)
    status: str
    kind: str
    title: str
    summary: str
    body_html: str
    body_text: str
    campaign: dict
    published: When | None
    corrected: When | None
    retracted: When | None = None
    retraction_reason: str = ""
    quotes: list[dict] = field(default_factory=list)
    more_information_html: str = ""
    targets: list[dict] = field(default_factory=list)
    role_holders: list[dict] = field(default_factory=list)
    asks: list[dict] = field(default_factory=list)
    boilerplate_html: str = ""
    media_contact: str = ""
    corrections: list[dict] = field(default_factory=list)
    languages: list[dict] = field(default_factory=list)  # [{code, name, url, pdf_url, current}]
    is_demo_translation: bool = False

    @property
    def translated(self) -> bool:
        return self.content_language == self.language


LANGUAGE_NAMES = {"en": "English", "my": "မြန်မာ"}


def language_name(code: str) -> str:
    """A language's name in that language (a reader looks for their own)."""
    return LANGUAGE_NAMES.get(code) or dict(settings.LANGUAGES).get(code, code)


def release_status(statement: Statement) -> str:
    if is_retracted(statement):
        return "retracted"
    if statement.state == Statement.State.CORRECTED or statement.corrected_at:
        return "corrected"
    return "published"


def role_holders(statement: Statement, language: str) -> list[dict]:
    """Each role the statement addresses, with its holder on the release date."""
    if not statement.published_at:
        return []
    day = statement.published_at.astimezone(datetime.UTC).date()
    out = []
    for role in statement.roles.all():
        holder = None
        for holding in role.holdings.all():  # prefetched: no query per role
            if holding.starts_on <= day and (holding.ends_on is None or holding.ends_on > day):
                holder = holding.holder
                break
        out.append(
            {
                "role": role.slug,
                "role_name": pick(role.name, language),
                "holder": holder.slug if holder else None,
                "holder_name": pick(holder.name, language) if holder else "",
            }
        )
    return out


def build_release(statement: Statement, language: str) -> ReleaseView:
    """The release in `language` (falls back to the source language when not translated)."""
    status = release_status(statement)
    languages = readable_languages(statement)
    content_language = (
        language
        if language in languages
        else (
            statement.source_language
            if statement.source_language in languages
            else (languages[0] if languages else language)
        )
    )
    tr = statement.translation(content_language)
    with translation.override(language):
        view = ReleaseView(
            slug=statement.slug,
            language=language,
            content_language=content_language,
            status=status,
            kind=statement.kind,
            title=tr.title if tr else statement.slug,
            summary="",
            body_html="",
            body_text="",
            campaign={
                "slug": statement.campaign.slug,
                "name": pick(statement.campaign.name, language),
            },
            published=when(statement.published_at, language),
            corrected=when(statement.corrected_at, language),
            languages=[
                {
                    "code": code,
                    "name": language_name(code),
                    "url": page_path(statement.slug, code),
                    "pdf_url": pdf_path(statement.slug, code),
                    "current": code == language,
                }
                for code in languages
            ],
        )
        if status == "retracted":
            # A tombstone: title, dates and the reason, never the body.
            view.retracted = when(statement.retracted_at, language)
            view.retraction_reason = statement.retraction_reason
            return view
        if tr:
            view.summary = tr.summary
            view.body_html = markdown_html(tr.body)
            view.body_text = html_text(view.body_html)
            view.quotes = [
                {"speaker": q.get("speaker", ""), "html": markdown_html(q.get("text", ""))}
                for q in (tr.quotes or [])
                if isinstance(q, dict)
            ]
            view.more_information_html = markdown_html(tr.more_information)
            view.is_demo_translation = tr.is_demo
        view.targets = [
            {"slug": t.slug, "name": pick(t.name, language), "kind": t.kind}
            for t in statement.targets.all()
        ]
        view.role_holders = role_holders(statement, language)
        view.asks = [
            {
                "id": a.pk,
                "url": ask_path(a.pk, language),
                "text": pick(a.text, language),
                "text_lang": localised_text(a.text, language)["lang"],
                "status": a.status,
                "status_label": str(ASK_STATUS_LABELS.get(a.status, a.status)),
            }
            for a in statement.asks.all()
        ]
        if statement.boilerplate:
            view.boilerplate_html = markdown_html(pick(statement.boilerplate.about, language))
            view.media_contact = pick(statement.boilerplate.media_contact, language)
        view.corrections = [
            {
                "number": c.number,
                "note": c.note_in(language),
                "when": when(c.published_at or c.created_at, language),
            }
            for c in statement.corrections.all()
        ]
    return view


def build_summary(statement: Statement, language: str, *, summary_limit: int = 280) -> dict:
    """A release as a list item: title, summary (shortened safely), date, links."""
    languages = readable_languages(statement)
    content_language = language if language in languages else statement.source_language
    tr = statement.translation(content_language)
    return {
        "slug": statement.slug,
        "status": release_status(statement),
        "content_language": content_language,
        "title": tr.title if tr else statement.slug,
        "summary": truncate(tr.summary, summary_limit) if tr else "",
        "published": when(statement.published_at, language),
        "url": page_path(statement.slug, language),
        "campaign": {
            "slug": statement.campaign.slug,
            "name": pick(statement.campaign.name, language),
        },
    }


# --- The campaign tracker, as shown -----------------------------------------------------------
# Target and ask pages, and the release page's invitations (publishing/tracker.py loads them).

TARGET_KIND_LABELS = {
    "organisation": gettext_lazy("Intergovernmental organisation"),
    "government": gettext_lazy("Government"),
    "body": gettext_lazy("Body or agency"),
    "company": gettext_lazy("Company"),
    "person": gettext_lazy("Person"),
    "armed_group": gettext_lazy("Military or armed group"),
}
ASK_RECORD_LABELS = {
    "made": gettext_lazy("First made"),
    "repeated": gettext_lazy("Repeated"),
}


def localised_text(value: dict | None, language: str) -> dict:
    """{"text", "lang"}: the text in `language`, else in another language, with the language it
    is really in (the page tags it, so Burmese gets its font and a reader knows)."""
    value = value or {}
    if value.get(language):
        return {"text": value[language], "lang": language}
    for code in [c for c, _n in settings.LANGUAGES] + list(value):
        if value.get(code):
            return {"text": value[code], "lang": code}
    return {"text": "", "lang": language}


def target_path(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("public:target", kwargs={"slug": slug})


def ask_path(ask_id: int, language: str) -> str:
    with translation.override(language):
        return reverse("public:ask", kwargs={"ask_id": ask_id})


def _release_title(statement: Statement, language: str) -> dict:
    """A release's title in `language` if readable in it, else in a readable one."""
    languages = readable_languages(statement)
    code = language if language in languages else (languages[0] if languages else language)
    tr = statement.translation(code)
    return {"text": tr.title if tr else statement.slug, "lang": code}


def invitation_view(invitation, language: str, *, with_release: bool = False) -> dict:
    """One invitation to respond, for "Invited to respond by DATE: responded on DATE (link)",
    "did not respond" or "awaiting a response"; `invitation` carries current_status
    (visibility.public_invitations)."""
    status = getattr(invitation, "current_status", None) or invitation.status
    view = {
        "status": status,
        "due": format_date(invitation.due_on, language),
        "due_iso": invitation.due_on.isoformat(),
        "responded": format_date(invitation.responded_on, language)
        if invitation.responded_on
        else "",
        "responded_iso": invitation.responded_on.isoformat() if invitation.responded_on else "",
        "response_url": invitation.response_url if status == "responded" else "",
        "summary": localised_text(invitation.response_summary, language)
        if status == "responded"
        else {"text": "", "lang": language},
        "target": {
            "slug": invitation.target.slug,
            "name": localised_text(invitation.target.name, language),
            "url": target_path(invitation.target.slug, language),
        },
    }
    if with_release:
        view["release"] = {
            "slug": invitation.statement.slug,
            "title": _release_title(invitation.statement, language),
            "url": page_path(invitation.statement.slug, language),
        }
    return view


def release_invitations(statement: Statement, language: str) -> list[dict]:
    """The release page's invitations to respond (none for a release that is not public)."""
    from publishing.visibility import public_invitations

    invitations = (
        public_invitations().filter(statement=statement).select_related("target").order_by("pk")
    )
    return [invitation_view(i, language) for i in invitations]


def history_view(changes, language: str) -> list[dict]:
    """An ask's dated status history, oldest first; a cited statement only when it is public
    (visibility.public_ask_history), a link always."""
    return [
        {
            "status": change.status,
            "status_label": str(ASK_STATUS_LABELS.get(change.status, change.status)),
            "on": format_date(change.changed_on, language),
            "on_iso": change.changed_on.isoformat(),
            "note": change.note,
            "statement_url": page_path(change.public_statement_slug, language)
            if change.public_statement_slug
            else "",
            "source_url": change.source_url,
        }
        for change in changes
    ]


def _number(value: int, language: str) -> str:
    return myanmar_digits(value) if language == "my" else str(value)


def _asked_view(asked, language: str) -> dict:
    return {
        "count": asked.count,
        "count_text": _number(asked.count, language),
        "since": format_date(asked.since.astimezone(datetime.UTC).date(), language)
        if asked.since
        else "",
    }


def ask_view(ledger, language: str) -> dict:
    """An ask's public page (publishing.tracker.AskLedger)."""
    ask = ledger.ask
    with translation.override(language):
        return {
            "id": ask.pk,
            "text": localised_text(ask.text, language),
            "status": ask.status,
            "status_label": str(ASK_STATUS_LABELS.get(ask.status, ask.status)),
            "campaign": {"slug": ask.campaign.slug, "name": pick(ask.campaign.name, language)},
            "history": history_view(ledger.history, language),
            "releases": [
                {
                    "slug": r.statement.slug,
                    "title": _release_title(r.statement, language),
                    "url": page_path(r.statement.slug, language),
                    "published": when(r.published_at, language),
                    "role": r.role,
                    "role_label": str(ASK_RECORD_LABELS.get(r.role, r.role)),
                }
                for r in ledger.records
            ],
            "asked": _asked_view(ledger.asked, language),
            "targets": [
                {
                    "slug": t.slug,
                    "name": localised_text(t.name, language),
                    "url": target_path(t.slug, language),
                }
                for t in ledger.targets
            ],
            "roles": [localised_text(r.name, language) for r in ledger.roles],
            "languages": [c for c, _n in settings.LANGUAGES],
        }


def _year_span(holding, language: str) -> str:
    """ "2025", "2024–2026" or "2025–" for a holding (ends_on is exclusive)."""
    start = holding.starts_on.year
    if holding.ends_on is None:
        text = f"{start}–"
    else:
        end = (holding.ends_on - datetime.timedelta(days=1)).year
        text = str(start) if end == start else f"{start}–{end}"
    return myanmar_digits(text) if language == "my" else text


def target_view(ledger, language: str) -> dict:
    """A target's public page (publishing.tracker.TargetLedger)."""
    target = ledger.target
    with translation.override(language):
        roles = []
        seen: set[int] = set()
        for holding in ledger.holdings:
            if holding.role_id in seen:
                continue
            seen.add(holding.role_id)
            roles.append(
                {
                    "name": localised_text(holding.role.name, language),
                    "held": [
                        {
                            "from": format_date(h.starts_on, language),
                            "until": format_date(h.ends_on, language) if h.ends_on else "",
                        }
                        for h in ledger.holdings
                        if h.role_id == holding.role_id
                    ],
                    "succession": [
                        {
                            "years": _year_span(h, language),
                            "name": localised_text(h.holder.name, language),
                            "url": target_path(h.holder.slug, language)
                            if h.holder_is_public
                            else "",
                            "current": h.holder_id == target.pk,
                        }
                        for h in ledger.successions.get(holding.role_id, [])
                        # A holder no public release refers to is not named.
                        if h.holder_is_public or h.holder_id == target.pk
                    ],
                }
            )
        rate = ledger.rate
        return {
            "slug": target.slug,
            "name": localised_text(target.name, language),
            "kind": target.kind,
            "kind_label": str(TARGET_KIND_LABELS.get(target.kind, target.kind)),
            "country": target.country,
            "parent": {
                "name": localised_text(target.parent.name, language),
                "url": target_path(target.parent.slug, language),
            }
            if target.parent and getattr(target, "parent_is_public", False)
            else None,
            "roles": roles,
            "asks": [
                {
                    "id": ask.pk,
                    "url": ask_path(ask.pk, language),
                    "text": localised_text(ask.text, language),
                    "status": ask.status,
                    "status_label": str(ASK_STATUS_LABELS.get(ask.status, ask.status)),
                    "history": history_view(ask.public_history, language),
                    "asked": _asked_view(ledger.asked[ask.pk], language),
                }
                for ask in ledger.asks
            ],
            "releases": [build_summary(s, language) for s in ledger.releases],
            "invitations": [
                invitation_view(i, language, with_release=True) for i in ledger.invitations
            ],
            "rate": {
                "invited": rate.invited,
                "responded": rate.responded,
                "no_response": rate.no_response,
                "awaiting": rate.awaiting,
                "percent": _number(round(rate.rate * 100), language)
                if rate.rate is not None
                else "",
                "responded_text": _number(rate.responded, language),
                "settled_text": _number(rate.responded + rate.no_response, language),
                "awaiting_text": _number(rate.awaiting, language),
            },
        }
