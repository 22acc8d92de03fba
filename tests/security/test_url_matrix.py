"""Every URL × every caller × every statement condition: the expected answer, and nothing hidden
in any response body or header.

The URLs come from the URLconf itself: a URL pattern without a row in ROWS fails
test_every_url_pattern_has_a_row, so a new view cannot ship unexamined. Admin URLs need no row:
every pattern under /admin/ is admitted for the admin role only (ADMIN_RULE).

Access kinds (PRODUCT.md, CONTRACT.md, issue 10):
- public: the same for every caller; shows only what visibility allows.
- desk: staff with a verified second factor; anonymous and token callers go to the login,
  a password-only session to the 2FA page; a role outside `roles` gets 403.
- api: staff API; anonymous and password-only sessions get 401/403, a role outside `roles` 403.
- open: login, 2FA and logout pages, reachable by everyone as the row says.
- admin: only the admin role, verified.

A caller who is not entitled to a response must find none of the hidden markers in it (titles,
summaries, bodies, slugs, Burmese text of a deferred language, retraction reasons of releases
retracted under embargo, campaigns/targets/asks only hidden statements use, recipient addresses).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

from tests.security.conftest import (
    CALLERS,
    CONDITIONS,
    HIDDEN,
    HIDDEN_REFERENCE,
    PUBLIC,
    RECIPIENT,
    SESSION_ROLES,
    TOKEN_ROLES,
    World,
    markers,
)

pytestmark = pytest.mark.django_db

LANGS = ("en", "my")
STAFF = frozenset({"author", "editor", "publisher", "admin"})
REVIEWERS = frozenset({"editor", "admin"})
PUBLISHERS = frozenset({"publisher", "admin"})
MANAGERS = frozenset({"editor", "publisher", "admin"})  # campaigns.manage
PUBLIC_CALLERS = ("anonymous", "password-only", "publisher")
STATEMENT_CONDS = (*CONDITIONS, "missing")
API_STATEMENT_CONDS = (*STATEMENT_CONDS, "malformed")


# --- requests and rows ---------------------------------------------------------------------


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    ok: frozenset[int]  # statuses for an entitled caller (public: every caller)
    data: dict | None = None
    roles: frozenset[str] = STAFF  # who is entitled (desk, api)
    refused: frozenset[int] = frozenset({403})  # a verified/token caller outside `roles`
    # Staff API without credentials; a path no route matches is a 404 before anything else.
    unauthenticated: frozenset[int] = frozenset({401, 403})
    location: str | None = None  # an `ok` redirect must go here (prefix)
    allow: frozenset[str] = frozenset()  # hidden markers this response may show (tombstone)
    show: tuple[str, ...] = ()  # markers an entitled caller must see (the check is not vacuous)
    ok_for: tuple[tuple[str, frozenset[int]], ...] = ()  # (caller, statuses) overriding `ok`


@dataclass(frozen=True)
class Row:
    access: str  # public | desk | api | open
    build: Callable[[World, str], list[Req]]
    conds: tuple[str, ...] = ("-",)
    callers: tuple[str, ...] = CALLERS
    method: str = "GET"  # for the test id


def S(*codes: int) -> frozenset[int]:
    return frozenset(codes)


def _per_lang(fn):
    return lambda w, c: [fn(w, c, lang) for lang in LANGS]


# Public pages -------------------------------------------------------------------------------


def _release_page(w: World, cond: str, lang: str, *, pdf: bool) -> Req:
    m = markers(cond)
    path = f"/{lang}/releases/{w.slug(cond)}{'.pdf' if pdf else '/'}"
    if cond in ("published", "corrected") or (cond == "deferred" and lang == "en"):
        show = () if pdf else ((m["title"] if lang == "en" else m["my_title"]),)
        return Req("GET", path, S(200), show=show)
    if cond == "deferred":  # Burmese to follow: never the Burmese text (a page may say so)
        return Req("GET", path, S(404) if pdf else S(200, 404))
    if cond == "retracted":  # a tombstone: date, title and reason, never the text
        allow = frozenset({m["title"], m["my_title"], m["slug"], m["reason"]})
        return Req("GET", path, S(410), allow=allow)
    return Req("GET", path, S(404))


def _signed_release(w: World, cond: str, lang: str, *, suffix: str) -> Req:
    """<slug>.txt (the signed text; a tombstone's is its signed retraction notice) and
    <slug>.pdf.sig (the PDF's signature): visibility as the page and the PDF."""
    m = markers(cond)
    path = f"/{lang}/releases/{w.slug(cond)}{suffix}"
    if cond in ("published", "corrected") or (cond == "deferred" and lang == "en"):
        show = ((m["title"] if lang == "en" else m["my_title"]),) if suffix == ".txt" else ()
        return Req("GET", path, S(200), show=show)
    if cond == "retracted":
        allow = frozenset({m["title"], m["my_title"], m["slug"], m["reason"]})
        return Req("GET", path, S(200) if suffix == ".txt" else S(410), allow=allow)
    return Req("GET", path, S(404))


def _campaign_pages(w: World, kind: str, lang: str, *, feed: str = "", page: bool = False):
    slug = w.campaign.get(kind, "no-such-campaign")
    status = S(200) if kind == "open" else S(404)
    if feed:
        return Req("GET", f"/{lang}/feeds/campaigns/{slug}.{feed}", status)
    if page:
        redirect = S(302) if kind == "open" else S(404)
        return Req("GET", f"/{lang}/campaigns/{slug}/page/1/", redirect)
    return Req("GET", f"/{lang}/campaigns/{slug}/", status)


REFERENCE_CONDS = ("open", "hidden-only", "missing")
# Targets also: one that only hidden statements invite to respond.
TARGET_CONDS = ("open", "hidden-only", "invited-only", "missing")


def _tracker_pages(w: World, kind: str, lang: str, *, page: str) -> Req:
    """Target and ask pages and the targets' feeds: only what a public release refers to."""
    status = S(200) if kind == "open" else S(404)
    if page == "ask":
        return Req("GET", f"/{lang}/asks/{w.ask.get(kind, 999999)}/", status)
    slug = w.target.get(kind, "no-such-target")
    if page == "target":
        show = ("https://example.org/open-response",) if kind == "open" else ()
        return Req("GET", f"/{lang}/targets/{slug}/", status, show=show)
    return Req("GET", f"/{lang}/feeds/targets/{slug}.{page}", status)


def _api_release(w: World, cond: str) -> list[Req]:
    m = markers(cond)
    path = f"/api/v1/releases/{w.slug(cond) if cond != 'malformed' else 'not%20a%20slug'}/"
    if cond in PUBLIC:
        return [Req("GET", path, S(200), show=(m["title"],))]
    if cond == "retracted":  # 200 with "status": "retracted" and no text
        allow = frozenset({m["title"], m["my_title"], m["slug"], m["reason"]})
        return [Req("GET", path, S(200), allow=allow)]
    return [Req("GET", path, S(404))]


def _api_release_search(w: World, cond: str) -> list[Req]:
    m = markers(cond)
    # Search by part of a marker: the query itself never contains a whole marker.
    title_q = m["title"].removeprefix("MARK-")
    reqs = [
        Req(
            "GET",
            f"/api/v1/releases/?q={title_q}",
            S(200),
            show=(m["title"],) if cond in PUBLIC else (),
        ),
        Req("GET", f"/api/v1/releases/?q={m['body'].removeprefix('MARK-')}", S(200)),
        Req("GET", f"/api/v1/releases/?q={m['my_body'].removeprefix('MARK-')}", S(200)),
    ]
    if cond == "published":
        reqs += [
            Req("GET", "/api/v1/releases/", S(200), show=(m["title"],)),
            Req("GET", "/api/v1/releases/?language=my&page_size=100", S(200)),
        ]
    return reqs


def _api_reference(kind: str, w: World, cond: str) -> list[Req]:
    if kind == "asks":
        key = "abc" if cond == "malformed" else w.ask.get(cond, 999999)
    else:
        key = getattr(w, kind.rstrip("s")).get(cond, f"no-such-{kind}")
    return [Req("GET", f"/api/v1/{kind}/{key}/", S(200) if cond == "open" else S(404))]


def _unsubscribe(w: World, cond: str) -> list[Req]:
    token = {
        "valid": w.unsubscribe_token,
        "tampered": w.unsubscribe_token[:-3] + "xyz",
        "garbage": "not-a-token",
    }[cond]
    status = S(200) if cond == "valid" else S(404)
    reqs = [Req("GET", f"/unsubscribe/{token}/", status)]
    if cond != "valid":  # one-click POST with a bad token changes nothing and says so
        reqs.append(Req("POST", f"/unsubscribe/{token}/", S(404)))
    return reqs


# Desk ---------------------------------------------------------------------------------------


def _desk_statement(
    suffix: str = "", *, method: str = "GET", ok=None, show_title=True, embargo_publisher_only=False
):
    ok = ok or S(200)

    def build(w: World, cond: str) -> list[Req]:
        exists = cond in w.pks
        ok_for = ()
        if embargo_publisher_only and cond == "embargoed":
            # The empty form's embargo field would lift a running embargo: publishers only.
            ok_for = (("author", ok | S(403)), ("editor", ok | S(403)))
        show = (markers(cond)["title"],) if exists and show_title and method == "GET" else ()
        return [
            Req(
                method,
                f"/desk/statements/{w.pk(cond)}/{suffix}",
                ok if exists else S(404),
                data={} if method == "POST" else None,
                refused=S(403) if exists else S(403, 404),
                show=show,
                ok_for=ok_for,
            )
        ]

    return build


DESK_ACTIONS = {  # name -> roles that may take it
    "submit": STAFF,
    "approve": REVIEWERS,
    "publish": PUBLISHERS,
    "retract": PUBLISHERS,
}


def _desk_actions(w: World, cond: str) -> list[Req]:
    exists = cond in w.pks
    reqs = []
    for name, roles in DESK_ACTIONS.items():
        data = {"reason": "Withdrawn.", "comment": "ok"}
        reqs.append(
            Req(
                "POST",
                f"/desk/statements/{w.pk(cond)}/{name}/",
                S(302, 400) if exists else S(404),
                data=data,
                roles=roles,
                refused=S(403) if exists else S(403, 404),
            )
        )
    reqs.append(Req("POST", f"/desk/statements/{w.pk(cond)}/no-such-action/", S(404), data={}))
    return reqs


def _desk_preview(w: World, cond: str) -> list[Req]:
    exists = cond in w.pks
    m = markers(cond)
    return [
        Req(
            "GET",
            f"/desk/statements/{w.pk(cond)}/preview/{lang}/",
            S(200) if exists else S(404),
            show=((m["title"] if lang == "en" else m["my_title"]),) if exists else (),
            refused=S(403) if exists else S(403, 404),
        )
        for lang in LANGS
    ] + [Req("GET", f"/desk/statements/{w.pk(cond)}/preview/xx/", S(404), refused=S(403, 404))]


def _retract_confirm(w: World, cond: str) -> list[Req]:
    # Publishers see the confirmation (200) or, where retracting is not possible, go back to
    # the statement with the reason (302).
    exists = cond in w.pks
    return [
        Req(
            "GET",
            f"/desk/statements/{w.pk(cond)}/retract/confirm/?reason=x",
            S(200, 302) if exists else S(404),
            roles=PUBLISHERS,
            refused=S(403) if exists else S(403, 404),
        )
    ]


def _send(suffix: str = "", *, method: str = "GET", show_recipient=False):
    def build(w: World, cond: str) -> list[Req]:
        pk = w.distribution_pk if cond == "published" else 999999
        if suffix.endswith("/") and method == "POST":  # pause, resume, cancel, confirm
            reqs = [
                Req(
                    "POST",
                    f"/desk/sends/{pk}/{action}/",
                    S(302, 400) if cond == "published" else S(400, 404),
                    data={},
                    roles=PUBLISHERS,
                    refused=S(403) if cond == "published" else S(403, 404),
                )
                for action in ("pause", "resume", "cancel", "confirm")
            ]
            unknown = S(400, 404)  # an unknown action is refused whoever asks
            reqs.append(
                Req(
                    "POST",
                    f"/desk/sends/{pk}/no-such-action/",
                    unknown,
                    data={},
                    refused=unknown | S(403),
                )
            )
            return reqs
        show = (RECIPIENT,) if show_recipient and cond == "published" else ()
        return [
            Req(
                "GET",
                f"/desk/sends/{pk}/{suffix}",
                S(200) if cond == "published" else S(404),
                show=show,
                refused=S(403, 404),
            )
        ]

    return build


# Staff API ----------------------------------------------------------------------------------

API_ACTIONS = {  # action -> (roles, states it applies in (None: either answer), payload)
    "submit": (STAFF, {"draft", "changes-requested"}, {}),
    "approve": (REVIEWERS, {"in-review"}, {}),
    "request-changes": (REVIEWERS, {"in-review"}, {"comment": "Name the source."}),
    "schedule": (PUBLISHERS, {"approved"}, {"scheduled_at": "2100-01-01T00:00:00Z"}),
    "unschedule": (PUBLISHERS, {"scheduled"}, {}),
    "publish": (PUBLISHERS, {"approved", "scheduled"}, {}),
    "defer-translation": (PUBLISHERS, None, {"languages": ["my"], "reason": "Later."}),
    "correct": (PUBLISHERS, set(), {"notes": {"en": "Fixed.", "my": "ပြင်ဆင်ပြီး။"}}),
    "retract": (PUBLISHERS, {"published", "corrected", "deferred", "embargoed"}, {"reason": "X"}),
    "set-embargo": (
        PUBLISHERS,
        {"embargoed"},  # after publication, only while the embargo runs
        {"embargo_until": "2100-01-01T00:00:00Z", "reason": "The partners asked."},
    ),
}


def _api_action(action: str, *, fmt: str = ""):
    roles, valid, payload = API_ACTIONS[action]

    def build(w: World, cond: str) -> list[Req]:
        exists = cond in w.pks
        if not exists:
            ok = S(404)
        elif valid is None:
            ok = S(200, 400)
        else:
            ok = S(200) if cond in valid else S(400)
        return [
            Req(
                "POST",
                f"/api/v1/statements/{w.pk(cond)}/{action}{fmt or '/'}",
                ok,
                data=payload,
                roles=roles,
                refused=S(403) if exists else S(403, 404),
                unauthenticated=S(401, 403, 404) if cond == "malformed" else S(401, 403),
            )
        ]

    return build


def _api_statement_detail(fmt: str = ""):
    def build(w: World, cond: str) -> list[Req]:
        exists = cond in w.pks
        return [
            Req(
                "GET",
                f"/api/v1/statements/{w.pk(cond)}{fmt or '/'}",
                S(200) if exists else S(404),
                show=(markers(cond)["title"],) if exists else (),
                unauthenticated=S(401, 403, 404) if cond == "malformed" else S(401, 403),
            )
        ]

    return build


NEW_STATEMENT = {
    "campaign": "open-campaign",
    "translations": {"en": {"title": "New one", "summary": "New.", "body": "New body."}},
}


def _api_contact(suffix: str = "", method: str = "GET", roles=PUBLISHERS):
    def build(w: World, cond: str) -> list[Req]:
        pk = w.contact_pk if cond == "exists" else 999999
        return [
            Req(
                method,
                f"/api/v1/contacts/{pk}/{suffix}",
                S(200) if cond == "exists" else S(404),
                data={} if method == "POST" else None,
                roles=roles,
                refused=S(403) if cond == "exists" else S(403, 404),
                show=(RECIPIENT,) if cond == "exists" and method == "GET" else (),
            )
        ]

    return build


def _api_distribution_action(action: str):
    def build(w: World, cond: str) -> list[Req]:
        pk = w.distribution_pk if cond == "published" else 999999
        return [
            Req(
                "POST",
                f"/api/v1/distributions/{pk}/{action}/",
                S(200, 400) if cond == "published" else S(404),
                data={},
                roles=PUBLISHERS,
                refused=S(403) if cond == "published" else S(403, 404),
            )
        ]

    return build


def _one(method: str, path: str, ok, **kw) -> Callable[[World, str], list[Req]]:
    return lambda w, c: [Req(method, path, ok, **kw)]


def _lang(path: str, ok, **kw) -> Callable[[World, str], list[Req]]:
    return lambda w, c: [Req("GET", f"/{lang}{path}", ok, **kw) for lang in LANGS]


# --- the table: one row per URL pattern (by name; ".format" for DRF's suffix routes) ----------

ROWS: dict[str, Row] = {
    # Public site, per language.
    "public:home": Row("public", _lang("/", S(302)), callers=PUBLIC_CALLERS),
    "public:releases": Row("public", _lang("/releases/", S(200)), callers=PUBLIC_CALLERS),
    "public:releases-page": Row(
        "public",
        lambda w, c: [
            Req("GET", f"/{lang}/releases/page/{n}/", S(302) if n == 1 else S(404))
            for lang in LANGS
            for n in (1, 99)
        ],
        callers=PUBLIC_CALLERS,
    ),
    "public:release": Row(
        "public",
        _per_lang(lambda w, c, lang: _release_page(w, c, lang, pdf=False)),
        conds=STATEMENT_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:release-pdf": Row(
        "public",
        _per_lang(lambda w, c, lang: _release_page(w, c, lang, pdf=True)),
        conds=STATEMENT_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:release-txt": Row(
        "public",
        _per_lang(lambda w, c, lang: _signed_release(w, c, lang, suffix=".txt")),
        conds=STATEMENT_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:release-pdf-sig": Row(
        "public",
        _per_lang(lambda w, c, lang: _signed_release(w, c, lang, suffix=".pdf.sig")),
        conds=STATEMENT_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:verify": Row(
        "public",
        lambda w, c: [
            *(Req("GET", f"/{lang}/verify/", S(200)) for lang in LANGS),
            # Nothing to check: a 400 with the form again, never a 500.
            *(Req("POST", f"/{lang}/verify/", S(400), data={}) for lang in LANGS),
        ],
        callers=PUBLIC_CALLERS,
    ),
    "signing-keys": Row(
        "public", _one("GET", "/.well-known/pressroom-keys.json", S(200)), callers=PUBLIC_CALLERS
    ),
    "public:campaigns": Row("public", _lang("/campaigns/", S(200)), callers=PUBLIC_CALLERS),
    "public:campaign": Row(
        "public",
        _per_lang(lambda w, c, lang: _campaign_pages(w, c, lang)),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:campaign-page": Row(
        "public",
        _per_lang(lambda w, c, lang: _campaign_pages(w, c, lang, page=True)),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:feed-rss": Row("public", _lang("/feeds/releases.xml", S(200)), callers=PUBLIC_CALLERS),
    "public:feed-atom": Row(
        "public", _lang("/feeds/releases.atom", S(200)), callers=PUBLIC_CALLERS
    ),
    "public:campaign-feed-rss": Row(
        "public",
        _per_lang(lambda w, c, lang: _campaign_pages(w, c, lang, feed="xml")),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:campaign-feed-atom": Row(
        "public",
        _per_lang(lambda w, c, lang: _campaign_pages(w, c, lang, feed="atom")),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    # The campaign tracker: hidden asks, targets, invitations and responses appear nowhere.
    "public:targets": Row(
        "public", _lang("/targets/", S(200), show=("Open target",)), callers=PUBLIC_CALLERS
    ),
    "public:target": Row(
        "public",
        _per_lang(lambda w, c, lang: _tracker_pages(w, c, lang, page="target")),
        conds=TARGET_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:target-feed-rss": Row(
        "public",
        _per_lang(lambda w, c, lang: _tracker_pages(w, c, lang, page="xml")),
        conds=TARGET_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:target-feed-atom": Row(
        "public",
        _per_lang(lambda w, c, lang: _tracker_pages(w, c, lang, page="atom")),
        conds=TARGET_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public:ask": Row(
        "public",
        _per_lang(lambda w, c, lang: _tracker_pages(w, c, lang, page="ask")),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "healthz": Row("public", _one("GET", "/healthz", S(200)), callers=PUBLIC_CALLERS),
    # Public releases only: every hidden marker (slugs included) is checked absent.
    "sitemap": Row(
        "public",
        _one("GET", "/sitemap.xml", S(200), show=(markers("published")["slug"],)),
        callers=PUBLIC_CALLERS,
    ),
    "robots": Row("public", _one("GET", "/robots.txt", S(200)), callers=PUBLIC_CALLERS),
    "favicon": Row("public", _one("GET", "/favicon.ico", S(200)), callers=PUBLIC_CALLERS),
    "distribution:unsubscribe": Row(
        "public",
        _unsubscribe,
        conds=("valid", "tampered", "garbage"),
        callers=("anonymous",),
    ),
    # Providers' tracking webhooks: the shared secret (basic auth) or nothing, for everyone.
    "distribution:anymail-mailgun-tracking": Row(
        "public",
        lambda w, c: [
            Req("GET", "/anymail/mailgun/tracking/", S(403, 405)),
            Req("POST", "/anymail/mailgun/tracking/", S(401, 403)),
        ],
        callers=PUBLIC_CALLERS,
        method="POST",
    ),
    "distribution:anymail-postmark-tracking": Row(
        "public",
        lambda w, c: [
            Req("GET", "/anymail/postmark/tracking/", S(403, 405)),
            Req("POST", "/anymail/postmark/tracking/", S(401, 403)),
        ],
        callers=PUBLIC_CALLERS,
        method="POST",
    ),
    # Public API.
    "public-release-list": Row(
        "public", _api_release_search, conds=CONDITIONS, callers=PUBLIC_CALLERS
    ),
    "public-release-detail": Row(
        "public", _api_release, conds=(*STATEMENT_CONDS, "malformed"), callers=PUBLIC_CALLERS
    ),
    "public-campaign-list": Row(
        "public", _one("GET", "/api/v1/campaigns/", S(200)), callers=PUBLIC_CALLERS
    ),
    "public-campaign-detail": Row(
        "public",
        lambda w, c: _api_reference("campaigns", w, c),
        conds=REFERENCE_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public-target-list": Row(
        "public", _one("GET", "/api/v1/targets/", S(200)), callers=PUBLIC_CALLERS
    ),
    "public-target-detail": Row(
        "public",
        lambda w, c: _api_reference("targets", w, c),
        conds=TARGET_CONDS,
        callers=PUBLIC_CALLERS,
    ),
    "public-ask-list": Row("public", _one("GET", "/api/v1/asks/", S(200)), callers=PUBLIC_CALLERS),
    "public-ask-detail": Row(
        "public",
        lambda w, c: _api_reference("asks", w, c),
        conds=(*REFERENCE_CONDS, "malformed"),
        callers=PUBLIC_CALLERS,
    ),
    "schema": Row("public", _one("GET", "/api/schema/", S(200)), callers=PUBLIC_CALLERS),
    "api-docs": Row("public", _one("GET", "/api/docs/", S(200)), callers=PUBLIC_CALLERS),
    # Login, second factor, logout.
    "desk-login": Row("open", _one("GET", "/desk/login/", S(200, 302))),
    "desk-2fa": Row("2fa", _one("GET", "/desk/2fa/", S(200))),
    "desk-recovery-codes": Row("desk", _one("GET", "/desk/2fa/recovery-codes/", S(200))),
    "desk-tokens": Row("desk", _one("GET", "/desk/tokens/", S(200))),
    "desk-token-action": Row(
        "desk",
        lambda w, c: (
            [
                # Only the owner rotates or revokes a token; for anyone else it does not exist.
                # Once its owner rotated it, the old one is gone: revoking it is a 404 too.
                Req(
                    "POST",
                    f"/desk/tokens/{w.token_digest}/{action}/",
                    S(404),
                    data={},
                    ok_for=(("author", S(200) if action == "rotate" else S(404)),),
                )
                for action in ("rotate", "revoke")
            ]
            + [Req("POST", f"/desk/tokens/{w.token_digest}/no-such-action/", S(404), data={})]
        ),
        method="POST",
    ),
    "desk-logout-then-login": Row(
        "open", _one("GET", "/desk/login-again/", S(302, 405), location="/desk/login/")
    ),
    "desk-logout": Row(
        "open",
        _one("POST", "/desk/logout/", S(302), data={}, location="/desk/login/"),
        method="POST",
    ),
    # Desk.
    "desk": Row("desk", _one("GET", "/desk/", S(200))),
    "desk-translations": Row("desk", _one("GET", "/desk/translations/", S(200))),
    "desk-language": Row(
        "desk",
        _one("POST", "/desk/language/", S(302), data={"language": "en"}, location="/desk/"),
        method="POST",
    ),
    "desk-search": Row(
        "desk",
        lambda w, c: [
            Req(
                "GET",
                f"/desk/search/?q={markers(c)['title'].removeprefix('MARK-')}",
                S(200),
                show=(markers(c)["title"],),
            )
        ],
        conds=CONDITIONS,
    ),
    "desk-statement-new": Row("desk", _one("GET", "/desk/statements/new/", S(200))),
    "desk-statement": Row("desk", _desk_statement(), conds=STATEMENT_CONDS),
    "desk-statement-save": Row(
        "desk",
        _desk_statement("save/", method="POST", ok=S(302, 400), embargo_publisher_only=True),
        conds=STATEMENT_CONDS,
        method="POST",
    ),
    "desk-statement-diff": Row(
        "desk", _desk_statement("diff/", show_title=False), conds=STATEMENT_CONDS
    ),
    "desk-statement-preview": Row("desk", _desk_preview, conds=STATEMENT_CONDS),
    # The editor: live preview of posted text (writes nothing), edit lock, retract confirmation.
    "desk-editor-preview": Row(
        "desk", _one("POST", "/desk/statements/preview/", S(200), data={}), method="POST"
    ),
    "desk-statement-lock": Row(
        "desk",
        _desk_statement("lock/", method="POST", ok=S(200, 403)),
        conds=STATEMENT_CONDS,
        method="POST",
    ),
    "desk-statement-retract-confirm": Row("desk", _retract_confirm, conds=STATEMENT_CONDS),
    "desk-statement-action": Row("desk", _desk_actions, conds=STATEMENT_CONDS, method="POST"),
    "desk-sends": Row("desk", _one("GET", "/desk/sends/", S(200))),
    "desk-send-new": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/sends/new/", S(200), roles=PUBLISHERS),
            Req(
                "GET",
                f"/desk/sends/new/?statement={w.pks['published']}&media_lists=mark-list",
                S(200),
                roles=PUBLISHERS,
            ),
        ],
    ),
    "desk-send": Row("desk", _send(show_recipient=True), conds=("published", "missing")),
    "desk-send-progress": Row("desk", _send("progress.json"), conds=("published", "missing")),
    "desk-send-action": Row(
        "desk", _send("x/", method="POST"), conds=("published", "missing"), method="POST"
    ),
    "desk-send-cancel": Row(
        "desk",
        lambda w, c: [
            Req(
                "GET",
                f"/desk/sends/{w.distribution_pk if c == 'published' else 999999}/cancel/confirm/",
                S(200) if c == "published" else S(404),
                roles=PUBLISHERS,
                refused=S(403),
            )
        ],
        conds=("published", "missing"),
    ),
    "desk-send-test": Row(
        "desk",
        lambda w, c: [
            Req("POST", "/desk/sends/test/", S(400), data={}, roles=PUBLISHERS),
            Req(
                "POST",
                "/desk/sends/test/",
                S(302),
                data={"statement": w.pks["published"], "kind": "release", "variant": "en"},
                roles=PUBLISHERS,
            ),
        ],
        method="POST",
    ),
    # Trace a leaked copy: publishers and admins (the answer names a journalist).
    "desk-leak-trace": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/sends/trace/", S(200), roles=PUBLISHERS),
            Req(
                "POST",
                "/desk/sends/trace/",
                S(200),
                data={"text": "ZZZZ-ZZZZ-ZZ"},
                roles=PUBLISHERS,
            ),
            Req("POST", "/desk/sends/trace/", S(400), data={"text": ""}, roles=PUBLISHERS),
        ],
        method="POST",
    ),
    # Telegram posts and mirrors: every role sees them; publishers and admins act. A missing
    # post or no configured mirror is a refused rule (400), an unknown action 400 for all.
    "desk-channels": Row("desk", _one("GET", "/desk/channels/", S(200))),
    "desk-channel-post-action": Row(
        "desk",
        lambda w, c: [
            Req("POST", "/desk/channels/posts/999999/retry/", S(400), data={}, roles=PUBLISHERS),
            Req("POST", "/desk/channels/posts/999999/posted/", S(400), data={}, roles=PUBLISHERS),
            Req("POST", "/desk/channels/posts/999999/no-such-action/", S(400), data={}),
        ],
        method="POST",
    ),
    "desk-mirrors-push": Row(
        "desk",
        _one("POST", "/desk/channels/mirrors/push/", S(400), data={}, roles=PUBLISHERS),
        method="POST",
    ),
    "desk-send-preview-html": Row(
        "desk",
        lambda w, c: [
            Req(
                "GET",
                f"/desk/sends/preview/{w.pk(c)}/release/{lang}/",
                (S(200) if c in ("published", "corrected") else S(200, 400))
                if c in w.pks
                else S(404),
                roles=PUBLISHERS,
                refused=S(403),
                show=((markers(c)["title"] if lang == "en" else markers(c)["my_title"]),)
                if c == "published"
                else (),
            )
            for lang in LANGS
        ],
        conds=STATEMENT_CONDS,
    ),
    "desk-contacts": Row(
        "desk",
        _one("GET", "/desk/contacts/", S(200), roles=PUBLISHERS, show=(RECIPIENT,)),
    ),
    # The CSV import (publishers and admins): without a file, or with no upload waiting, 400.
    "desk-contacts-import": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/contacts/import/", S(200), roles=PUBLISHERS),
            Req("POST", "/desk/contacts/import/", S(400), data={}, roles=PUBLISHERS),
        ],
    ),
    "desk-contacts-import-confirm": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/contacts/import/confirm/", S(405), roles=PUBLISHERS),
            Req("POST", "/desk/contacts/import/confirm/", S(400), data={}, roles=PUBLISHERS),
        ],
        method="POST",
    ),
    # Exports of journalists' data and segments: publishers and admins; the export log: admins.
    "desk-contacts-export": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/contacts/export/", S(200), roles=PUBLISHERS),
            Req(
                "POST",
                "/desk/contacts/export/",
                S(200),
                data={"lists": "mark-list", "format": "csv"},
                roles=PUBLISHERS,
                show=(RECIPIENT,),
            ),
            Req("POST", "/desk/contacts/export/", S(400), data={"format": "xml"}, roles=PUBLISHERS),
        ],
        method="POST",
    ),
    "desk-contact-data-export": Row(
        "desk",
        lambda w, c: [
            Req(
                "POST",
                "/desk/contacts/export/subject/",
                S(200),
                data={"email": RECIPIENT},
                roles=PUBLISHERS,
                show=(RECIPIENT,),
            ),
            Req(
                "POST",
                "/desk/contacts/export/subject/",
                S(400),
                data={"email": "nobody@example.org"},
                roles=PUBLISHERS,
            ),
        ],
        method="POST",
    ),
    "desk-contacts-exports": Row(
        "desk", _one("GET", "/desk/contacts/exports/", S(200), roles=frozenset({"admin"}))
    ),
    "desk-segments": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/contacts/segments/", S(200), roles=PUBLISHERS),
            Req("GET", "/desk/contacts/segments/?new=1", S(200), roles=PUBLISHERS),
            Req(
                "POST",
                "/desk/contacts/segments/",
                S(400),
                data={"slug": "", "name": ""},
                roles=PUBLISHERS,
            ),
        ],
        method="POST",
    ),
    "desk-segment": Row(
        "desk",
        _one("GET", "/desk/contacts/segments/999999/", S(404), roles=PUBLISHERS),
    ),
    "desk-segment-delete": Row(
        "desk",
        _one("POST", "/desk/contacts/segments/999999/delete/", S(404), data={}, roles=PUBLISHERS),
        method="POST",
    ),
    # The organisation's letterhead settings: admins only (accounts/policy.py).
    "desk-organisation": Row(
        "desk", _one("GET", "/desk/organisation/", S(200), roles=frozenset({"admin"}))
    ),
    # The campaign tracker (issue 12): every staff role reads; editors and up write campaigns,
    # targets, roles and asks; publishers and admins invite targets and record responses.
    "desk-campaigns": Row("desk", _one("GET", "/desk/campaigns/", S(200))),
    "desk-campaign-new": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/campaigns/new/", S(200)),
            Req("POST", "/desk/campaigns/new/", S(400), data={"slug": ""}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-campaign": Row(
        "desk",
        lambda w, c: [
            Req("GET", f"/desk/campaigns/{w.campaign['open']}/", S(200)),
            Req("GET", "/desk/campaigns/no-such-campaign/", S(404), refused=S(403, 404)),
            Req("POST", f"/desk/campaigns/{w.campaign['open']}/", S(400), data={}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-campaign-dashboard": Row(
        "desk",
        lambda w, c: [
            Req("GET", f"/desk/campaigns/{w.campaign['open']}/dashboard/", S(200)),
            Req("GET", "/desk/campaigns/no-such-campaign/dashboard/", S(404)),
        ],
    ),
    "desk-targets": Row("desk", _one("GET", "/desk/targets/", S(200))),
    "desk-target-new": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/targets/new/", S(200)),
            Req("POST", "/desk/targets/new/", S(400), data={"slug": ""}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-target": Row(
        "desk",
        lambda w, c: [
            Req("GET", f"/desk/targets/{w.target['open']}/", S(200)),
            Req("GET", "/desk/targets/no-such-target/", S(404)),
            Req("POST", f"/desk/targets/{w.target['open']}/", S(400), data={}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-roles": Row("desk", _one("GET", "/desk/roles/", S(200))),
    "desk-role-new": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/roles/new/", S(200)),
            Req("POST", "/desk/roles/new/", S(400), data={"slug": ""}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-role": Row("desk", _one("GET", "/desk/roles/no-such-role/", S(404))),
    "desk-role-holding-add": Row(
        "desk",
        _one("POST", "/desk/roles/no-such-role/holders/", S(404), data={}, roles=MANAGERS),
        method="POST",
    ),
    "desk-role-holding-remove": Row(
        "desk",
        _one("POST", "/desk/roles/no-such-role/holders/1/remove/", S(404), data={}, roles=MANAGERS),
        method="POST",
    ),
    "desk-asks": Row("desk", _one("GET", "/desk/asks/", S(200))),
    "desk-ask-new": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/asks/new/", S(200)),
            Req("POST", "/desk/asks/new/", S(400), data={"slug": ""}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-ask": Row(
        "desk",
        lambda w, c: [
            Req("GET", f"/desk/asks/{w.ask['open']}/", S(200)),
            Req("GET", "/desk/asks/999999/", S(404)),
            Req("POST", f"/desk/asks/{w.ask['open']}/", S(400), data={}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-ask-status": Row(
        "desk",
        lambda w, c: [
            # No date and no source: refused, nothing recorded.
            Req("POST", f"/desk/asks/{w.ask['open']}/status/", S(400), data={}, roles=MANAGERS),
            Req("POST", "/desk/asks/999999/status/", S(404), data={}, roles=MANAGERS),
        ],
        method="POST",
    ),
    "desk-statement-invitations": Row(
        "desk",
        lambda w, c: [
            Req("GET", f"/desk/statements/{w.pk('published')}/invitations/", S(200)),
            Req("GET", "/desk/statements/999999/invitations/", S(404)),
            Req(
                "POST",
                f"/desk/statements/{w.pk('published')}/invitations/",
                S(400),
                data={},
                roles=PUBLISHERS,
            ),
        ],
        method="POST",
    ),
    "desk-invitation-response": Row(
        "desk", _one("GET", "/desk/invitations/999999/response/", S(404))
    ),
    # The inbox: every staff role has one; each person sees and changes only their own rows.
    "desk-inbox": Row("desk", _one("GET", "/desk/inbox/", S(200))),
    "desk-inbox-read-all": Row(
        "desk",
        _one("POST", "/desk/inbox/read-all/", S(302), data={}, location="/desk/inbox/"),
        method="POST",
    ),
    "desk-inbox-settings": Row(
        "desk",
        lambda w, c: [
            Req("GET", "/desk/inbox/settings/", S(200)),
            Req(
                "POST",
                "/desk/inbox/settings/",
                S(302),
                data={"inbox_approved": "on", "email_approved": "on"},
                location="/desk/inbox/settings/",
            ),
        ],
    ),
    "desk-inbox-read": Row(
        "desk", _one("POST", "/desk/inbox/999999/read/", S(404), data={}), method="POST"
    ),
    # Staff API: statements.
    "staff-statement-list": Row(
        "api",
        lambda w, c: [
            Req("GET", "/api/v1/statements/", S(200)),
            Req("POST", "/api/v1/statements/", S(201), data=NEW_STATEMENT),
        ],
    ),
    "staff-statement-list.format": Row("api", _one("GET", "/api/v1/statements.json", S(200))),
    "staff-statement-detail": Row("api", _api_statement_detail(), conds=API_STATEMENT_CONDS),
    "staff-statement-detail.format": Row(
        "api", _api_statement_detail(".json"), conds=("published", "missing", "malformed")
    ),
    # Staff API: contacts, lists, distributions (publishers and admins).
    "api-contacts": Row(
        "api",
        lambda w, c: [
            Req("GET", "/api/v1/contacts/", S(200), roles=PUBLISHERS, show=(RECIPIENT,)),
            Req(
                "POST",
                "/api/v1/contacts/",
                S(201),
                data={"email": "new-journalist@example.org", "languages": ["en"]},
                roles=PUBLISHERS,
            ),
        ],
    ),
    "api-contact": Row("api", _api_contact(), conds=("exists", "missing")),
    "api-contact-unsubscribe": Row(
        "api", _api_contact("unsubscribe/", "POST"), conds=("exists", "missing"), method="POST"
    ),
    "api-contact-erase": Row(  # erasure is for admins (contacts/api.py)
        "api",
        _api_contact("erase/", "POST", roles=frozenset({"admin"})),
        conds=("exists", "missing"),
        method="POST",
    ),
    "api-media-lists": Row(
        "api",
        lambda w, c: [
            Req("GET", "/api/v1/media-lists/", S(200), roles=PUBLISHERS),
            Req(
                "POST",
                "/api/v1/media-lists/",
                S(201),
                data={"slug": "new-list", "name": "New list", "embargo_trusted": False},
                roles=PUBLISHERS,
            ),
        ],
    ),
    "api-distributions": Row(
        "api",
        lambda w, c: [
            # Counts only: every staff role may follow a send (as in the desk).
            Req("GET", "/api/v1/distributions/", S(200)),
            Req(
                "POST",
                "/api/v1/distributions/",
                S(201),
                data={"statement": w.pks["published"], "media_lists": ["mark-list"]},
                roles=PUBLISHERS,
            ),
        ],
    ),
    # Whose copy carried a leak-tracing reference: publishers and admins.
    "api-deliveries": Row(
        "api",
        lambda w, c: [
            Req("GET", "/api/v1/deliveries/?ref=ZZZZ-ZZZZ-ZZ", S(404), roles=PUBLISHERS),
            Req("GET", "/api/v1/deliveries/?ref=not-one", S(400), roles=PUBLISHERS),
        ],
    ),
    "api-distribution": Row(
        "api",
        lambda w, c: [
            Req(
                "GET",
                f"/api/v1/distributions/{w.distribution_pk if c == 'published' else 999999}/",
                S(200) if c == "published" else S(404),
            )
        ],
        conds=("published", "missing"),
    ),
}
# Campaign tracker (issue 12): /api/v1/asks/ is the public list (GET) and the staff create
# (POST, editors and up), one path routed by method in config/urls_api.py.
EDITORS = frozenset({"editor", "publisher", "admin"})


def _api_ask_create(w: World, cond: str) -> list[Req]:
    data = {
        "campaign": w.campaign["open"],
        "slug": "brand-new-ask",
        "text": {"en": "A new ask."},
        "targets": [w.target["open"]],
    }
    return [Req("POST", "/api/v1/asks/", S(201), data=data, roles=EDITORS)]


def _api_ask_status(w: World, cond: str) -> list[Req]:
    pk = w.ask["open"] if cond == "exists" else 999999
    data = {"status": "partly_met", "on": "2025-01-01", "source_url": "https://example.org/a"}
    ok = S(201) if cond == "exists" else S(404)
    return [Req("POST", f"/api/v1/asks/{pk}/status/", ok, data=data, roles=EDITORS)]


def _api_statement_invitations(w: World, cond: str) -> list[Req]:
    ok = cond in w.pks
    path = f"/api/v1/statements/{w.pk(cond)}/invitations/"
    data = {"target": w.target["open"], "due_on": "2099-01-01"}
    return [
        Req("GET", path, S(200) if ok else S(404)),
        Req("POST", path, S(201) if ok else S(404), data=data, roles=PUBLISHERS),
    ]


def _api_invitation_response(w: World, cond: str) -> list[Req]:
    pk = 999999
    if cond == "exists":
        from campaigns.models import Target
        from statements.models import Invitation

        invitation = Invitation.objects.create(
            statement_id=w.pks["published"],
            target=Target.objects.get(slug=w.target["open"]),
            due_on=datetime.date(2025, 1, 1),
        )
        pk = invitation.pk
    data = {"responded_on": "2025-01-01", "url": "https://example.org/reply"}
    ok = S(200) if cond == "exists" else S(404)
    return [Req("POST", f"/api/v1/invitations/{pk}/response/", ok, data=data, roles=PUBLISHERS)]


ROWS["asks-collection"] = Row(
    "public", _one("GET", "/api/v1/asks/", S(200)), callers=PUBLIC_CALLERS
)
ROWS["staff-ask-create"] = Row("api", _api_ask_create, method="POST")
ROWS["staff-ask-status"] = Row("api", _api_ask_status, conds=("exists", "missing"), method="POST")
ROWS["staff-statement-invitations"] = Row(
    "api", _api_statement_invitations, conds=("published", "missing")
)
ROWS["staff-invitation-response"] = Row(
    "api", _api_invitation_response, conds=("exists", "missing"), method="POST"
)

for _action in API_ACTIONS:
    ROWS[f"staff-statement-{_action}"] = Row(
        "api", _api_action(_action), conds=API_STATEMENT_CONDS, method="POST"
    )
    ROWS[f"staff-statement-{_action}.format"] = Row(
        "api", _api_action(_action, fmt=".json"), conds=("draft", "malformed"), method="POST"
    )
for _action in ("pause", "resume", "cancel", "confirm"):
    ROWS[f"api-distribution-{_action}"] = Row(
        "api", _api_distribution_action(_action), conds=("published", "missing"), method="POST"
    )


# --- the URLconf ----------------------------------------------------------------------------


def url_patterns() -> dict[str, str]:
    """Every URL pattern of the URLconf: key (name, or route) -> route ("<lang>/" for i18n)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                pre = "<lang>/" if isinstance(p.pattern, LocalePrefixPattern) else str(p.pattern)
                ns = namespace + (f"{p.namespace}:" if p.namespace else "")
                walk(p.url_patterns, prefix + pre, ns)
                continue
            route = prefix + str(p.pattern)
            key = f"{namespace}{p.name}" if p.name else route
            if "(?P<format>" in route:
                key += ".format"
            found.setdefault(key, route)

    walk(get_resolver().url_patterns, "", "")
    return found


def admin_patterns() -> dict[str, str]:
    return {k: r for k, r in url_patterns().items() if r.startswith("admin/")}


def test_every_url_pattern_has_a_row():
    patterns = {k: r for k, r in url_patterns().items() if not r.startswith("admin/")}
    missing = sorted(f"{k} ({r})" for k, r in patterns.items() if k not in ROWS)
    assert not missing, (
        "These URL patterns have no row in tests/security/test_url_matrix.py ROWS; add one "
        "saying who may open them and what each caller gets:\n  " + "\n  ".join(missing)
    )
    stale = sorted(set(ROWS) - set(patterns))
    assert not stale, "ROWS has rows for URL patterns that no longer exist: " + ", ".join(stale)
    assert admin_patterns(), "no /admin/ URL found: the admin rule would cover nothing"


# --- callers and expectations -----------------------------------------------------------------


def role_of(caller: str) -> str | None:
    """The role a caller acts with on the staff API (tokens and verified sessions)."""
    return SESSION_ROLES.get(caller) or TOKEN_ROLES.get(caller)


def hidden_markers(w: World) -> set[str]:
    """What no caller outside the staff may find in any public output."""
    out = set(HIDDEN_REFERENCE)
    for cond in HIDDEN:
        m = markers(cond)
        out |= {m[k] for k in ("title", "summary", "body", "slug", "my_title", "my_summary")}
        out |= {m["my_body"], m["reason"]}
    deferred = markers("deferred")
    out |= {deferred["my_title"], deferred["my_summary"], deferred["my_body"]}
    retracted = markers("retracted")  # removed from listings; its tombstone shows title only
    out |= {retracted[k] for k in ("title", "summary", "body", "slug", "my_title", "my_summary")}
    out |= {retracted["my_body"], retracted["reason"]}
    return out


@dataclass
class Expect:
    statuses: frozenset[int]
    location: str | tuple[str, ...] | None = None
    entitled: bool = False  # may see what staff see (no marker check)
    forbidden_extra: set[str] = field(default_factory=set)
    # An entitled caller sent to a login or 2FA page was refused after all.
    not_location: tuple[str, ...] = ()


LOGIN = "/desk/login/"
TWO_FA = "/desk/2fa/"
REFUSED_TO = (LOGIN, "/admin/login/", TWO_FA)


def expect(access: str, caller: str, req: Req) -> Expect:
    if dict(req.ok_for).get(caller):
        req = replace(req, ok=dict(req.ok_for)[caller])
    role = SESSION_ROLES.get(caller)
    recipient_ok = role_of(caller) in PUBLISHERS
    extra = set() if recipient_ok else {RECIPIENT}
    if access == "public":
        return Expect(req.ok, req.location, forbidden_extra={RECIPIENT} - set(req.show))
    if access == "open":
        return Expect(req.ok, req.location, forbidden_extra=extra)
    if access == "2fa":  # the one desk page a password-only session may open
        if caller == "password-only" or role:
            return Expect(req.ok, forbidden_extra=extra)
        return Expect(S(302), LOGIN)
    if access == "desk":
        if caller == "password-only":
            return Expect(S(302), TWO_FA)
        if role is None:  # anonymous, tokens: the desk knows sessions only
            return Expect(S(302), LOGIN)
        if role in req.roles:
            return Expect(
                req.ok, req.location, entitled=True, forbidden_extra=extra, not_location=REFUSED_TO
            )
        return Expect(req.refused, forbidden_extra=extra)
    if access == "api":
        api_role = role_of(caller)
        if api_role is None:  # anonymous, password-only session
            return Expect(req.unauthenticated)
        if api_role in req.roles:
            return Expect(
                req.ok, req.location, entitled=True, forbidden_extra=extra, not_location=REFUSED_TO
            )
        return Expect(req.refused, forbidden_extra=extra)
    if access == "admin":
        if caller == "admin":
            return Expect(req.ok, entitled=True, not_location=REFUSED_TO)
        if role:  # verified staff without the admin role
            return Expect(S(302, 403), REFUSED_TO)
        return Expect(S(302), REFUSED_TO)
    raise AssertionError(f"unknown access kind {access!r}")


# --- making the request and checking it -------------------------------------------------------


def send(client, w: World, caller: str, req: Req, *, json_api: bool):
    from django.conf import settings

    client.cookies.clear()
    headers = {}
    if caller in w.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[caller]
    if caller in w.tokens:
        headers["HTTP_AUTHORIZATION"] = f"Token {w.tokens[caller]}"
    if req.method == "GET":
        return client.get(req.path, **headers)
    if json_api:
        return client.post(
            req.path, json.dumps(req.data or {}), content_type="application/json", **headers
        )
    return client.post(req.path, req.data or {}, **headers)


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        # Consuming it closes it (the test client's wrapper). A second close() would send
        # request_finished with close_old_connections connected, closing PostgreSQL's
        # connection inside the test's transaction.
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", "replace")


def check(client, w: World, access: str, caller: str, req: Req) -> list[str]:
    """Problems with one request, as readable lines (empty: all good)."""
    exp = expect(access, caller, req)
    where = f"{req.method} {req.path} as {caller}"
    try:
        response = send(client, w, caller, req, json_api=req.path.startswith("/api/"))
    except Exception as err:  # a view that raises is a 500 for the reader
        return [f"{where}: raised {type(err).__name__}: {err}"]
    problems = []
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        problems.append(f"{where}: {status} (never a 500)")
    elif status not in exp.statuses:
        got = f"{status}" + (f" -> {location}" if location else "")
        problems.append(f"{where}: got {got}, expected {sorted(exp.statuses)}")
    elif exp.location and status in (301, 302, 303, 307, 308):
        prefixes = (exp.location,) if isinstance(exp.location, str) else exp.location
        if not location.startswith(prefixes):
            problems.append(f"{where}: redirects to {location!r}, expected {' or '.join(prefixes)}")
    if exp.not_location and location.startswith(exp.not_location):
        problems.append(f"{where}: refused, sent to {location!r}")
    text = body_text(response)
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    if not exp.entitled:
        forbidden = (hidden_markers(w) - req.allow) | exp.forbidden_extra
    else:
        forbidden = exp.forbidden_extra
    # What the caller typed in the URL may come back (a Location, a search box): not a leak.
    forbidden = {m for m in forbidden if m not in req.path}
    for marker in sorted(forbidden):
        if marker in text:
            problems.append(f"{where}: body shows hidden {marker!r}")
        if marker in headers:
            problems.append(f"{where}: a header shows hidden {marker!r}: {headers!r}")
    if status in exp.statuses and status < 300 and (exp.entitled or access == "public"):
        for marker in req.show:
            if marker in forbidden or marker in text:
                continue
            problems.append(f"{where}: should show {marker!r} but does not")
    return problems


# --- the matrix -------------------------------------------------------------------------------


def _cases():
    for key, row in ROWS.items():
        for cond in row.conds:
            for caller in row.callers:
                suffix = f"{caller}" if cond == "-" else f"{caller},{cond}"
                yield pytest.param(key, caller, cond, id=f"{row.method} {key}[{suffix}]")


@pytest.mark.parametrize(("key", "caller", "cond"), list(_cases()))
def test_url(client, world, key, caller, cond):
    row = ROWS[key]
    problems = []
    for req in row.build(world, cond):
        problems += check(client, world, row.access, caller, req)
    assert not problems, "\n".join(problems)


# --- the admin: every /admin/ URL, for the admin role only ------------------------------------

ADMIN_CALLERS = ("anonymous", "publisher", "admin", "password-only", "token-publisher")


def admin_url(route: str, key: str) -> str:
    """A concrete URL for an admin route: an existing object where it takes one."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from statements.models import Statement

    path = "/" + route
    name = key.removeprefix("admin:")
    model = None
    match = re.match(r"(\w+?)_(\w+?)_(changelist|add|history|delete|change|password_change)$", name)
    if match:
        try:
            model = apps.get_model(match[1], match[2])
        except LookupError:
            model = None
    if "otp_totp" in name:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        model = TOTPDevice
    if name == "auth_user_password_change":
        from django.contrib.auth import get_user_model

        model = get_user_model()
    obj = model.objects.order_by("pk").first() if model is not None else None
    obj_id = str(obj.pk) if obj is not None else "1"
    if name == "view_on_site":
        statement = Statement.objects.order_by("pk").first()
        path = f"/admin/r/{ContentType.objects.get_for_model(Statement).pk}/{statement.pk}/"
        return path
    path = re.sub(r"<(?:path:|int:)?(object_id|id|pk)>", obj_id, path)
    path = re.sub(r"\^\(\?P<app_label>([a-z_]+)\|[^)]*\)/\$", r"\1/", path)
    path = path.replace("(?P<url>.*)$", "no-such-admin-page/")
    if "<" in path or "(?P" in path:
        raise AssertionError(f"cannot build an admin URL from {route!r}: teach admin_url")
    return path


def _admin_cases():
    for key, route in sorted(admin_patterns().items()):
        for caller in ADMIN_CALLERS:
            yield pytest.param(key, route, caller, id=f"GET {key}[{caller}]")


ADMIN_OPEN = {"admin:login", "admin:logout"}  # the admin's login sends everyone to the desk's


@pytest.mark.parametrize(("key", "route", "caller"), list(_admin_cases()))
def test_admin_url(client, world, key, route, caller):
    path = admin_url(route, key)
    # The admin may meet forms, redirects to the index (no such object) or 403 (read-only
    # models); never a 500, never a login.
    req = Req("GET", path, S(200, 302, 403, 404, 405))
    access = "open" if key in ADMIN_OPEN else "admin"
    problems = check(client, world, access, caller, req)
    assert not problems, "\n".join(problems)
