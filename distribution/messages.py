"""Rendering a distribution's messages: each language variant once, recipients filled in cheaply.

Building a message from templates costs more CPU than sending it, so every variant ("en",
"my", "en+my", "my+en") is rendered once per distribution and stored on it; per recipient
only the To address, the unsubscribe link, the Message-ID and, under embargo, the leak-tracing
reference (distribution/leak_refs.py) change (build_message). A contact who asked for plain
text gets the same message without its HTML part.

A message carries only languages a reader may read (publishing.visibility.readable_languages:
complete, not deferred): an incomplete translation or one deferred at publication ("Burmese to
follow") is never emailed. A contact none of whose languages is readable gets the release in
its source language (the language it was written and approved in). Bodies are sanitised with
the pages' allowlist (publishing.rendering.markdown_html): no images, no remote resources.
"""

from __future__ import annotations

import datetime
import functools
import html
import re
import zoneinfo
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation

from config.languages import pick
from distribution.plaintext import html_plain_text, markdown_plain_text
from publishing.rendering import markdown_html, when
from publishing.visibility import embargo_running, readable_languages
from statements.models import Statement
from statements.organisation import current_organisation

# Stands in for the recipient's unsubscribe URL in the rendered variants.
UNSUBSCRIBE_PLACEHOLDER = "__PRESSROOM_UNSUBSCRIBE_URL__"
UNSUBSCRIBE_SALT = "distribution.unsubscribe"
# Stands in for the recipient's leak-tracing reference (distribution/leak_refs.py) in the
# rendered variants of an embargoed release.
REFERENCE_PLACEHOLDER = "__PRESSROOM_REFERENCE__"
REFERENCE_HEADER = "X-Pressroom-Ref"
VARIANT_SEPARATOR = "+"

# The app's own Myanmar font first (an @font-face in the HTML part's <head>, for the clients
# that honour it: Apple Mail, iOS), then the Myanmar fonts systems ship.
WEB_MYANMAR_FONT = "Pressroom Myanmar"
MYANMAR_FONTS = (
    f"'{WEB_MYANMAR_FONT}', 'Noto Sans Myanmar', 'Myanmar Text', Padauk, Pyidaungsu, sans-serif"
)
LATIN_FONTS = "Helvetica, Arial, sans-serif"

