"""Demo data made from the two seed statements (../shared/seeds): `manage.py seed_demo`.

Idempotent: every object is found by its slug (or address) and brought back to the demo state.
The English text is in demo/en.json, the Burmese demo translation in demo/my.json.
"""

from __future__ import annotations

import datetime
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.staff import staff_upsert
from burmese import clean_burmese
from campaigns.models import Ask, AskStatusChange, Campaign, Role, RoleHolding, Target
from config.languages import language_codes
from contacts.models import Contact, MediaList, Membership
from statements.models import (
    Boilerplate,
    Organisation,
    Revision,
    Statement,
    StatementEvent,
    StatementTranslation,
)
from statements.search import refresh_search_text

DEMO_DIR = Path(__file__).resolve().parent / "demo"

TARGETS = {  # slug: (kind, country)
    "asean": ("organisation", ""),
    "eu": ("organisation", ""),
    "laos": ("government", "LA"),
    "malaysia": ("government", "MY"),
    "philippines": ("government", "PH"),
    "russia": ("government", "RU"),
    "india": ("government", "IN"),
    "australia": ("government", "AU"),
    "singapore": ("government", "SG"),
    "myanmar-junta": ("armed_group", "MM"),
}
ROLE_HOLDINGS = {  # role slug: (organisation, [(holder, starts_on, ends_on exclusive)])
    "asean-chair": (
        "asean",
        [
            ("laos", "2024-01-01", "2025-01-01"),
            ("malaysia", "2025-01-01", "2026-01-01"),
            ("philippines", "2026-01-01", "2027-01-01"),
        ],
    ),
    # "a position that is supposed to run until 2027" (seed 000); coordinatorships turn in August.
    "asean-coordinator-russia": ("asean", [("myanmar-junta", "2024-03-01", "2027-08-01")]),
}
ASK_TARGETS = {  # ask slug: (targets, roles)
    "stop-legitimising-junta": (["asean"], []),
    "support-international-action": (["asean"], []),
    "governments-act": (["australia"], []),
    "end-military-cooperation": (["asean", "malaysia", "india"], ["asean-chair"]),
    "people-centred-approach": (["asean"], ["asean-chair"]),
}
RELEASES = {  # slug: (targets, roles, asks)
    "asean-junta-russia-coordinator": (
        ["asean", "russia", "australia", "myanmar-junta"],
        ["asean-coordinator-russia"],
        ["stop-legitimising-junta", "support-international-action", "governments-act"],
    ),
    "malaysia-asean-chair-counter-terrorism": (
        ["asean", "malaysia", "india", "myanmar-junta"],
        ["asean-chair"],
        # stop-legitimising-junta again: the ledger shows it made in 2024, repeated in 2025.
        ["end-military-cooperation", "people-centred-approach", "stop-legitimising-junta"],
    ),
}
# The asks' dated status history, each entry with its source: one of the two releases
# (by slug) or a link with a note. Listed in the order they were recorded; the 2021 entry is
# recorded last but back-dated, so it stays in the history without setting the status.
ASK_HISTORY = [  # ask, status, on, release slug or None, source_url, note
    (
        "stop-legitimising-junta",
        "open",
        "2024-03-01",
        "asean-junta-russia-coordinator",
        "",
        "Made in our statement on the ASEAN Country Coordinator for Russia.",
    ),
    (
        "support-international-action",
        "open",
        "2024-03-01",
        "asean-junta-russia-coordinator",
        "",
        "",
    ),
    ("governments-act", "open", "2024-03-01", "asean-junta-russia-coordinator", "", ""),
    (
        "end-military-cooperation",
        "rejected",
        "2025-04-24",
        "malaysia-asean-chair-counter-terrorism",
        "",
        "The ASEAN Chair welcomed the junta into counter-terrorism cooperation.",
    ),
    (
        "people-centred-approach",
        "open",
        "2025-04-24",
        "malaysia-asean-chair-counter-terrorism",
        "",
        "Four years on, ASEAN still holds to the Five-Point Consensus.",
    ),
    (
        "stop-legitimising-junta",
        "partly_met",
        "2025-05-26",
        None,
        "https://asean.org/",
        "Demo entry: the junta's leader was again not invited to the ASEAN Summit; its "
        "officials still attend other ASEAN meetings.",
    ),
    (
        "stop-legitimising-junta",
        "partly_met",
        "2021-10-26",
        None,
        "https://asean.org/",
        "Demo entry, back-dated: ASEAN leaders first left the junta's leader out of a summit.",
    ),
]
# Invitations to respond: one answered, one past its deadline unanswered, one still open
# (due two weeks after the demo is loaded).
INVITATIONS = [  # release, target, due_on ("+14" = days from today), response or None
    (
        "malaysia-asean-chair-counter-terrorism",
        "malaysia",
        "2025-05-08",
        {
            "responded_on": "2025-05-06",
            "url": "https://www.kln.gov.my/",
            "summary": {
                "en": "Demo response: the Ministry of Foreign Affairs said Malaysia's engagement "
                "with the junta aims at a ceasefire and humanitarian access.",
                "my": "သရုပ်ပြ တုံ့ပြန်ချက် - မလေးရှား နိုင်ငံခြားရေးဝန်ကြီးဌာနက "
                "စစ်ကောင်စီနှင့် ဆက်ဆံခြင်းသည် အပစ်အခတ်ရပ်စဲရေးနှင့် လူသားချင်းစာနာမှု "
                "အကူအညီများ ရောက်ရှိရေးအတွက် ဖြစ်သည်ဟု ဆိုသည်။",
            },
        },
    ),
    ("malaysia-asean-chair-counter-terrorism", "asean", "2025-05-08", None),
    ("malaysia-asean-chair-counter-terrorism", "india", "+14", None),
]
MEDIA_LISTS = {
    "international-media": ("International media", False),
    "trusted-embargo": ("Trusted journalists (embargoed material)", True),
}
CONTACTS = [  # email, name, outlet, beat, country, languages, embargo_trusted, lists
    (
        "reporter.bangkok@example.org",
        "Somchai P.",
        "Regional Wire",
        "Southeast Asia",
        "TH",
        ["en"],
        True,
        ["international-media", "trusted-embargo"],
    ),
    (
        "desk.yangon@example.org",
        "ခင်မာ",
        "Mizzima (demo)",
        "Politics",
        "MM",
        ["my"],
        True,
        ["international-media", "trusted-embargo"],
    ),
    (
        "editor.chiangmai@example.org",
        "Ko Aung",
        "Border News (demo)",
        "Conflict",
        "TH",
        ["my", "en"],
        False,
        ["international-media"],
    ),
    (
        "correspondent.sydney@example.org",
        "Jane Doe",
        "Pacific Daily (demo)",
        "Foreign affairs",
        "AU",
        ["en"],
        False,
        ["international-media"],
    ),
    (
        "analyst.delhi@example.org",
        "R. Sharma",
        "Delhi Review (demo)",
        "Defence",
        "IN",
        ["en", "my"],
        False,
        ["international-media"],
    ),
]
# The letterhead, from the seeds' footer ("Justice For Myanmar | media@...", the website); the
# seeds give no postal address (the group is covert), so the demo has none.
ORGANISATION = {
    "name": {"en": "Justice For Myanmar", "my": "Justice For Myanmar"},
    "website": "https://www.justiceformyanmar.org/",
}
DEMO_USERS = {
    "author": "demo-author",
    "editor": "demo-editor",
    "publisher": "demo-publisher",
    "admin": "demo-admin",
}


