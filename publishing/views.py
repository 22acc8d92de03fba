"""Public pages under /<lang>/: releases, one release (or its tombstone), its PDF, campaigns.

Only what publishing/visibility.py allows is shown; a retracted release keeps its URL as a
tombstone with the date and reason (410 Gone), never its body, once its embargo (if any) is over.
Each page carries Open Graph and Twitter card tags in its language (`open_graph`). At the root:
/sitemap.xml (publishing/sitemaps.py), /robots.txt and /favicon.ico (publishing/urls_root.py).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.paginator import EmptyPage, Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.decorators import decorator_from_middleware
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_safe

from campaigns.models import Campaign
from config.languages import pick
from publishing.cache import cache_public_page
from publishing.pdf import ensure_pdf
from publishing.rendering import build_release, build_summary, page_path, release_invitations
from publishing.sitemaps import SITEMAPS
from publishing.visibility import (
    is_retracted,
    public_campaigns,
    published_releases,
    readable_languages,
    release_by_slug,
)

PAGE_SIZE = 20
# ETag on every page and feed, 304 on a conditional GET (feed readers poll), and the answer
# kept in the page cache until something public changes (publishing/cache.py).
_conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


def conditional(view):
    return cache_public_page(_conditional_get(view))


# Open Graph locales (language_TERRITORY) of the configured languages.
OG_LOCALES = {"en": "en_GB", "my": "my_MM"}


def _language() -> str:
    return get_language() or "en"


def _og_locale(code: str) -> str:
    return OG_LOCALES.get(code, code)


def open_graph(
    request,
    *,
    title: str,
    description: str,
    languages: list[str] | None = None,
    kind: str = "website",
    published: str = "",
) -> dict:
    """Open Graph and Twitter card tags of a page in the current language; `languages` are those
    the page can also be read in (og:locale:alternate)."""
    language = _language()
    others = [code for code in (languages or []) if code != language]
    return {
        "title": title,
        "description": description,
        "url": request.build_absolute_uri(request.path),
        "type": kind,
        "locale": _og_locale(language),
        "alternate_locales": [_og_locale(code) for code in others],
        "published_time": published,
    }


def _all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _page(queryset, number: int):
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        return paginator.page(number)
    except EmptyPage as exc:
        raise Http404("No such page.") from exc


def _page_links(page, url_name: str, kwargs: dict) -> dict:
    def url(number: int) -> str:
        if number == 1:
            return reverse(url_name, kwargs=kwargs)
        return reverse(f"{url_name}-page", kwargs={**kwargs, "page": number})

    return {
        "previous": url(page.previous_page_number()) if page.has_previous() else None,
        "next": url(page.next_page_number()) if page.has_next() else None,
    }


@require_safe
def home(request):
    return redirect("public:releases")


@require_safe
@conditional
def release_list(request, page: int = 1):
    language = _language()
    campaign = request.GET.get("campaign") or None
    if campaign:  # the list filtered by campaign is the campaign's page
        get_object_or_404(public_campaigns(), slug=campaign)
        return redirect("public:campaign", slug=campaign)
    if page == 1 and request.resolver_match.url_name.endswith("-page"):
        return redirect("public:releases")
    current = _page(published_releases(), page)
    return render(
        request,
        "public/release_list.html",
        {
            "releases": [build_summary(s, language) for s in current.object_list],
            "page": current,
            "links": _page_links(current, "public:releases", {}),
            "campaigns": [
                {"slug": c.slug, "name": pick(c.name, language)}
                for c in public_campaigns().filter(status=Campaign.Status.ACTIVE).order_by("slug")
            ],
            "og": open_graph(
                request,
                title=gettext("Press releases"),
                description=gettext("Published press releases and statements."),
                languages=_all_languages(),
            ),
        },
    )


@require_safe
@conditional
def release_detail(request, slug: str):
    language = _language()
    statement = release_by_slug(slug)
    if statement is None:
        raise Http404("No such release.")
    release = build_release(statement, language)
    retracted = release.status == "retracted"
    og = open_graph(
        request,
        title=release.title,
        description="" if retracted else release.summary,  # a tombstone shows no text
        languages=[lang["code"] for lang in release.languages],
        kind="article",
        published=release.published.iso if release.published else "",
    )
    # og:url names the page in the language it is shown in (its canonical address).
    og["url"] = request.build_absolute_uri(page_path(statement.slug, language))
    return render(
        request,
        "public/release_detail.html",
        {
            "release": release,
            "alternates": [lang for lang in release.languages if not lang["current"]],
            "invitations": [] if retracted else release_invitations(statement, language),
            "og": og,
        },
        status=410 if retracted else 200,
    )


@require_safe
def release_pdf(request, slug: str):
    language = _language()
    statement = release_by_slug(slug)
    if statement is None:
        raise Http404("No such release.")
    if is_retracted(statement):
        return HttpResponse(
            "This release was retracted.", status=410, content_type="text/plain; charset=utf-8"
        )
    if language not in readable_languages(statement):
        raise Http404("This release is not published in this language.")
    path = ensure_pdf(statement, language)  # cached; made here only if the task has not run
    etag = f'"{path.stem.rsplit(".", 1)[-1]}"'  # the content fingerprint in the file name
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = FileResponse(path.open("rb"), content_type="application/pdf")
    response["ETag"] = etag
    response["Content-Disposition"] = f'inline; filename="{slug}.{language}.pdf"'
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
@conditional
def campaign_list(request):
    language = _language()
    campaigns = public_campaigns().order_by("status", "slug")
    return render(
        request,
        "public/campaign_list.html",
        {
            "campaigns": [
                {
                    "slug": c.slug,
                    "name": pick(c.name, language),
                    "description": pick(c.description, language),
                    "status": c.status,
                }
                for c in campaigns
            ],
            "og": open_graph(
                request,
                title=gettext("Campaigns"),
                description=gettext("Published press releases and statements."),
                languages=_all_languages(),
            ),
        },
    )


@require_safe
@conditional
def campaign_detail(request, slug: str, page: int = 1):
    language = _language()
    campaign = get_object_or_404(public_campaigns(), slug=slug)
    if page == 1 and request.resolver_match.url_name.endswith("-page"):
        return redirect("public:campaign", slug=slug)
    current = _page(published_releases(campaign=slug), page)
    return render(
        request,
        "public/campaign_detail.html",
        {
            "campaign": {
                "slug": campaign.slug,
                "name": pick(campaign.name, language),
                "description": pick(campaign.description, language),
            },
            "releases": [build_summary(s, language) for s in current.object_list],
            "page": current,
            "links": _page_links(current, "public:campaign", {"slug": slug}),
            "og": open_graph(
                request,
                title=pick(campaign.name, language),
                description=pick(campaign.description, language),
                languages=_all_languages(),
            ),
        },
    )


# --- At the root: sitemap, robots, favicon ---------------------------------------------------

# Staff pages and the staff API are no business of a crawler; nor are recipients' links.
ROBOTS_DISALLOW = ("/desk/", "/admin/", "/api/v1/statements/", "/unsubscribe/")
FAVICON = Path(settings.BASE_DIR) / "static" / "favicon.ico"


@require_safe
@conditional
def sitemap(request):
    return sitemap_view(
        request,
        sitemaps=SITEMAPS,
        template_name="public/sitemap.xml",
        content_type="application/xml; charset=utf-8",
    )


@require_safe
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the same icon as the <link>s."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def page_not_found(request, exception=None):
    """The 404 of the whole site: JSON under /api/, else a page in the reader's language."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"message": "Not found.", "extra": {}}, status=404)
    return render(request, "public/404.html", status=404)