# Fixed wording per language; a third language falls back to English until it is added here.
LABELS = {
    "en": {
        "read": "Read online",
        "pdf": "Download PDF",
        "unsubscribe": "Unsubscribe",
        "correction": "CORRECTION",
        "retraction": "RETRACTED",
        "embargo": "EMBARGOED UNTIL",
        "myanmar_time": "Myanmar time",
        "published": "Published",
        "more_information": "More information",
        "about": "About us",
        "media_contact": "Media contact",
        "quote": "said",
        "retraction_note": "This release has been retracted.",
        "why": "You receive this as a media contact of our organisation.",
        "reference": "Copy reference",
    },
    "my": {
        "read": "အွန်လိုင်းတွင် ဖတ်ရန်",
        "pdf": "PDF ရယူရန်",
        "unsubscribe": "စာရင်းမှ ထွက်ရန်",
        "correction": "ပြင်ဆင်ချက်",
        "retraction": "ရုပ်သိမ်းပြီး",
        "embargo": "EMBARGOED UNTIL",
        "myanmar_time": "မြန်မာစံတော်ချိန်",
        "published": "ထုတ်ပြန်သည့်ရက်",
        "more_information": "နောက်ထပ် အချက်အလက်များ",
        "about": "ကျွန်ုပ်တို့အကြောင်း",
        "media_contact": "မီဒီယာ ဆက်သွယ်ရန်",
        "quote": "",
        "retraction_note": "ဤထုတ်ပြန်ချက်ကို ရုပ်သိမ်းလိုက်ပါပြီ။",
        "why": "သင်သည် ကျွန်ုပ်တို့အဖွဲ့၏ မီဒီယာဆက်သွယ်ရန်စာရင်းတွင် ပါဝင်သောကြောင့် ဤစာကို ရရှိပါသည်။",
        "reference": "မိတ္တူ ရည်ညွှန်းအမှတ်",
    },
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def labels(language: str) -> dict:
    return LABELS.get(language, LABELS["en"])


def header_safe(text: str, limit: int = 250) -> str:
    """One line, no control characters: a title can never add a header."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:limit]


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def message_domain() -> str:
    _name, _at, domain = settings.DEFAULT_FROM_EMAIL.rstrip(">").rpartition("@")
    return header_safe(domain) or site_host()


def list_id() -> str:
    return f"Pressroom releases <releases.{site_host()}>"


def unsubscribe_token(contact_id: int) -> str:
    # signing.dumps, with the signer made once per key: it is built for every message.
    return _unsubscribe_signer(settings.SECRET_KEY).sign_object(contact_id, compress=False)


@functools.lru_cache(maxsize=4)
def _unsubscribe_signer(key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=key, salt=UNSUBSCRIBE_SALT)


def unsubscribe_contact_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url_for(token: str) -> str:
    return settings.SITE_URL + reverse("distribution:unsubscribe", args=[token])


def unsubscribe_mailto_for(token: str) -> str:
    address = settings.DISTRIBUTION_UNSUBSCRIBE_MAILTO or f"unsubscribe@{message_domain()}"
    return f"mailto:{address}?subject=unsubscribe%20{token}"


def variant_for(languages: list[str], available: list[str], fallback: str) -> str:
    """The contact's languages the statement has, in the contact's order of preference."""
    chosen = [code for code in languages if code in available]
    return VARIANT_SEPARATOR.join(chosen or [fallback])


def available_languages(statement: Statement) -> list[str]:
    """Languages a message may carry: those a reader may read, and no other."""
    return readable_languages(statement)


def fallback_language(statement: Statement) -> str:
    """For a contact none of whose languages is readable: the source language if readable (it
    is for anything published), else the first readable one."""
    readable = available_languages(statement)
    if statement.source_language in readable or not readable:
        return statement.source_language
    return readable[0]


def readable_variant(statement: Statement, variant: str) -> list[str]:
    """The languages of `variant` that may be sent, or the fallback. A variant written when a
    send started is checked again at rendering: a language deferred since is dropped."""
    readable = available_languages(statement)
    chosen = [code for code in variant.split(VARIANT_SEPARATOR) if code in readable]
    return list(dict.fromkeys(chosen)) or [fallback_language(statement)]


def short_lines(text: str, limit: int = 900) -> str:
    """Break lines longer than `limit` bytes at spaces. Mail lines over 998 bytes force
    quoted-printable, which bloats Burmese threefold and costs CPU for every message."""
    out = []
    for line in text.split("\n"):
        while len(line.encode("utf-8")) > limit:
            cut = line.rfind(" ", 0, limit // 3)  # a character is at most 3 bytes here
            if cut <= 0:
                break
            out.append(line[:cut])
            line = line[cut + 1 :]
        out.append(line)
    return "\n".join(out)


def _when(moment: datetime.datetime) -> dict:
    utc = moment.astimezone(datetime.UTC)
    local = moment.astimezone(zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return {"utc": utc.strftime("%Y-%m-%d %H:%M UTC"), "local": local.strftime("%Y-%m-%d %H:%M")}


def _embargo_line(embargo_until: datetime.datetime, language: str) -> str:
    when = _when(embargo_until)
    return f"EMBARGOED UNTIL {when['utc']} / {when['local']} {labels(language)['myanmar_time']}"


_SLANTED = re.compile(r"<(/?)(?:em|i)>")


def upright(fragment: str, language: str) -> str:
    """Burmese has no italic: a browser slants it synthetically, which garbles the stacked
    letters. Emphasis in Burmese is shown bold instead; Latin text keeps its italics."""
    return _SLANTED.sub(r"<\1strong>", fragment) if language == "my" else fragment


def _release_date(statement: Statement, language: str, now: datetime.datetime) -> str:
    """The release date in UTC and Myanmar time, in the section's language and calendar
    (Burmese digits and month names: publishing.rendering.when)."""
    moment = when(statement.published_at or statement.scheduled_at or now, language)
    return f"{moment.utc} · {moment.local} {labels(language)['myanmar_time']}"


def _section(
    statement: Statement, language: str, kind: str, now: datetime.datetime | None = None
) -> dict:
    translation_ = statement.translation(language) or statement.translation(
        statement.source_language
    )
    words = labels(language)
    # The text shown is in the translation's language (the source language if not translated).
    text_language = translation_.language if translation_ else language
    base = f"{settings.SITE_URL}/{language}/releases/{statement.slug}"
    # The pages' allowlist, one home (publishing/rendering.py): no img, srcset, style or other
    # remote resource survives, in the HTML part nor, as a URL, in the text part.
    body_html = markdown_html(translation_.body) if translation_ else ""
    quotes = [
        {
            "speaker": header_safe(str(q.get("speaker", ""))),
            "html": upright(markdown_html(str(q.get("text", ""))), text_language),
            "text": markdown_plain_text(str(q.get("text", ""))),
        }
        for q in ((translation_.quotes or []) if translation_ else [])
        if isinstance(q, dict)
    ]
    more_html = markdown_html(translation_.more_information) if translation_ else ""
    organisation = current_organisation()
    # The statement's own boilerplate, chosen (or defaulted) when it was made and approved with
    # it: the same as its page and PDF show.
    boilerplate = statement.boilerplate
    about_html = markdown_html(pick(boilerplate.about, language)) if boilerplate else ""
    correction = statement.corrections.order_by("-number").first() if kind == "correction" else None
    return {
        "language": language,
        "text_language": text_language,
        "fonts": MYANMAR_FONTS if language == "my" else LATIN_FONTS,
        "labels": words,
        "organisation": organisation.name_in(language),
        # A name missing in this language is shown in another: tagged with that one.
        "organisation_language": next(
            (code for code in (language, "en", *organisation.name) if organisation.name.get(code)),
            language,
        ),
        "date": _release_date(statement, language, now or timezone.now()),
        "title": header_safe(translation_.title if translation_ else statement.slug, 300),
        "summary": translation_.summary if translation_ else "",
        "summary_text": markdown_plain_text(translation_.summary) if translation_ else "",
        "body_text": html_plain_text(body_html),
        "body_html": upright(body_html, text_language),
        "quotes": quotes,
        "more_html": upright(more_html, text_language),
        "more_text": html_plain_text(more_html),
        "about_html": upright(about_html, language),
        "about_text": html_plain_text(about_html),
        "media_contact": pick(boilerplate.media_contact, language) if boilerplate else "",
        "page_url": f"{base}/",
        # A retracted release has no PDF any more.
        "pdf_url": "" if kind == "retraction" else f"{base}.pdf",
        "correction_note": correction.note_in(language) if correction else "",
        "retraction_reason": statement.retraction_reason if kind == "retraction" else "",
    }


def _letterhead(sections: list[dict]) -> list[dict]:
    """The organisation's name in each language of the message, each different name once."""
    names: dict[str, dict] = {}
    for section in sections:
        if section["organisation"]:
            names.setdefault(
                section["organisation"],
                {
                    "language": section["organisation_language"],
                    "name": section["organisation"],
                    "fonts": section["fonts"],
                },
            )
    return list(names.values())


def render_variant(
    *, statement: Statement, variant: str, kind: str, now: datetime.datetime | None = None
) -> dict:
    """Subject, text and HTML of one variant; the unsubscribe URL is a placeholder."""
    now = now or timezone.now()
    languages = readable_variant(statement, variant)
    embargo = statement.embargo_until if embargo_running(statement, now) else None
    sections = []
    for language in languages:
        with translation.override(language):
            section = _section(statement, language, kind, now)
            section["embargo_line"] = _embargo_line(embargo, language) if embargo else ""
            sections.append(section)
    first = sections[0]
    prefix = {"correction": "correction", "retraction": "retraction"}.get(kind)
    subject = " / ".join(s["title"] for s in sections)
    if prefix:
        subject = " / ".join(dict.fromkeys(s["labels"][prefix] for s in sections)) + ": " + subject
    if embargo:
        # The word EMBARGOED stays in English in every language: journalists' filters look for it.
        subject = f"{_embargo_line(embargo, 'en')}: {subject}"
    context = {
        "sections": sections,
        "kind": kind,
        "first": first,
        # The letterhead: the organisation's name in each language of the message, once.
        "letterhead": _letterhead(sections),
        "myanmar_font_urls": _myanmar_font_urls() if "my" in languages else None,
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
        "embargo": bool(embargo),
        # Under embargo each copy carries its recipient's reference, filled in per recipient.
        "reference": REFERENCE_PLACEHOLDER if embargo else "",
    }
    with translation.override(first["language"]):
        text = render_to_string("emails/release_body.txt", context)
        html_body = render_to_string("emails/release_body.html", context)
    return {
        "subject": header_safe(subject, 400),
        "text": short_lines(text),
        "html": short_lines(html_body),
        "language": first["language"],
        # Every language of the message, in its order (RFC 3282): "my, en".
        "content_language": ", ".join(languages),
        "leak_ref": bool(embargo),
    }


def _myanmar_font_urls() -> dict:
    """The app's own Myanmar font files, as absolute URLs (the static storage's names, hashed
    in production), for the HTML part's @font-face."""
    return {
        weight: settings.SITE_URL + static(f"fonts/NotoSansMyanmar-{name}.ttf")
        for weight, name in (("normal", "Regular"), ("bold", "Bold"))
    }


def build_message(
    *,
    rendered: dict,
    address: str,
    token: str,
    message_id: str,
    connection=None,
    date: str | None = None,
    reference: str = "",
    plain_text_only: bool = False,
) -> EmailMultiAlternatives:
    """Fill in the per-recipient parts of a rendered variant. `reference`: the recipient's
    leak-tracing reference, required when the variant carries one (embargoed);
    `plain_text_only`: no HTML part (the contact's preference)."""
    if rendered.get("leak_ref") and not reference:
        raise ValueError("an embargoed message needs its recipient's reference")
    url = unsubscribe_url_for(token)
    headers = {
        "Message-ID": message_id,
        "List-Id": list_id(),
        "List-Unsubscribe": f"<{url}>, <{unsubscribe_mailto_for(token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Variants rendered before the header named every language carry only the first.
        "Content-Language": rendered.get("content_language") or rendered["language"],
        "Auto-Submitted": "auto-generated",
    }
    if date:
        headers["Date"] = date
    if rendered.get("leak_ref"):
        headers[REFERENCE_HEADER] = reference
    message = EmailMultiAlternatives(
        subject=rendered["subject"],
        body=rendered["text"]
        .replace(UNSUBSCRIBE_PLACEHOLDER, url)
        .replace(REFERENCE_PLACEHOLDER, reference),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers=headers,
        connection=connection,
    )
    if not plain_text_only:
        message.attach_alternative(
            rendered["html"]
            .replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(url))
            .replace(REFERENCE_PLACEHOLDER, html.escape(reference)),
            "text/html",
        )
    return message