def _clean(value):
    """Every demo string through the same Burmese cleaning as typed text (Zawgyi converted,
    normalised). Uncertain text raises ZawgyiRefused: demo data must be unambiguous."""
    if isinstance(value, str):
        return clean_burmese(value).text
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_clean(item) for item in value)
    return value


def _load(language: str) -> dict | None:
    path = DEMO_DIR / f"{language}.json"
    return _clean(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


def _localised(key_path: list[str], texts: dict[str, dict]) -> dict[str, str]:
    out = {}
    for language, data in texts.items():
        value = data
        for key in key_path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        if isinstance(value, str) and value:
            out[language] = value
    return out


def demo_password() -> str:
    """DEMO_PASSWORD, else one generated on first run and kept in var/ (never in the repo)."""
    from os import environ

    if environ.get("DEMO_PASSWORD"):
        return environ["DEMO_PASSWORD"]
    path = Path(settings.VAR_DIR) / "demo_password.txt"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12) + "\n", encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@transaction.atomic
def load_demo() -> dict[str, object]:
    texts = {lang: data for lang in language_codes() if (data := _load(lang))}
    english = texts["en"]

    c = english["campaign"]
    campaign, _ = Campaign.objects.update_or_create(
        slug=c["slug"],
        defaults={
            "name": _localised(["campaign", "name"], texts),
            "description": _localised(["campaign", "description"], texts),
        },
    )
    targets = {}
    for slug, (kind, country) in TARGETS.items():
        targets[slug], _ = Target.objects.update_or_create(
            slug=slug,
            defaults={
                "name": _localised(["targets", slug], texts),
                "kind": kind,
                "country": country,
            },
        )
    roles = {}
    for slug, (organisation, holdings) in ROLE_HOLDINGS.items():
        roles[slug], _ = Role.objects.update_or_create(
            slug=slug,
            defaults={
                "name": _localised(["roles", slug], texts),
                "organisation": targets[organisation],
            },
        )
        roles[slug].holdings.all().delete()
        RoleHolding.objects.bulk_create(
            RoleHolding(
                role=roles[slug],
                holder=targets[holder],
                starts_on=datetime.date.fromisoformat(start),
                ends_on=datetime.date.fromisoformat(end),
            )
            for holder, start, end in holdings
        )
    asks = {}
    for slug, (target_slugs, role_slugs) in ASK_TARGETS.items():
        asks[slug], _ = Ask.objects.update_or_create(
            campaign=campaign,
            slug=slug,
            defaults={"text": _localised(["asks", slug], texts)},
        )
        asks[slug].targets.set([targets[t] for t in target_slugs])
        asks[slug].roles.set([roles[r] for r in role_slugs])

    boilerplate, _ = Boilerplate.objects.update_or_create(
        slug="justice-for-myanmar",
        defaults={
            "about": _localised(["organisation", "boilerplate"], texts),
            "media_contact": _localised(["organisation", "media_contact"], texts),
        },
    )

    Organisation.objects.update_or_create(
        pk=Organisation.SINGLETON_PK,
        defaults={
            "name": _clean(ORGANISATION["name"]),
            "website": ORGANISATION["website"],
            "default_boilerplate": boilerplate,
        },
    )

    releases = {}
    for slug, (target_slugs, role_slugs, ask_slugs) in RELEASES.items():
        releases[slug] = _load_release(
            slug,
            texts,
            campaign,
            boilerplate,
            [targets[t] for t in target_slugs],
            [roles[r] for r in role_slugs],
            [asks[a] for a in ask_slugs],
        )
    _load_ledger(asks, targets, releases)

    lists = {}
    for slug, (name, trusted) in MEDIA_LISTS.items():
        lists[slug], _ = MediaList.objects.update_or_create(
            slug=slug, defaults={"name": name, "embargo_trusted": trusted}
        )
    for email, name, outlet, beat, country, languages, trusted, list_slugs in _clean(CONTACTS):
        contact = Contact.objects.filter(email__iexact=email).first() or Contact(email=email)
        for field, value in {
            "name": name,
            "outlet": outlet,
            "beat": beat,
            "country": country,
            "languages": languages,
            "embargo_trusted": trusted,
            "consent_basis": Contact.ConsentBasis.CONSENT,
            "consent_date": datetime.date(2024, 1, 15),
        }.items():
            setattr(contact, field, value)
        contact.save()
        for list_slug in list_slugs:
            Membership.objects.get_or_create(contact=contact, media_list=lists[list_slug])

    password = demo_password()
    for role, username in DEMO_USERS.items():
        staff_upsert(
            username=username, role=role, email=f"{username}@example.org", password=password
        )
    return {"users": DEMO_USERS, "password": password, "releases": list(RELEASES)}


