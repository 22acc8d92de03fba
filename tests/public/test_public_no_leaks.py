"""Nothing unpublished, scheduled or under embargo appears in any public output: pages, the API
(lists, details, filters, search), feeds, PDFs and the static export. A retracted release keeps
its tombstone (slug and title there only) and its body appears nowhere; one retracted while its
embargo runs shows nothing at all until the embargo time. A deferred or draft translation is
never shown, and campaigns, targets and asks only hidden statements use are not listed."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from statements.models import Statement
from tests.factories import AskFactory, CampaignFactory, TargetFactory

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
    # Retracted while its embargo ran: not even a tombstone until the embargo time.
    secrets["retracted-embargoed"] = make_release(
        state="retracted",
        slug="secret-retracted-embargoed",
        title="Secrettitle retracted-embargoed",
        body="Secretbody retracted-embargoed",
        published_at=now - datetime.timedelta(minutes=5),
        embargo_until=now + datetime.timedelta(hours=3),
        retracted_at=now,
        retraction_reason="Secretreason under embargo",
    )
    # A published release whose Burmese translation was deferred: its unapproved text is private.
    deferred = make_release(slug="deferred-my", deferred_languages=["my"])
    burmese = deferred.translation("my")
    burmese.title, burmese.body = "Secrettitle deferred", "Secretbody deferred"
    burmese.save()
    # And one whose Burmese translation is a draft (saved as not complete).
    draft_my = make_release(slug="draft-my")
    burmese = draft_my.translation("my")
    burmese.title, burmese.body = "Secrettitle draftlang", "Secretbody draftlang"
    burmese.marked_complete = False
    burmese.save()
    # Reference data only hidden statements use: a campaign, a target, an ask.
    hidden_campaign = CampaignFactory(
        slug="secretcampaign", name={"en": "Secretcampaignname", "my": "Secretcampaignname"}
    )
    hidden_target = TargetFactory(slug="secrettarget", name={"en": "Secrettargetname"})
    hidden_ask = AskFactory(
        campaign=hidden_campaign, slug="secretask", text={"en": "Secretasktext"}
    )
    hidden_ask.targets.add(hidden_target)
    for statement in (secrets["draft"], secrets["embargoed"], secrets["retracted-embargoed"]):
        statement.targets.add(hidden_target)
        statement.asks.add(hidden_ask)
    secrets["approved"].campaign = hidden_campaign
    secrets["approved"].save()
    return {
        "public": public,
        "secrets": secrets,
        "retracted": retracted,
        "reference": {"campaign": hidden_campaign, "target": hidden_target, "ask": hidden_ask},
    }


def needles(world) -> dict[str, list[str]]:
    out = {}
    for name, statement in world["secrets"].items():
        out[name] = [statement.slug, f"Secrettitle {name}", f"Secretbody {name}"]
    out["deferred"] = ["Secrettitle deferred", "Secretbody deferred"]
    out["draft-language"] = ["Secrettitle draftlang", "Secretbody draftlang"]
    out["retracted-embargoed"].append("Secretreason under embargo")
    out["reference"] = [
        "secretcampaign",
        "Secretcampaignname",
        "secrettarget",
        "Secrettargetname",
        "secretask",
        "Secretasktext",
    ]
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
            f"/{lang}/releases/draft-my/",
            f"/{lang}/releases/draft-my.pdf",
            f"/{lang}/releases/?campaign=secretcampaign",
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
        "?q=Secretreason",
    ]
    paths += [f"/api/v1/releases/{q}" for q in queries]
    paths += [
        "/api/v1/campaigns/",
        "/api/v1/targets/",
        "/api/v1/asks/",
        "/api/v1/releases/visible-release/",
        "/api/v1/releases/deferred-my/",
        "/api/v1/releases/draft-my/",
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

    # Reference data only hidden statements use answers 404 by its own key.
    reference = world["reference"]
    for path in [
        "/api/v1/campaigns/secretcampaign/",
        "/api/v1/targets/secrettarget/",
        f"/api/v1/asks/{reference['ask'].pk}/",
        *(f"/{lang}/campaigns/secretcampaign/" for lang in LANGS),
        *(f"/{lang}/feeds/campaigns/secretcampaign.xml" for lang in LANGS),
        *(f"/{lang}/feeds/campaigns/secretcampaign.atom" for lang in LANGS),
    ]:
        response = client.get(path)
        assert response.status_code == 404, f"{path}: {response.status_code}"
        assert_clean(path, body(response), world)
    # A filter naming a hidden campaign or target is refused exactly as an unknown one is.
    for query in ("?campaign=secretcampaign", "?target=secrettarget"):
        hidden = client.get(f"/api/v1/releases/{query}")
        unknown = client.get(f"/api/v1/releases/{query.replace('secret', 'madeup')}")
        assert hidden.status_code == unknown.status_code == 400
        assert hidden.content.replace(b"secret", b"madeup") == unknown.content
    # A language a reader may not read is not offered: no page in it, no PDF, not in the JSON.
    for slug in ("deferred-my", "draft-my"):
        assert client.get(f"/my/releases/{slug}.pdf").status_code == 404
        assert client.get(f"/api/v1/releases/{slug}/").json()["languages"] == ["en"]
    assert client.get("/api/v1/releases/?language=my").json()["count"] == 1

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
    assert made and all(
        name.startswith(("visible-release.", "deferred-my.en.", "draft-my.en.")) for name in made
    )

    # The static export.
    out = tmp_path / "mirror"
    call_command("export_static_site", str(out))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == "releases.json" for p in files)
    for path in files:
        assert_clean(str(path.relative_to(out)), path.read_bytes(), world)
        assert "secret" not in path.name and "retracted" not in path.name


def test_a_release_retracted_under_embargo_shows_its_tombstone_once_the_embargo_is_over(
    client, make_release
):
    now = timezone.now()
    make_release(
        state="retracted",
        slug="retracted-after-embargo",
        title="Retracted after embargo",
        body="Body of the retracted release",
        published_at=now - datetime.timedelta(hours=2),
        embargo_until=now - datetime.timedelta(seconds=1),
        retracted_at=now - datetime.timedelta(hours=1),
        retraction_reason="Withdrawn before the embargo ended.",
    )
    page = client.get("/en/releases/retracted-after-embargo/")
    assert page.status_code == 410
    assert "Withdrawn before the embargo ended." in page.content.decode()
    assert "Body of the retracted release" not in page.content.decode()
    data = client.get("/api/v1/releases/retracted-after-embargo/").json()
    assert data["status"] == "retracted"
    assert data["retraction_reason"] == "Withdrawn before the embargo ended."
    assert "retracted-after-embargo" not in client.get("/api/v1/releases/").content.decode()


def test_signals_for_hidden_statements_make_no_pdf(world, media_root):
    from statements.signals import release_changed

    for statement in [*world["secrets"].values(), world["retracted"]]:
        release_changed.send(sender=Statement, statement_id=statement.pk, action="published")
    pdfs = media_root / "pdf"
    assert not pdfs.exists() or not list(pdfs.glob("*.pdf"))