# The desk's preview and test send: a stand-in recipient and an unsubscribe token no contact has.
PREVIEW_ADDRESS = "journalist@example.org"
PREVIEW_TOKEN = "preview-not-a-contact"  # noqa: S105 (not a secret)
# In the shape of a real reference, in letters no reference has (U is not in the alphabet).
PREVIEW_REFERENCE = "UUUU-UUUU-UU"


def preview_message(
    *, statement: Statement, variant: str, kind: str, address: str = PREVIEW_ADDRESS
) -> EmailMultiAlternatives:
    """One variant exactly as a recipient gets it (render_variant, then build_message), for
    the desk's preview and test send; only the recipient (and, under embargo, the reference:
    PREVIEW_REFERENCE) is a stand-in."""
    rendered = render_variant(statement=statement, variant=variant, kind=kind)
    return build_message(
        rendered=rendered,
        address=address,
        token=PREVIEW_TOKEN,
        message_id=f"<pressroom.preview.{statement.pk}@{message_domain()}>",
        reference=PREVIEW_REFERENCE,
    )


# The per-recipient parts of a pre-built message: only ASCII letters, digits and dots, so
# neither header folding nor 8bit bodies can split them.
TO_MARK = "recipient.placeholder@pressroom.invalid"
MESSAGE_ID_MARK = "<message.id.placeholder@pressroom.invalid>"
UNSUBSCRIBE_MARK = "UNSUBSCRIBETOKENPLACEHOLDER"
DATE_MARK = "DATEPLACEHOLDER"
REFERENCE_MARK = "LEAKREFERENCEPLACEHOLDER"


