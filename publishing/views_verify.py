"""Signed releases, publicly: the keys, each language version's canonical text, the PDF's
signature, and the verification page (publishing/signing.py, publishing/verification.py).

What is served follows publishing/visibility.py like every other output: a hidden release's
.txt and .pdf.sig are 404; a retracted release's .txt is its signed retraction notice.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from accounts.client_ip import client_ip
from config.languages import language_name
from publishing import signing, verification
from publishing.pdf import ensure_pdf
from publishing.rendering import page_path, when
from publishing.visibility import is_retracted, readable_languages, release_by_slug

MAX_TEXT_CHARS = 200_000


@require_safe
def keys_json(request):
    response = JsonResponse(signing.keys_document(), json_dumps_params={"indent": 2})
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _public_release(slug: str, language: str):
    statement = release_by_slug(slug)
    if statement is None or language not in readable_languages(statement):
        raise Http404("No such release in this language.")
    return statement


def _signature_headers(response, key_id: str, value: str) -> None:
    response["X-Pressroom-Key-Id"] = key_id
    response["X-Pressroom-Signature"] = value
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"


@require_safe
def release_txt(request, slug: str):
    """The canonical text: exactly the signed bytes (a tombstone: its retraction notice)."""
    statement = _public_release(slug, get_language() or "en")
    row = signing.text_signature(statement, get_language() or "en")
    if row is None:
        raise Http404("No such release in this language.")
    response = HttpResponse(
        row.canonical_text.encode("utf-8"), content_type="text/plain; charset=utf-8"
    )
    _signature_headers(response, row.key_id, row.signature)
    response["ETag"] = f'"{row.content_hash[:32]}"'
    return response


@require_safe
def release_pdf_sig(request, slug: str):
    """The base64 Ed25519 signature of the PDF served at <slug>.pdf now."""
    language = get_language() or "en"
    statement = _public_release(slug, language)
    if is_retracted(statement):
        return HttpResponse(
            "This release was retracted.", status=410, content_type="text/plain; charset=utf-8"
        )
    path = ensure_pdf(statement, language)
    key_id, value = signing.pdf_signature(statement, language, path)
    response = HttpResponse(value, content_type="text/plain; charset=us-ascii")
    _signature_headers(response, key_id, value)
    return response


# --- The verification page -------------------------------------------------------------------


class VerifyForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Paste a text"),
        required=False,
        max_length=MAX_TEXT_CHARS,
        widget=forms.Textarea(attrs={"rows": 10}),
        strip=False,
    )
    link = forms.URLField(
        label=gettext_lazy("Or a link"), required=False, max_length=2000, assume_scheme="https"
    )
    document = forms.FileField(label=gettext_lazy("Or upload a PDF or a .txt file"), required=False)

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload and upload.size > settings.VERIFY_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is too large (at most %(mb)s MB).")
                % {"mb": settings.VERIFY_MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        given = [name for name in ("text", "link", "document") if data.get(name)]
        if not self.errors and len(given) != 1:
            raise forms.ValidationError(
                gettext_lazy("Give one thing to check: a text, a link or a file.")
            )
        return data


def _over_limit(request) -> bool:
    hour = timezone.now().strftime("%Y%m%d%H")
    key = f"verify:{client_ip(request) or '-'}:{hour}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count > settings.VERIFY_ATTEMPTS_PER_HOUR


def _check(form: VerifyForm, request) -> verification.Outcome:
    data = form.cleaned_data
    if data.get("link"):
        return verification.verify_link(data["link"], request.get_host())
    if data.get("document"):
        content = data["document"].read(settings.VERIFY_MAX_UPLOAD_BYTES + 1)
        if content.startswith(b"%PDF-"):
            return verification.verify_pdf(content)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return verification.Outcome(result=verification.NOT_OURS, what="file")
        return verification.verify_text(text)
    return verification.verify_text(data["text"])


def _shown(outcome: verification.Outcome, language: str) -> dict:
    return {
        "outcome": outcome,
        "published": when(outcome.published_at, language),
        "retracted": when(outcome.retracted_at, language),
        "language_name": language_name(outcome.language) if outcome.language else "",
        "version": outcome.version,
        "title_lang": outcome.language,
        "release_url": _release_url(outcome),
    }


def _release_url(outcome: verification.Outcome) -> str:
    languages = [code for code, _name in settings.LANGUAGES]
    if not outcome.slug or outcome.language not in languages:
        return ""
    try:
        return page_path(outcome.slug, outcome.language)
    except NoReverseMatch:
        return ""


@require_http_methods(["GET", "HEAD", "POST"])
def verify_page(request):
    language = get_language() or "en"
    context = {"key": signing.current_key(), "max_mb": settings.VERIFY_MAX_UPLOAD_BYTES // 2**20}
    status = 200
    if request.method == "POST":
        if _over_limit(request):
            context["limited"] = True
            form = VerifyForm()
            status = 429
        else:
            form = VerifyForm(request.POST, request.FILES)
            if form.is_valid():
                context |= _shown(_check(form, request), language)
            else:
                status = 400
    else:
        form = VerifyForm()
    context["form"] = form
    context["key_grouped"] = signing.grouped(context["key"].key_id)
    return render(request, "public/verify.html", context, status=status)


def keys_json_text() -> str:
    """The keys document as text (the static export writes it)."""
    return json.dumps(signing.keys_document(), indent=2)
