"""Last-Modified and ETag of the public API, pages and feeds come from public data only:
publishing or editing a hidden release (a draft, an embargoed one, a deferred translation)
moves neither; a public change moves them."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.utils import timezone

pytestmark = pytest.mark.django_db

CONDITIONAL = [
    "/api/v1/releases/",
    "/api/v1/releases/?language=en",
    "/api/v1/releases/shown/",
    "/api/v1/campaigns/",
    "/en/releases/",
    "/my/releases/",
    "/en/releases/shown/",
    "/en/feeds/releases.xml",
    "/en/feeds/releases.atom",
    "/en/campaigns/public-campaign/",
]


def headers(client) -> dict[str, tuple[str | None, str | None]]:
    cache.clear()  # the API list cache must not be what keeps the headers still
    out = {}
    for path in CONDITIONAL:
        response = client.get(path)
        assert response.status_code == 200, path
        out[path] = (response.get("Last-Modified"), response.get("ETag"))
    return out


def test_hidden_changes_move_no_last_modified_nor_etag(client, make_release):
    now = timezone.now()
    shown = make_release(
        slug="shown",
        published_at=now - datetime.timedelta(days=2),
        deferred_languages=["my"],
    )
    draft = make_release(state="draft", slug="hidden-draft")
    before = headers(client)
    assert before["/api/v1/releases/"][0], "the list carries Last-Modified"
    assert before["/api/v1/releases/shown/"][0]
    time.sleep(1.1)  # Last-Modified has a resolution of one second

    # A hidden release published now under a running embargo.
    make_release(
        slug="hidden-embargoed",
        published_at=timezone.now(),
        embargo_until=timezone.now() + datetime.timedelta(hours=3),
    )
    # One published with a publication time still to come.
    make_release(slug="hidden-future", published_at=timezone.now() + datetime.timedelta(hours=1))
    # A draft edited.
    english = draft.translation("en")
    english.title = "Edited draft title"
    english.save()
    draft.save()
    # The deferred Burmese text of the public release rewritten ("Burmese to follow").
    burmese = shown.translation("my")
    burmese.body = "ပြင်ဆင်ထားသော မူကြမ်း။"
    burmese.save()
    # A save of the public statement that changes nothing public (as an amendment in
    # preparation does).
    shown.save()

    assert headers(client) == before


def test_a_public_change_moves_last_modified(client, make_release):
    make_release(slug="shown", published_at=timezone.now() - datetime.timedelta(days=2))
    before = client.get("/api/v1/releases/")
    time.sleep(1.1)
    make_release(slug="newly-public", published_at=timezone.now())
    cache.clear()
    after = client.get("/api/v1/releases/")
    assert after["Last-Modified"] != before["Last-Modified"]
    assert after["ETag"] != before["ETag"]
    assert "newly-public" in after.content.decode()
    # A reader holding the old copy gets the new one, not a 304.
    assert (
        client.get("/api/v1/releases/", HTTP_IF_MODIFIED_SINCE=before["Last-Modified"]).status_code
        == 200
    )