def raw_template(rendered: dict, *, plain_text_only: bool = False) -> bytes | None:
    """The whole message as bytes with marks where recipients differ; None when the MIME
    encoding would split a mark (quoted-printable of very long lines): then build per message.
    """
    message = build_message(
        rendered=rendered,
        address=TO_MARK,
        token=UNSUBSCRIBE_MARK,
        message_id=MESSAGE_ID_MARK,
        date=DATE_MARK,
        reference=REFERENCE_MARK if rendered.get("leak_ref") else "",
        plain_text_only=plain_text_only,
    )
    raw = message.message().as_bytes(linesep="\r\n")
    parts = (rendered["text"],) if plain_text_only else (rendered["text"], rendered["html"])
    expected_tokens = 2 + sum(part.count(UNSUBSCRIBE_PLACEHOLDER) for part in parts)
    expected_references = (
        1 + sum(part.count(REFERENCE_PLACEHOLDER) for part in parts)
        if rendered.get("leak_ref")
        else 0
    )
    if (
        raw.count(UNSUBSCRIBE_MARK.encode()) != expected_tokens
        or raw.count(REFERENCE_MARK.encode()) != expected_references
        or raw.count(TO_MARK.encode()) != 1
        or raw.count(MESSAGE_ID_MARK.encode()) != 1
        or raw.count(DATE_MARK.encode()) != 1
    ):
        return None
    return raw