def _load_ledger(asks: dict, targets: dict, releases: dict) -> None:
    """The asks' history, the releases' ask records and the invitations, as the demo has them
    (rebuilt on each run: what was changed by hand on the demo asks goes back to the demo)."""
    from campaigns.services import ask_set_status
    from statements.ledger import ask_records_sync
    from statements.models import AskStatusSource, Invitation, ledger_today

    AskStatusChange.objects.filter(ask__in=asks.values()).delete()
    for ask_slug, status, on, release, source_url, note in ASK_HISTORY:
        cite = None
        if release:

            def cite(change, statement=releases[release]):
                AskStatusSource.objects.create(change=change, statement=statement)

        ask_set_status(
            ask=asks[ask_slug],
            status=status,
            on=datetime.date.fromisoformat(on),
            source_url=source_url,
            note=_clean(note),
            cite_statement=cite,
        )
    for statement in releases.values():
        ask_records_sync(statement_id=statement.pk)

    today = ledger_today()
    for release, target, due, response in INVITATIONS:
        if due.startswith("+"):
            due_on = today + datetime.timedelta(days=int(due[1:]))
        else:
            due_on = datetime.date.fromisoformat(due)
        response = response or {}
        Invitation.objects.update_or_create(
            statement=releases[release],
            target=targets[target],
            defaults={
                "due_on": due_on,
                "responded_on": (
                    datetime.date.fromisoformat(response["responded_on"]) if response else None
                ),
                "response_summary": _clean(response.get("summary", {})),
                "response_url": response.get("url", ""),
                "response_recorded_at": timezone.now() if response else None,
            },
        )


