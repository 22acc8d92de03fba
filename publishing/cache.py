"""The page cache: public pages, feeds and the public API answered from memory while nothing
public has changed.

A rendered answer is kept per address (scheme, host, path and query), language and Accept
header, under the public version (publishing/visibility.py `public_version`): any write of
public data, and any publication time or embargo end reached, gives a new version, so what was
kept before is never served again. The version is a database row, so every process agrees; on
PostgreSQL each process keeps it until a LISTEN/NOTIFY says another committed a write. Answers
are kept in this process's memory ("pages", unpickled) and, with REDIS_URL, in Redis
("pages_shared") behind it; each is gzipped once for the clients that accept it.

Never for a logged-in user: a request with a session cookie or an Authorization header neither
reads nor fills the cache, and a logged-in user's answer says `Cache-Control: private,
no-store`. Only 200, 404 and 410 answers to GET are kept, and only those that set no cookie and
used neither the session nor a CSRF token. Kept answers carry an ETag (a conditional GET gets a
304), `Cache-Control: public, max-age=PAGE_MAX_AGE` unless the view said otherwise, and
`Vary: Cookie, Accept-Encoding`.

`cache_public_page` wraps a view (publishing/views.py `conditional` applies it to every public
page and feed); `PublicApiCacheMixin` does the same for the public API's viewsets, after their
throttle. `PageCacheMiddleware` then gives the complete answer next time before the rest of the
middleware runs. `X-Page-Cache` says hit, miss or bypass.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.handlers.exception import response_for_exception
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.http import Http404, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe

from publishing.visibility import bump_public_version, public_version, public_version_until

KEPT_STATUSES = frozenset({200, 404, 410})
CONDITIONAL_HEADERS = (
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_MATCH",
    "HTTP_IF_UNMODIFIED_SINCE",
)
STATE_HEADER = "X-Page-Cache"


class KeptPages(LocMemCache):
    """This process's memory, without pickling: a kept answer is a tuple of immutable parts
    (status, bytes, headers, gzipped bytes), given out as is; unpickling a 1 MB API page on
    every request would cost more than the rest of the request."""

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)


def _stores() -> list:
    """This process's memory first ("pages"), then the cache shared by every process
    ("pages_shared": Redis in production), when there is one."""
    return [caches[name] for name in ("pages", "pages_shared") if name in settings.CACHES] or [
        caches["default"]
    ]


def _kept(key: str):
    stores = _stores()
    for n, store in enumerate(stores):
        entry = store.get(key)
        if entry is not None:
            for nearer in stores[:n]:
                nearer.set(key, entry, _seconds())
            return entry
    return None


def _keep(key: str, entry) -> None:
    for store in _stores():
        store.set(key, entry, _seconds())


# --- The version, as this process knows it ----------------------------------------------------
# Reading the row for every answer costs a database round trip, more than giving a kept page.
# On PostgreSQL each process LISTENs on a channel that every write of public data NOTIFYs in its
# own transaction (delivered when that commits, never if it rolls back), and keeps the version
# until a notification arrives, its end time passes or this process writes. Anywhere else (the
# embedded SQLite default), and inside a transaction, the row is read for every answer.

CHANNEL = "pressroom_public_version"


class _Known:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.listener = None
        self.retry_at = 0.0
        self.generation = 0
        self.token: str | None = None
        self.until = None

    def forget(self) -> None:
        self.generation += 1
        self.token = self.until = None


_known = _Known()


def version_moved() -> None:
    """bump_public_version calls this inside the writing transaction."""
    _known.forget()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")


def stop_listening() -> None:
    """Close this process's LISTEN connection (tests: before their database is dropped)."""
    with _known.lock:
        if _known.listener is not None:
            with contextlib.suppress(Exception):
                _known.listener.close()
        _known.listener = None
        _known.forget()


def _listening() -> bool:
    """Reads what was heard (without waiting); False when not listening: then nothing kept
    of the version may be trusted."""
    if _known.pid != os.getpid():  # a forked worker: the parent's connection is not its own
        _known.pid, _known.listener = os.getpid(), None
        _known.forget()
    if _known.listener is None:
        if time.monotonic() < _known.retry_at:
            return False
        try:
            import psycopg

            listener = psycopg.connect(**connection.get_connection_params(), autocommit=True)
            listener.execute(f"LISTEN {CHANNEL}")
        except Exception:
            _known.retry_at = time.monotonic() + 5
            return False
        _known.listener = listener
        _known.forget()
        return True
    try:
        pgconn = _known.listener.pgconn
        pgconn.consume_input()
        heard = False
        while pgconn.notifies() is not None:
            heard = True
        if pgconn.status != 0:  # CONNECTION_OK
            raise ConnectionError("listener connection lost")
    except Exception:
        with contextlib.suppress(Exception):
            _known.listener.close()
        _known.listener = None
        _known.forget()
        return False
    if heard:
        _known.forget()
    return True


def current_version() -> str:
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return public_version()
    with _known.lock:
        listening = _listening()
        if listening and _known.token and _known.until and timezone.now() < _known.until:
            return _known.token
        generation = _known.generation
    token, until = public_version_until()
    with _known.lock:
        if listening and until is not None and _known.generation == generation:
            _known.token, _known.until = token, until
    return token


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


def _language(request) -> str:
    # What LocaleMiddleware will choose (the path's prefix, else cookie and Accept-Language),
    # worked out the same way before it runs (PageCacheMiddleware) and after (the views).
    if not hasattr(request, "_page_cache_language"):
        request._page_cache_language = translation.get_language_from_request(
            request, check_path=True
        )
    return request._page_cache_language