_MARKS = re.compile(
    b"("
    + b"|".join(
        re.escape(m.encode())
        for m in (TO_MARK, MESSAGE_ID_MARK, DATE_MARK, UNSUBSCRIBE_MARK, REFERENCE_MARK)
    )
    + b")"
)


@dataclass(frozen=True)
class Prebuilt:
    """A variant's whole message as bytes, cut at the marks: filling it in for a recipient is
    one join, not a search and a copy of the whole message per mark."""

    parts: tuple[bytes, ...]
    marks: tuple[bytes, ...]

    @classmethod
    def cut(cls, raw: bytes) -> Prebuilt:
        pieces = _MARKS.split(raw)  # the group keeps the marks, at the odd places
        return cls(tuple(pieces[0::2]), tuple(pieces[1::2]))

    def fill(self, *, address: str, token: str, message_id: str, reference: str = "") -> bytes:
        values = {
            _TO: address.encode("ascii"),
            _MESSAGE_ID: message_id.encode("ascii"),
            _DATE: formatdate(localtime=False).encode("ascii"),
            _UNSUBSCRIBE: token.encode("ascii"),
            _REFERENCE: reference.encode("ascii"),
        }
        if _REFERENCE in self.marks and not reference:
            raise ValueError("an embargoed message needs its recipient's reference")
        out = [self.parts[0]]
        for mark, part in zip(self.marks, self.parts[1:], strict=True):
            out.append(values[mark])
            out.append(part)
        return b"".join(out)


_TO, _MESSAGE_ID, _DATE, _UNSUBSCRIBE, _REFERENCE = (
    m.encode() for m in (TO_MARK, MESSAGE_ID_MARK, DATE_MARK, UNSUBSCRIBE_MARK, REFERENCE_MARK)
)


def make_message_id(*, distribution_id: int, delivery_id: int, domain: str = "") -> str:
    # Stable per delivery: a copy re-sent after a crash carries the same Message-ID, so mail
    # clients can fold the duplicate.
    return f"<pressroom.{distribution_id}.{delivery_id}@{domain or message_domain()}>"
