"""Desk search: statements in every state and language, best match first."""

from __future__ import annotations

from django.shortcuts import render

from accounts.policy import desk_view
from config.languages import language_codes
from statements.models import Statement
from statements.search import search_statements

# A desk page, not an export: more results than this means the query should be narrower.
MAX_RESULTS = 100
TITLE_CHARS = 90


@desk_view
def desk_search(request):
    q = (request.GET.get("q") or "").strip()[:200]
    results: list[dict] = []
    if q:
        found = search_statements(
            Statement.objects.select_related("campaign").prefetch_related("translations"), q
        )[:MAX_RESULTS]
        for statement in found:
            titles = [(t.language, t.title) for t in statement.translations.all() if t.title]
            titles.sort(
                key=lambda pair: (
                    language_codes().index(pair[0])
                    if pair[0] in language_codes()
                    else len(language_codes())
                )
            )
            results.append({"statement": statement, "titles": titles})
    return render(
        request,
        "desk/search.html",
        {
            "q": q,
            "results": results,
            "limit": MAX_RESULTS,
            "title_chars": TITLE_CHARS,
        },
    )
