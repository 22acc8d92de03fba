"""The desk's Telegram posts and mirrors (/desk/channels/): each post with its state, the
posts a person must resolve (not known if posted), and each mirror's last good push. Every
change goes through channels/services.py and channels/mirrors.py."""

from __future__ import annotations

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import can, desk_view
from channels import mirrors, services
from channels.config import mirror_targets, mirror_urls, telegram_channels
from channels.models import MirrorPush, TelegramPost
from config.languages import language_name
from publishing.rendering import when

POSTS_SHOWN = 100


def _refused(request, err: Exception, status: int) -> HttpResponse:
    return render(request, "desk/refused.html", {"message": str(err)}, status=status)


def _version_label(version: str) -> str:
    if version == "published":
        return _("First publication")
    if version == "retracted":
        return _("Retraction")
    number = version.removeprefix("correction-")
    return _("Correction %(number)s") % {"number": number}


def _moment(value, language: str):
    return when(value, language) if value else None


@desk_view
def channels_overview(request) -> HttpResponse:
    language = translation.get_language() or "en"
    posts = list(
        TelegramPost.objects.select_related("statement")
        .prefetch_related("statement__translations")
        .order_by("-created_at", "-pk")[:POSTS_SHOWN]
    )
    rows = []
    for post in posts:
        statement = post.statement
        # The title as the channel got it (in the channel's language).
        shown = statement.translation(post.language) or statement.translation(language)
        rows.append(
            {
                "post": post,
                "title": shown.title if shown else statement.slug,
                "title_lang": shown.language if shown else "en",
                "language": language_name(post.language),
                "version": _version_label(post.version),
                "state": post.get_state_display(),
                # Reasons the app wrote are in the catalogue; Telegram's own text is not.
                "error": _(post.last_error) if post.last_error else "",
                "created": _moment(post.created_at, language),
                "sent": _moment(post.sent_at, language),
            }
        )
    statuses = mirrors.mirror_status()
    for status in statuses:
        status["last_ok_at"] = _moment(
            status["last_ok"].finished_at if status["last_ok"] else None, language
        )
        status["behind_at"] = _moment(status["behind_since"], language)
        latest = status["latest"]
        status["latest_state"] = latest.get_state_display() if latest else ""
        status["latest_error"] = _(latest.error) if latest and latest.error else ""
    configured = {t.name for t in mirror_targets()}
    return render(
        request,
        "desk/channels.html",
        {
            "rows": rows,
            "uncertain": sum(1 for p in posts if p.state == TelegramPost.State.UNCERTAIN),
            "channels": [
                {"chat": c.chat, "language": language_name(c.language)} for c in telegram_channels()
            ],
            "mirrors": statuses,
            "mirror_urls": mirror_urls(),
            "recent_pushes": MirrorPush.objects.filter(target__in=configured)[:20],
            "can_manage": can(request.user, "channels.manage"),
        },
    )


_POST_ACTIONS = {"retry": services.post_retry, "posted": services.post_mark_posted}


@desk_view
@require_POST
def channel_post_action(request, pk: int, action: str) -> HttpResponse:
    from config.errors import NotAllowed, RuleBroken

    if action not in _POST_ACTIONS:
        return HttpResponseBadRequest("Unknown action.")
    try:
        _POST_ACTIONS[action](post_id=pk, by=request.user)
    except NotAllowed as err:
        return _refused(request, err, 403)
    except RuleBroken as err:
        return _refused(request, err, 400)
    return redirect("desk-channels")


@desk_view
@require_POST
def mirrors_push(request) -> HttpResponse:
    from config.errors import NotAllowed, RuleBroken

    try:
        mirrors.mirrors_push_now(by=request.user)
    except NotAllowed as err:
        return _refused(request, err, 403)
    except RuleBroken as err:
        return _refused(request, err, 400)
    return redirect("desk-channels")
