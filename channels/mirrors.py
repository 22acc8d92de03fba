"""Mirrors kept in step: after each publication, correction and retraction the static export
is rebuilt (in-process, the same code as `manage.py export_static_site`) and pushed to every
MIRROR_TARGETS entry, removing what is no longer public.

- A folder gets the export's own atomic swap (a reader sees the old export or the new one).
- An S3 bucket (boto3; any S3-compatible host through MIRROR_S3_ENDPOINT_URL) gets the new and
  changed objects first (compared by MD5 with each object's ETag), then the front page, then
  the export's marker (the manifest) last, and only then are objects no longer in the export
  deleted: a reader never follows a link to a page not uploaded yet, and a retracted page
  stays unlinked for the moment before it is deleted.

Pushes coalesce: a change joins the target's pending MirrorPush row (one pending row per
target, a database constraint); the task claims every pending row, builds once and pushes to
each. A change made during a push makes a new pending row, so the mirror catches up.
"""

from __future__ import annotations

import datetime
import filecmp
import hashlib
import logging
import mimetypes
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from channels.config import MirrorTarget, mirror_targets
from channels.models import MirrorPush
from channels.signals import mirror_stale
from config.errors import RuleBroken
from publishing.visibility import releases_last_modified

log = logging.getLogger(__name__)
State = MirrorPush.State

# After a failed push, the sweep asks for another this much later (a bucket that is down
# must not cost a full rebuild every sweep).
RETRY_AFTER_ERROR = datetime.timedelta(minutes=5)
S3_DELETE_BATCH = 1000


class MirrorError(Exception):
    pass


def _once(key: str, ttl: int) -> bool:
    """True the first time within ttl (and when the cache is down)."""
    try:
        return bool(cache.add(key, 1, timeout=ttl))
    except Exception:
        return True


# --- requests and claims ---------------------------------------------------------------------


def mirrors_push_now(*, by) -> list[MirrorPush]:
    """A publisher asks for a push by hand (after fixing a target, say)."""
    from accounts.policy import require
    from channels import tasks

    require(by, "channels.manage")
    if not mirror_targets():
        raise RuleBroken(_("No mirror is configured (MIRROR_TARGETS)."))
    made = pushes_request(reason="by hand")
    transaction.on_commit(tasks.queue_mirrors)
    return made


def pushes_request(*, reason: str, now: datetime.datetime | None = None) -> list[MirrorPush]:
    """Ask for a push to every target: joins a waiting push, or makes one."""
    now = now or timezone.now()
    made = []
    for target in mirror_targets():
        joined = MirrorPush.objects.filter(target=target.name, state=State.PENDING).update(
            requests=F("requests") + 1
        )
        if joined:
            continue
        try:
            with transaction.atomic():
                made.append(
                    MirrorPush.objects.create(
                        target=target.name, reason=reason[:200], requested_at=now
                    )
                )
        except IntegrityError:
            pass  # another request made the pending row just now: joined
    return made


def _claim_pending(now: datetime.datetime) -> list[tuple[MirrorPush, MirrorTarget, str]]:
    by_name = {t.name: t for t in mirror_targets()}
    claimed = []
    for push in MirrorPush.objects.filter(state=State.PENDING).order_by("requested_at"):
        target = by_name.get(push.target)
        if target is None:
            continue  # no longer configured; shown in the desk until it is
        busy = MirrorPush.objects.filter(
            target=push.target, state=State.RUNNING, lease_expires_at__gt=now
        ).exists()
        if busy:
            continue  # one push per target at a time; this one waits for the next round
        claim = secrets.token_hex(16)
        lease = datetime.timedelta(seconds=settings.MIRROR_LEASE_SECONDS)
        if MirrorPush.objects.filter(pk=push.pk, state=State.PENDING).update(
            state=State.RUNNING, claim=claim, lease_expires_at=now + lease, started_at=now
        ):
            push.refresh_from_db()
            claimed.append((push, target, claim))
    return claimed


def _finish(push: MirrorPush, claim: str, **fields) -> bool:
    return bool(
        MirrorPush.objects.filter(pk=push.pk, state=State.RUNNING, claim=claim).update(
            finished_at=timezone.now(), claim="", lease_expires_at=None, **fields
        )
    )


