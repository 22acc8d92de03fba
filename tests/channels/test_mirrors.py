"""Mirrors kept in step: after publish, correct and retract, a folder mirror and an S3 mirror
(moto's server mode, on loopback) hold exactly what a fresh export holds; pushes coalesce;
a mirror behind the site is shown as stale; MIRROR_URLS is in every page footer and email."""

from __future__ import annotations

import datetime
import socket
from pathlib import Path

import pytest
import requests
import time_machine
from django.core.management import call_command
from django.utils import timezone

from channels import mirrors, tasks
from channels.models import MirrorPush
from distribution.messages import render_variant
from publishing.management.commands.export_static_site import MARKER
from statements.models import Statement

pytestmark = pytest.mark.django_db


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _fresh_export(tmp_path: Path, name: str) -> dict[str, bytes]:
    out = tmp_path / f"fresh-{name}"
    call_command("export_static_site", str(out), verbosity=0)
    return _tree(out)


def _push() -> None:
    tasks.sweep()  # in-process (no broker): pushes what is waiting


def _push_and_export(tmp_path: Path, name: str) -> dict[str, bytes]:
    """Push, then export afresh, at one frozen moment (an empty feed is dated "now")."""
    with time_machine.travel(timezone.now(), tick=False):
        _push()
        return _fresh_export(tmp_path, name)


@pytest.fixture
def folder_mirror(settings, tmp_path):
    settings.MIRROR_TARGETS = [str(tmp_path / "mirror")]
    settings.MIRROR_DELAY_SECONDS = 0
    return tmp_path / "mirror"


def test_folder_mirror_equals_a_fresh_export_after_publish_correct_and_retract(
    folder_mirror, release, tmp_path
):
    r = release()
    r.publish()
    assert MirrorPush.objects.get().state == "pending"
    fresh = _push_and_export(tmp_path, "published")
    push = MirrorPush.objects.get()
    assert push.state == "ok" and push.files and push.uploaded == push.files
    assert _tree(folder_mirror) == fresh
    assert f"en/releases/{r.slug}/index.html" in _tree(folder_mirror)

    r.correct(body="Corrected paragraph.\n\nParagraph two.")
    fresh = _push_and_export(tmp_path, "corrected")
    mirrored = _tree(folder_mirror)
    assert mirrored == fresh
    assert b"Corrected paragraph." in mirrored[f"en/releases/{r.slug}/index.html"]

    r.retract()
    fresh = _push_and_export(tmp_path, "retracted")
    mirrored = _tree(folder_mirror)
    assert mirrored == fresh
    assert not [name for name in mirrored if r.slug in name]  # its pages and PDFs are gone
    last = MirrorPush.objects.order_by("-pk").first()
    assert last.state == "ok" and last.deleted > 0


def test_a_folder_not_written_by_pressroom_is_never_replaced(folder_mirror, release):
    folder_mirror.mkdir()
    (folder_mirror / "someone-elses.txt").write_text("keep me")
    r = release()
    r.publish()
    _push()
    push = MirrorPush.objects.get()
    assert push.state == "error" and "was not written by export_static_site" in push.error
    assert (folder_mirror / "someone-elses.txt").read_text() == "keep me"


def test_publications_in_a_row_make_one_rebuild(folder_mirror, release, monkeypatch):
    builds = []
    real_build = mirrors.build_export
    monkeypatch.setattr(mirrors, "build_export", lambda out: builds.append(1) or real_build(out))
    first, second = release(), release(slug="second-release")
    first.publish()
    second.publish()
    mirrors.pushes_request(reason="edited")
    (push,) = MirrorPush.objects.all()
    assert push.state == "pending" and push.requests == 3
    _push()
    assert len(builds) == 1
    assert MirrorPush.objects.get().state == "ok"
    _push()  # nothing new: no rebuild
    assert len(builds) == 1


def test_a_push_whose_worker_died_is_done_again(folder_mirror, release, settings):
    r = release()
    r.publish()
    now = timezone.now()
    assert mirrors._claim_pending(now)  # claimed; the worker dies
    with time_machine.travel(now + datetime.timedelta(seconds=settings.MIRROR_LEASE_SECONDS + 5)):
        _push()
    states = list(MirrorPush.objects.order_by("pk").values_list("state", flat=True))
    assert states == ["error", "ok"]
    assert (folder_mirror / f"en/releases/{r.slug}/index.html").exists()


def test_a_mirror_behind_the_site_is_marked_stale_in_the_desk(
    folder_mirror, release, settings, client, make_staff
):
    settings.MIRROR_STALE_AFTER_SECONDS = 600
    r = release()
    r.publish()
    _push()
    (status,) = mirrors.mirror_status()
    assert not status["behind"] and not status["stale"]

    settings.MIRROR_TARGETS = [str(folder_mirror), "/nonexistent-root-dir/cannot/x"]
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        r.correct()  # the push waits (no sweep runs): behind, not yet stale
        behind = {s["name"]: s for s in mirrors.mirror_status()}
        assert behind[str(folder_mirror)]["behind"] and not behind[str(folder_mirror)]["stale"]
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=30)):
        statuses = {s["name"]: s for s in mirrors.mirror_status()}
        assert statuses[str(folder_mirror)]["stale"]
        client.force_login(make_staff("editor"))
        page = client.get("/desk/channels/").content.decode()
        assert "Stale: behind the site since" in page and str(folder_mirror) in page


