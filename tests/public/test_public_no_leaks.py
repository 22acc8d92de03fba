"""Nothing unpublished, scheduled or under embargo appears in any public output: pages, the API
(lists, details, filters, search), feeds, PDFs and the static export. A retracted release keeps
its tombstone (slug and title there only) and its body appears nowhere."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from statements.models import Statement

pytestmark = pytest.mark.django_db

LANGS = ("en", "my")


@pytest.fixture
def world(make_release):
    now = timezone.now()
    public = make_release(slug="visible-release", title="Visible release")
    secrets = {}
    for state in ("draft", "in_review", "changes_requested", "approved"):
        secrets[state] = make_release(
            state=state,
            slug=f"secret-{state.replace('_', '-')}",
            title=f"Secrettitle {state}",
            body=f"Secretbody {state}",
        )
    secrets["scheduled"] = make_release(
        state="scheduled",
        slug="secret-scheduled",
        title="Secrettitle scheduled",
        body="Secretbody scheduled",
        scheduled_at=now + datetime.timedelta(hours=3),
    )
    secrets["embargoed"] = make_release(
        slug="secret-embargoed",
        title="Secrettitle embargoed",
        body="Secretbody embargoed",
        published_at=now - datetime.timedelta(minutes=5),
        embargo_until=now + datetime.timedelta(hours=3),
    )
    secrets["future"] = make_release(
        slug="secret-future",
        title="Secrettitle future",
        body="Secretbody future",
        published_at=now + datetime.timedelta(hours=3),
    )
    retracted = make_release(
        state="retracted",
        slug="retracted-release",
        title="Retracted title",
        body="Secretbody retracted",
        retracted_at=now,
        retraction_reason="An error.",
    )
    # A published release whose Burmese translation was deferred: its unapproved text is private.
    deferred = make_release(slug="deferred-my", deferred_languages=["my"])
    burmese = deferred.translation("my")
    burmese.title, burmese.body = "Secrettitle deferred", "Secretbody deferred"
    burmese.save()
    return {"public": public, "secrets": secrets, "retracted": retracted}


def needles(world) -> dict[str, list[str]]:
    out = {}
    for name, statement in world["secrets"].items():
        out[name] = [statement.slug, f"Secrettitle {name}", f"Secretbody {name}"]
    out["deferred"] = ["Secrettitle deferred", "Secretbody deferred"]
    return out


def assert_clean(where: str, content: bytes, world, *, tombstone_allowed: bool = False) -> None:
    text = content.decode("utf-8", "replace")
    for name, words in needles(world).items():
        for word in words:
            assert word not in text, f"{where} leaks {name}: {word!r}"
    assert "Secretbody retracted" not in text, f"{where} leaks the retracted body"
    if not tombstone_allowed:
        for word in ("retracted-release", "Retracted title"):
            assert word not in text, f"{where} lists the retracted release: {word!r}"


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_no_public_output_shows_a_statement_that_is_not_public(client, world, tmp_path):
    campaign = world["public"].campaign.slug
    paths = []
    for lang in LANGS:
        paths += [
            f"/{lang}/releases/",
            f"/{lang}/campaigns/",
            f"/{lang}/campaigns/{campaign}/",
            f"/{lang}/feeds/releases.xml",
            f"/{lang}/feeds/releases.atom",
            f"/{lang}/feeds/campaigns/{campaign}.xml",
            f"/{lang}/feeds/campaigns/{campaign}.atom",
            f"/{lang}/releases/visible-release/",
            f"/{lang}/releases/visible-release.pdf",
            f"/{lang}/releases/deferred-my/",
            f"/{lang}/releases/deferred-my.pdf",
        ]
    queries = [
        "",
        "?page_size=100",
        f"?campaign={campaign}",
        "?language=en",
        "?language=my",
        "?published_after=2000-01-01T00:00:00Z",
        "?published_before=2100-01-01T00:00:00Z",
        "?q=Secret",
        "?q=Secretbody",
        "?q=Secrettitle",
        "?q=secret",
    ]
    paths += [f"/api/v1/releases/{q}" for q in queries]
    paths += [
        "/api/v1/campaigns/",
        "/api/v1/targets/",
        "/api/v1/asks/",
        "/api/v1/releases/visible-release/",
        "/api/v1/releases/deferred-my/",
        "/api/schema/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        assert_clean(path, body(response), world)

    # Each hidden statement, asked for by its own slug, is not found anywhere.
    for statement in world["secrets"].values():
        for path in [f"/api/v1/releases/{statement.slug}/"] + [
            f"/{lang}/releases/{statement.slug}{suffix}"
            for lang in LANGS
            for suffix in ("/", ".pdf")
        ]:
            response = client.get(path)
            assert response.status_code == 404, f"{path}: {response.status_code}"
            assert_clean(path, body(response), world)

    # The retracted release: a tombstone without its body; no PDF.
    for path in [
        "/api/v1/releases/retracted-release/",
        "/en/releases/retracted-release/",
        "/my/releases/retracted-release/",
    ]:
        response = client.get(path)
        assert response.status_code in (200, 410)
        assert_clean(path, body(response), world, tombstone_allowed=True)
    for lang in LANGS:
        assert client.get(f"/{lang}/releases/retracted-release.pdf").status_code == 410

    # No cached PDF of a hidden statement was made, whatever was asked.
    from django.conf import settings

    made = [p.name for p in (settings.MEDIA_ROOT / "pdf").glob("*.pdf")]
    assert made and all(name.startswith(("visible-release.", "deferred-my.en.")) for name in made)

    # The static export.
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "releases.json" for p in files)
    for path in files:
        assert_clean(str(path.relative_to(out)), path.read_bytes(), world)
        assert "secret" not in path.name and "retracted" not in path.name


def test_signals_for_hidden_statements_make_no_pdf(world, media_root):
    from statements.signals import release_changed

    for statement in [*world["secrets"].values(), world["retracted"]]:
        release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    pdfs = media_root / "pdf"
    assert not pdfs.exists() or not list(pdfs.glob("*.pdf"))