def mirrors_push(*, now: datetime.datetime | None = None) -> list[MirrorPush]:
    """Claim the waiting pushes, build the export once, push it to each of their targets."""
    now = now or timezone.now()
    claimed = _claim_pending(now)
    if not claimed:
        return []
    work = Path(tempfile.mkdtemp(prefix="pressroom-mirror-"))
    try:
        built = work / "site"
        built.mkdir()
        try:
            build_export(built)
        except Exception as err:
            log.exception("mirrors: the export could not be built")
            for push, _target, claim in claimed:
                _finish(push, claim, state=State.ERROR, error=f"export failed: {err}"[:500])
            return [push for push, _t, _c in claimed]
        for push, target, claim in claimed:
            try:
                counts = push_folder(built, target) if target.kind == "folder" else None
                if counts is None:
                    counts = push_s3(built, target)
            except Exception as err:
                log.warning("mirrors: push to %s failed: %s", target.name, err)
                _finish(push, claim, state=State.ERROR, error=str(err)[:500])
                continue
            _finish(push, claim, state=State.OK, error="", **counts)
            log.info("mirrors: pushed to %s %s", target.name, counts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [MirrorPush.objects.get(pk=push.pk) for push, _t, _c in claimed]


# --- building -------------------------------------------------------------------------------


def build_export(out: Path) -> int:
    """The static export written into the empty folder `out`, as export_static_site writes it
    (the same pages, fetched through the same views, and its marker)."""
    from publishing.management.commands.export_static_site import build_site

    return build_site(out)


def _files(root: Path) -> dict[str, Path]:
    return {
        path.relative_to(root).as_posix(): path
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


# --- folder ---------------------------------------------------------------------------------


def push_folder(built: Path, target: MirrorTarget) -> dict[str, int]:
    from django.core.management.base import CommandError

    from publishing.management.commands.export_static_site import check_replaceable, swap_in

    folder = Path(target.location)
    try:
        check_replaceable(folder)
    except CommandError as err:
        raise MirrorError(str(err)) from err
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.building-"))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a mirror is served to everyone
        shutil.copytree(built, staging, dirs_exist_ok=True)
        new, old = _files(staging), _files(folder) if folder.is_dir() else {}
        changed = [
            name
            for name, path in new.items()
            if name not in old or not filecmp.cmp(path, old[name], shallow=False)
        ]
        swap_in(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the old export, or a failed copy
    return {
        "files": len(new),
        "uploaded": len(changed),
        "unchanged": len(new) - len(changed),
        "deleted": len(set(old) - set(new)),
    }


# --- S3 -------------------------------------------------------------------------------------


def s3_client():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=settings.MIRROR_S3_ENDPOINT_URL or None,
        region_name=os.environ.get("AWS_DEFAULT_REGION")
        or os.environ.get("AWS_REGION")
        or "us-east-1",
    )


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _content_type(name: str) -> str:
    guessed, _encoding = mimetypes.guess_type(name)
    if name.endswith(".xml"):
        guessed = "application/xml"
    guessed = guessed or "application/octet-stream"
    if guessed.startswith("text/") or guessed in ("application/json", "application/xml"):
        guessed += "; charset=utf-8"
    return guessed


def push_s3(built: Path, target: MirrorTarget, client=None) -> dict[str, int]:
    from publishing.management.commands.export_static_site import MARKER

    client = client or s3_client()
    prefix = f"{target.prefix}/" if target.prefix else ""
    existing: dict[str, str] = {}
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=target.location, Prefix=prefix
    ):
        for item in page.get("Contents", []):
            existing[item["Key"][len(prefix) :]] = item.get("ETag", "").strip('"')
    if existing and MARKER not in existing:
        raise MirrorError(
            # Stored on the push row, in English like the other technical errors.
            f"{target.name} is not empty and was not written by Pressroom (no {MARKER} in it)."
        )
    local = _files(built)
    # Pages and files first, the front page next, the marker (the manifest) last.
    last = [name for name in ("index.html", MARKER) if name in local]
    order = [name for name in local if name not in last] + last
    uploaded = 0
    for name in order:
        path = local[name]
        if existing.get(name) == _md5(path) and name not in last:
            continue
        with path.open("rb") as body:
            client.put_object(
                Bucket=target.location,
                Key=prefix + name,
                Body=body,
                ContentType=_content_type(name),
                CacheControl="max-age=300",
            )
        uploaded += 1
    gone = sorted(set(existing) - set(local))
    for start in range(0, len(gone), S3_DELETE_BATCH):
        batch = gone[start : start + S3_DELETE_BATCH]
        answer = client.delete_objects(
            Bucket=target.location,
            Delete={"Objects": [{"Key": prefix + name} for name in batch], "Quiet": True},
        )
        if answer.get("Errors"):
            first = answer["Errors"][0]
            raise MirrorError(f"could not delete {first.get('Key')}: {first.get('Message')}")
    return {
        "files": len(local),
        "uploaded": uploaded,
        "unchanged": len(local) - uploaded,
        "deleted": len(gone),
    }


# --- status and the sweep -------------------------------------------------------------------


def mirror_status(*, now: datetime.datetime | None = None) -> list[dict]:
    """Per configured target: its last good push, its latest push, whether it is behind the
    public site (a public change newer than its last good snapshot, or a push asked for since)
    and stale (behind for longer than MIRROR_STALE_AFTER_SECONDS)."""
    now = now or timezone.now()
    newest_change = releases_last_modified()
    stale_after = datetime.timedelta(seconds=settings.MIRROR_STALE_AFTER_SECONDS)
    found = []
    for target in mirror_targets():
        pushes = MirrorPush.objects.filter(target=target.name)
        last_ok = pushes.filter(state=State.OK).order_by("-started_at", "-pk").first()
        latest = pushes.order_by("-requested_at", "-pk").first()
        snapshot = last_ok.started_at if last_ok else None
        behind_since = None
        waiting = pushes.exclude(state=State.OK)
        if snapshot:
            waiting = waiting.filter(requested_at__gt=snapshot)
        first_waiting = waiting.order_by("requested_at").first()
        if first_waiting:
            behind_since = first_waiting.requested_at
        if newest_change and (snapshot is None or newest_change > snapshot):
            behind_since = min(filter(None, [behind_since, newest_change]))
        found.append(
            {
                "target": target,
                "name": target.name,
                "last_ok": last_ok,
                "latest": latest,
                "behind_since": behind_since,
                "behind": behind_since is not None,
                "stale": behind_since is not None and now - behind_since > stale_after,
            }
        )
    return found


def mirrors_sweep(*, now: datetime.datetime | None = None) -> bool:
    """Recover dead workers' pushes, catch up mirrors behind the site; True when a push is
    waiting and due (for the caller to queue the task)."""
    now = now or timezone.now()
    dead = MirrorPush.objects.filter(state=State.RUNNING, lease_expires_at__lt=now)
    for push in dead:
        if MirrorPush.objects.filter(pk=push.pk, state=State.RUNNING, claim=push.claim).update(
            state=State.ERROR,
            finished_at=now,
            claim="",
            lease_expires_at=None,
            error=gettext_noop("The worker stopped during the push."),
        ):
            pushes_request(reason="retry", now=now)
    for status in mirror_status(now=now):
        if not status["behind"]:
            continue
        latest = status["latest"]
        if latest and latest.state in (State.PENDING, State.RUNNING):
            continue
        recent_error = latest and latest.state == State.ERROR and latest.finished_at
        if recent_error and now - latest.finished_at < RETRY_AFTER_ERROR:
            continue
        pushes_request(reason="catch-up", now=now)
    for status in mirror_status(now=now):
        if status["stale"] and _once(f"mirrors:stale:{status['name']}", 3600):
            log.warning(
                "mirrors: %s is stale: behind the public site since %s",
                status["name"],
                status["behind_since"],
            )
            mirror_stale.send(
                sender=MirrorPush, target=status["name"], since=status["behind_since"]
            )
    delay = datetime.timedelta(seconds=settings.MIRROR_DELAY_SECONDS)
    return MirrorPush.objects.filter(state=State.PENDING, requested_at__lte=now - delay).exists()