def test_mirror_urls_are_in_every_page_footer_and_release_email(settings, client, release):
    settings.MIRROR_URLS = ["https://mirror-one.example.net/", "https://mirror-two.example.org/"]
    r = release()
    r.publish()
    for path in ("/en/releases/", f"/my/releases/{r.slug}/", "/en/campaigns/"):
        page = client.get(path).content.decode()
        assert 'href="https://mirror-one.example.net/"' in page, path
        assert 'href="https://mirror-two.example.org/"' in page, path
    statement = Statement.objects.prefetch_related("translations").get(pk=r.pk)
    for variant in ("en", "my", "en+my"):
        message = render_variant(statement=statement, variant=variant, kind="release")
        assert "https://mirror-one.example.net/" in message["text"]
        assert 'href="https://mirror-two.example.org/"' in message["html"]


def test_no_mirror_line_without_mirror_urls(settings, client, release):
    settings.MIRROR_URLS = []
    release().publish()
    assert 'class="mirrors"' not in client.get("/en/releases/").content.decode()


# --- S3, against moto's server mode ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def s3(settings, monkeypatch):
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    settings.MIRROR_S3_ENDPOINT_URL = f"http://127.0.0.1:{port}"
    settings.MIRROR_TARGETS = ["s3://press-mirror/site"]
    settings.MIRROR_DELAY_SECONDS = 0
    # moto keeps its buckets in the process: start from none, and leave none behind.
    requests.post(f"{settings.MIRROR_S3_ENDPOINT_URL}/moto-api/reset", timeout=10)
    client = mirrors.s3_client()
    client.create_bucket(Bucket="press-mirror")
    yield client
    requests.post(f"{settings.MIRROR_S3_ENDPOINT_URL}/moto-api/reset", timeout=10)
    server.stop()


def _bucket(client, prefix: str = "site/") -> dict[str, bytes]:
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket="press-mirror", Prefix=prefix
    ):
        for item in page.get("Contents", []):
            body = client.get_object(Bucket="press-mirror", Key=item["Key"])["Body"].read()
            found[item["Key"][len(prefix) :]] = body
    return found


def test_s3_mirror_equals_a_fresh_export_after_publish_correct_and_retract(s3, release, tmp_path):
    s3.put_object(Bucket="press-mirror", Key="elsewhere/keep.txt", Body=b"not ours")
    r = release()
    r.publish()
    fresh = _push_and_export(tmp_path, "published")
    assert _bucket(s3) == fresh
    head = s3.head_object(Bucket="press-mirror", Key=f"site/en/releases/{r.slug}/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"

    r.correct(body="Corrected paragraph.\n\nParagraph two.")
    fresh = _push_and_export(tmp_path, "corrected")
    assert _bucket(s3) == fresh
    push = MirrorPush.objects.order_by("-pk").first()
    assert push.state == "ok" and 0 < push.uploaded < push.files  # only what changed
    assert push.unchanged > 0

    r.retract()
    fresh = _push_and_export(tmp_path, "retracted")
    mirrored = _bucket(s3)
    assert mirrored == fresh
    assert not [key for key in mirrored if r.slug in key]
    assert MirrorPush.objects.order_by("-pk").first().deleted > 0
    assert _bucket(s3, "elsewhere/") == {"keep.txt": b"not ours"}  # outside the prefix


def test_s3_push_uploads_first_then_the_manifest_then_deletes(s3, release, monkeypatch):
    first, second = release(), release(slug="second-release")
    first.publish()
    second.publish()
    _push()
    calls: list[tuple[str, str]] = []
    real_client = mirrors.s3_client

    def recording_client():
        client = real_client()

        def record(params, model, **kwargs):
            key = params.get("Key") or ",".join(o["Key"] for o in params["Delete"]["Objects"])
            calls.append((model.name, key))

        client.meta.events.register("before-parameter-build.s3.PutObject", record)
        client.meta.events.register("before-parameter-build.s3.DeleteObjects", record)
        return client

    monkeypatch.setattr(mirrors, "s3_client", recording_client)
    second.retract()
    _push()
    names = [name for name, _key in calls]
    assert names[-1] == "DeleteObjects" and "second-release" in calls[-1][1]
    puts = [key for name, key in calls if name == "PutObject"]
    assert puts[-2:] == ["site/index.html", f"site/{MARKER}"]


def test_a_bucket_prefix_not_written_by_pressroom_is_refused(s3, release):
    s3.put_object(Bucket="press-mirror", Key="site/theirs.html", Body=b"<p>theirs</p>")
    release().publish()
    _push()
    push = MirrorPush.objects.get()
    assert push.state == "error" and "not written by Pressroom" in push.error
    assert _bucket(s3) == {"theirs.html": b"<p>theirs</p>"}