def _load_release(slug, texts, campaign, boilerplate, targets, roles, asks) -> Statement:
    data = texts["en"]["releases"][slug]
    published_at = datetime.datetime.combine(
        datetime.date.fromisoformat(data["date"]), datetime.time(3, 0), tzinfo=datetime.UTC
    )
    statement, created = Statement.objects.update_or_create(
        slug=slug,
        defaults={
            "campaign": campaign,
            "kind": Statement.Kind.PRESS_RELEASE,
            "country": data["country"],
            "source_language": "en",
            "required_languages": sorted(texts),
            "boilerplate": boilerplate,
            "state": Statement.State.PUBLISHED,
            "published_at": published_at,
        },
    )
    statement.targets.set(targets)
    statement.roles.set(roles)
    statement.asks.set(asks)
    source = None
    for language in ["en", *sorted(set(texts) - {"en"})]:
        release = texts[language]["releases"][slug]
        translation, _ = StatementTranslation.objects.update_or_create(
            statement=statement,
            language=language,
            defaults={
                "title": release["title"],
                "summary": release["summary"],
                "body": release["body"],
                "quotes": release.get("quotes", []),
                "more_information": release.get("more_information", ""),
                "marked_complete": True,
                "is_demo": language != "en",
                "source_hash": source.content_hash() if source else "",
            },
        )
        source = source or translation
    refresh_search_text(statement)
    if created:
        Revision.objects.create(
            statement=statement,
            number=1,
            snapshot=statement.snapshot(),
            content_hash=statement.content_hash(),
        )
        StatementEvent.record(
            statement,
            by=None,
            action="import",
            comment="Demo data",
            published_at=timezone.localtime(published_at).isoformat(),
        )
    return statement
