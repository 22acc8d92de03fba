"""The page cache: public pages, feeds and the public API answered from memory while nothing
public has changed.

A rendered answer is kept per address (scheme, host, path and query), language and, for the
API, Accept header, under the public version (publishing/visibility.py `public_version`): any
write of public data, and any publication time or embargo end reached, gives a new version, so
what was kept before is never served again. Kept in the "pages" cache (Redis with REDIS_URL,
this process's memory otherwise; the version itself is a database row, so every process agrees).

Never for a logged-in user: a request with a session cookie or an Authorization header neither
reads nor fills the cache, and a logged-in user's answer says `Cache-Control: private,
no-store`. Only 200, 404 and 410 answers to GET are kept, and only those that set no cookie and
used neither the session nor a CSRF token. Kept answers carry an ETag (a conditional GET gets a
304), `Cache-Control: public, max-age=PAGE_MAX_AGE` unless the view said otherwise, and
`Vary: Cookie`.

`cache_public_page` wraps a view (publishing/views.py `conditional` applies it to every public
page and feed); `PublicApiCacheMixin` does the same for the public API's viewsets, after their
throttle. `X-Page-Cache` says hit, miss or bypass.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.exception import response_for_exception
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from publishing.visibility import bump_public_version, public_version

KEPT_STATUSES = frozenset({200, 404, 410})
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
STATE_HEADER = "X-Page-Cache"


def _store():
    return caches["pages" if "pages" in settings.CACHES else "default"]


def _seconds() -> int:
    return int(getattr(settings, "PAGE_CACHE_SECONDS", 600))


def _max_age() -> int:
    return int(getattr(settings, "PAGE_MAX_AGE", 60))


def _bypasses(request) -> bool:
    """Only anonymous GETs without a session use the cache: a staff session or token, and
    anything else that may differ per person, goes straight to the view."""
    return (
        request.method != "GET"
        or _seconds() <= 0
        or settings.SESSION_COOKIE_NAME in request.COOKIES
        or "HTTP_AUTHORIZATION" in request.META
    )


def _key(request, version: str, vary_accept: bool) -> str:
    parts = (
        version,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        request.META.get("HTTP_ACCEPT", "") if vary_accept else "",
    )
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _render(request, render: Callable[[], HttpResponse]) -> HttpResponse:
    # A 404 is kept too (a made-up or not yet public address asked again and again); the site's
    # own 404 page is what the handler would have made of the exception.
    try:
        response = render()
    except Http404 as exc:
        response = response_for_exception(request, exc)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def _keepable(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    session = getattr(request, "session", None)
    return (
        response.status_code in KEPT_STATUSES
        and not getattr(response, "streaming", False)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a form's token is per person
        and not (session is not None and session.accessed)
        and not any(word in cache_control for word in ("private", "no-store", "no-cache"))
        and "*" not in response.get("Vary", "")
    )


def _conditional(request, response):
    """304 when the client holds this answer (ETag or Last-Modified), as for a fresh one."""
    etag = response.get("ETag")
    modified = (
        parse_http_date_safe(response["Last-Modified"]) if "Last-Modified" in response else None
    )
    if not (etag or modified):
        return response
    answer = get_conditional_response(request, etag=etag, last_modified=modified, response=response)
    if answer is not response:
        for header in ("Content-Language", STATE_HEADER):
            if header in response:
                answer[header] = response[header]
    return answer


def _as_entry(response) -> tuple:
    return (response.status_code, response.content, list(response.items()))


def _from_entry(entry: tuple) -> HttpResponse:
    status, content, headers = entry
    return HttpResponse(content, status=status, headers=dict(headers))


def _logged_in(request) -> bool:
    # Asked before the view runs: DRF sets the Django request's user to its own (anonymous for
    # the public API, which authenticates nobody).
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def _bypass(request, render: Callable[[], HttpResponse]) -> HttpResponse:
    logged_in = _logged_in(request)
    response = render()
    response[STATE_HEADER] = "bypass"
    if logged_in:
        response["Cache-Control"] = "private, no-store"
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        patch_vary_headers(response, ("Cookie",))
    return response


def serve(
    request,
    render: Callable[[], HttpResponse],
    *,
    admit: Callable[[], HttpResponse | None] | None = None,
    vary_accept: bool = False,
) -> HttpResponse:
    """The answer to `request`: kept, or made by `render` and kept. `admit` runs before a kept
    answer is given and may refuse with its own response (the API's throttle)."""
    if _bypasses(request):
        return _bypass(request, render)
    version = public_version()  # read before rendering: a later write makes a new key
    key = _key(request, version, vary_accept)
    store = _store()
    entry = store.get(key)
    if entry is not None:
        refused = admit() if admit is not None else None
        if refused is not None:
            return refused
        response = _from_entry(entry)
        response[STATE_HEADER] = "hit"
        return _conditional(request, response)
    # Render the whole answer to keep it, even when this client would get a 304.
    held = {name: request.META.pop(name) for name in CONDITIONAL_HEADERS if name in request.META}
    try:
        response = _render(request, render)
    finally:
        request.META.update(held)
    if not _keepable(request, response):
        return response
    if "ETag" not in response:
        response["ETag"] = f'"{key[5:37]}"'
    if "Cache-Control" not in response:
        response["Cache-Control"] = f"public, max-age={_max_age()}"
    patch_vary_headers(response, ("Cookie",))
    store.set(key, _as_entry(response), _seconds())
    response[STATE_HEADER] = "miss"
    return _conditional(request, response)


def cache_public_page(view):
    """Keep the answers of a public page or feed (see the module's docstring)."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return cached


class PublicApiCacheMixin:
    """For the public API's viewsets: kept answers per address, language and Accept header.
    The throttle (and the checks of `initial`) still run before a kept answer is given."""

    def dispatch(self, request, *args, **kwargs):
        parent = super().dispatch

        return serve(
            request,
            lambda: parent(request, *args, **kwargs),
            admit=lambda: self._refusal(request, args, kwargs),
            vary_accept=True,
        )

    def _refusal(self, request, args, kwargs):
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        try:
            self.initial(drf_request, *args, **kwargs)
        except Exception as exc:
            response = self.handle_exception(exc)
            return self.finalize_response(drf_request, response, *args, **kwargs)
        return None


# --- What moves the public version ------------------------------------------------------------
# Every model of these apps may show on a public page, except those below, which never reach a
# reader. Statements (and rows that belong to one) count only while the statement is or was
# published, corrected or retracted: an edit of a draft or of an amendment in preparation moves
# nothing. A model added later is covered until it is named here as private.

WATCHED_APPS = ("campaigns", "statements", "publishing")
PRIVATE_MODELS = frozenset(
    {
        "statements.revision",
        "statements.review",
        "statements.statementevent",
        "statements.editlock",
        "statements.amendment",
        "publishing.publicversion",
    }
)


def _shown_states() -> tuple[str, ...]:
    from statements.models import Statement

    return (*Statement.PUBLIC_STATES, Statement.State.RETRACTED)


def _statement_shown(statement_id) -> bool:
    from statements.models import Statement

    if statement_id is None:
        return False
    return Statement.objects.filter(pk=statement_id, state__in=_shown_states()).exists()


def _statement_pre_save(sender, instance, **kwargs) -> None:
    # Was it shown before this save? (A save that hides it must move the version too.)
    instance._was_shown = bool(instance.pk) and (
        instance.state not in _shown_states() and _statement_shown(instance.pk)
    )


def _statement_saved(sender, instance, **kwargs) -> None:
    if instance.state in _shown_states() or getattr(instance, "_was_shown", False):
        bump_public_version()


def _statement_deleted(sender, instance, **kwargs) -> None:
    if instance.state in _shown_states():
        bump_public_version()


def _part_changed(sender, instance, **kwargs) -> None:
    if _statement_shown(getattr(instance, "statement_id", None)):
        bump_public_version()


def _other_changed(sender, instance, **kwargs) -> None:
    bump_public_version()


def _relation_changed(sender, instance, action: str, **kwargs) -> None:
    from statements.models import Statement

    if not action.startswith("post_"):
        return
    if isinstance(instance, Statement) and instance.state not in _shown_states():
        return
    bump_public_version()


def connect_version_signals() -> None:
    """Called once from PublishingConfig.ready()."""
    from django.apps import apps

    from statements.models import Statement

    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower in PRIVATE_MODELS:
                continue
            uid = f"page-cache-{model._meta.label_lower}"
            if model is Statement:
                pre_save.connect(_statement_pre_save, sender=model, dispatch_uid=uid)
                post_save.connect(_statement_saved, sender=model, dispatch_uid=uid)
                post_delete.connect(_statement_deleted, sender=model, dispatch_uid=uid)
            else:
                part = any(f.name == "statement" and f.is_relation for f in model._meta.fields)
                receiver = _part_changed if part else _other_changed
                post_save.connect(receiver, sender=model, dispatch_uid=uid)
                post_delete.connect(receiver, sender=model, dispatch_uid=uid)
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(
                    _relation_changed, sender=through, dispatch_uid=f"page-cache-{through}"
                )
