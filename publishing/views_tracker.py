"""Public pages of the campaign tracker under /<lang>/: the targets, one target, one ask.

What they show is loaded by publishing/tracker.py through publishing/visibility.py: only what a
public release refers to; anything else is a 404 like a made-up address.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from publishing.rendering import (
    TARGET_KIND_LABELS,
    ask_view,
    localised_text,
    target_view,
    truncate,
)
from publishing.tracker import ask_ledger, target_ledger, target_list
from publishing.views import _all_languages, _language, conditional, open_graph


@require_safe
@conditional
def targets(request):
    language = _language()
    groups: dict[str, dict] = {}
    for target in target_list():
        group = groups.setdefault(
            target.kind,
            {"kind": target.kind, "label": str(TARGET_KIND_LABELS.get(target.kind, target.kind))},
        )
        group.setdefault("targets", []).append(
            {
                "slug": target.slug,
                "name": localised_text(target.name, language),
                "country": target.country,
            }
        )
    return render(
        request,
        "public/target_list.html",
        {
            "groups": list(groups.values()),
            "og": open_graph(
                request,
                title=gettext("Who we address"),
                description=gettext("Governments, bodies and companies our releases address."),
                languages=_all_languages(),
            ),
        },
    )


@require_safe
@conditional
def target_detail(request, slug: str):
    language = _language()
    ledger = target_ledger(slug)
    if ledger is None:
        raise Http404("No such target.")
    target = target_view(ledger, language)
    return render(
        request,
        "public/target_detail.html",
        {
            "target": target,
            "og": open_graph(
                request,
                title=target["name"]["text"],
                description=target["kind_label"],
                languages=_all_languages(),
            ),
        },
    )


@require_safe
@conditional
def ask_detail(request, ask_id: int):
    language = _language()
    ledger = ask_ledger(ask_id)
    if ledger is None:
        raise Http404("No such ask.")
    ask = ask_view(ledger, language)
    return render(
        request,
        "public/ask_detail.html",
        {
            "ask": ask,
            "og": open_graph(
                request,
                title=truncate(ask["text"]["text"], 200),  # never inside a Burmese syllable
                description=ask["campaign"]["name"],
                languages=_all_languages(),
            ),
        },
    )