def _key(request, version: str) -> str:
    parts = (
        version,
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        _language(request),
        request.META.get("HTTP_ACCEPT", ""),  # the API's format (pages answer the same to all)
    )
    return "page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _version(request) -> str:
    """Read once per request, before anything is rendered: a later write makes a new key."""
    if not hasattr(request, "_page_cache_version"):
        request._page_cache_version = current_version()
    return request._page_cache_version


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


GZIP_MIN_BYTES = 1024
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def _as_entry(response) -> tuple:
    """What is kept: status, body, headers, and the body gzipped once (for the clients that
    accept it: a kept page holds nothing secret, so compressing it leaks nothing)."""
    content = response.content
    packed = None
    if len(content) >= GZIP_MIN_BYTES and "Content-Encoding" not in response:
        packed = gzip.compress(content, compresslevel=6, mtime=0)
    return (response.status_code, content, tuple(response.items()), packed, False)


def _from_entry(request, entry: tuple) -> HttpResponse:
    status, content, headers, packed, _complete = entry
    gzipped = packed is not None and _ACCEPTS_GZIP.search(
        request.META.get("HTTP_ACCEPT_ENCODING", "")
    )
    response = HttpResponse(packed if gzipped else content, status=status, headers=dict(headers))
    if packed is not None:
        patch_vary_headers(response, ("Accept-Encoding",))
    if gzipped:
        response["Content-Encoding"] = "gzip"
        etag = response.get("ETag", "")
        if etag and not etag.startswith("W/"):  # the same content, other bytes
            response["ETag"] = "W/" + etag
    return response


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
) -> HttpResponse:
    """The answer to `request`: kept, or made by `render` and kept. `admit` runs before a kept
    answer is given and may refuse with its own response (the API's throttle)."""
    if _bypasses(request):
        return _bypass(request, render)
    key = _key(request, _version(request))
    entry = _kept(key)
    if entry is not None:
        refused = admit() if admit is not None else None
        if refused is not None:
            return refused
        response = _from_entry(request, entry)
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
    entry = _as_entry(response)
    _keep(key, entry)
    if admit is None:  # PageCacheMiddleware may give it, once it holds the whole answer
        request._page_cache_kept = (key, entry)
    response = _from_entry(request, entry)
    response[STATE_HEADER] = "miss"
    return _conditional(request, response)


# Headers that belong to one answer (its encoding, its length) or are merged, not copied.
_PER_ANSWER = frozenset({"content-encoding", "content-length", "etag", "vary", "x-page-cache"})
_MAX_PATHS = 10_000


class PageCacheMiddleware:
    """Gives a kept answer before the rest of the middleware runs (sessions, CSRF,
    authentication, locale, CSP...): most of the time of a request that a view would answer
    from the cache. It only serves answers a view kept and this middleware completed with the
    headers the middleware below it added (CSP, X-Frame-Options, Content-Language), for the
    same key, so the answer is the one the view would give. Answers the API's throttle must
    see first are never given here. Place it right after CorsMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths: set[str] = set()  # addresses with a complete answer kept (this process)

    def __call__(self, request):
        early = request.path in self.paths and not _bypasses(request)
        if early:
            key = _key(request, _version(request))
            entry = _kept(key)
            if entry is not None and entry[4]:
                response = _from_entry(request, entry)
                response[STATE_HEADER] = "hit"
                return _conditional(request, response)
        response = self.get_response(request)
        kept = getattr(request, "_page_cache_kept", None)
        if kept is not None and response.status_code in (kept[1][0], 304):
            self._complete(request, response, *kept)
        return response

    def _complete(self, request, response, key: str, entry: tuple) -> None:
        if response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return
        status, content, headers, packed, _complete = entry
        merged = dict(headers)
        for name, value in response.items():
            if name.lower() not in _PER_ANSWER:
                merged[name] = value
        vary = HttpResponse()
        vary.headers["Vary"] = merged.get("Vary", "")
        patch_vary_headers(vary, [v.strip() for v in response.get("Vary", "").split(",") if v])
        merged["Vary"] = vary["Vary"]
        _keep(key, (status, content, tuple(merged.items()), packed, True))
        if len(self.paths) >= _MAX_PATHS:
            self.paths.clear()
        self.paths.add(request.path)


def cache_public_page(view):
    """Keep the answers of a public page or feed (see the module's docstring)."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        return serve(request, lambda: view(request, *args, **kwargs))

    return cached


class PublicApiCacheMixin:
    """For the public API's viewsets: kept answers per address, language and Accept header.
    The throttle still runs before a kept answer is given (unless its rate is off)."""

    def dispatch(self, request, *args, **kwargs):
        parent = super().dispatch

        return serve(
            request,
            lambda: parent(request, *args, **kwargs),
            admit=(lambda: self._refusal(request, args, kwargs)) if self._throttled() else None,
        )

    def _throttled(self) -> bool:
        """False only when every throttle's rate is off (API_ANON_THROTTLE=off)."""
        from rest_framework.settings import api_settings

        rates = api_settings.DEFAULT_THROTTLE_RATES
        return any(
            not getattr(throttle, "scope", None) or rates.get(throttle.scope) is not None
            for throttle in self.throttle_classes
        )

    def _refusal(self, request, args, kwargs):
        # Only the throttle: the checks of the query were passed by the answer that was kept.
        self.args, self.kwargs = args, kwargs
        drf_request = self.initialize_request(request, *args, **kwargs)
        self.request = drf_request
        self.headers = self.default_response_headers
        self.format_kwarg = self.get_format_suffix(**kwargs)
        try:
            self.check_throttles(drf_request)
        except Exception as exc:
            negotiated = self.perform_content_negotiation(drf_request)  # the refusal's form
            drf_request.accepted_renderer, drf_request.accepted_media_type = negotiated
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
