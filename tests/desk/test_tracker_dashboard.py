"""The campaign dashboard: its SVG charts parse and carry the numbers of the tables beside them,
the public part counts public releases only, and both take a fixed number of queries whatever
the number of releases."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.services import ask_history_begin, ask_set_status
from statements import ledger
from statements.models import Invitation, Statement
from tests.factories import AskFactory, CampaignFactory, StatementFactory, TargetFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
D = datetime.date
NOW = timezone.now()


def release(campaign, *, months_ago: int, asks=(), state=Statement.State.PUBLISHED, **kw):
    published = NOW - datetime.timedelta(days=30 * months_ago + 1)
    statement = StatementFactory(campaign=campaign, state=state, published_at=published, **kw)
    statement.asks.set(asks)
    ledger.ask_records_sync(statement_id=statement.pk)
    return statement


@pytest.fixture
def world():
    campaign = CampaignFactory(slug="asean", name={"en": "ASEAN"})
    laos = TargetFactory(slug="laos", name={"en": "Laos"})
    malaysia = TargetFactory(slug="malaysia", name={"en": "Malaysia"})
    secret = TargetFactory(slug="secret-target", name={"en": "SECRET-TARGET"})
    waiting = AskFactory(campaign=campaign, slug="ban", text={"en": "Ban the junta."})
    waiting.targets.add(laos)
    met = AskFactory(campaign=campaign, slug="embargo", text={"en": "Stop arms."})
    hidden_ask = AskFactory(campaign=campaign, slug="hidden", text={"en": "SECRET-ASK"})
    for ask in (waiting, met, hidden_ask):
        ask_history_begin(ask=ask)
    first = release(campaign, months_ago=3, asks=[waiting, met])
    release(campaign, months_ago=3, asks=[waiting])
    second = release(campaign, months_ago=1, asks=[waiting])
    # Never public: a draft and an embargoed release of the same campaign.
    draft = StatementFactory(campaign=campaign)
    draft.asks.set([hidden_ask])
    release(
        campaign,
        months_ago=1,
        asks=[hidden_ask],
        embargo_until=NOW + datetime.timedelta(days=3),
    )
    ask_set_status(
        ask=met, status="met", on=timezone.localdate(), source_url="https://example.org/"
    )
    today = timezone.localdate()
    Invitation.objects.create(
        statement=first, target=laos, due_on=today - datetime.timedelta(days=5)
    )  # did not respond
    Invitation.objects.create(
        statement=second,
        target=laos,
        due_on=today - datetime.timedelta(days=2),
        responded_on=today - datetime.timedelta(days=3),
    )
    Invitation.objects.create(
        statement=first,
        target=malaysia,
        due_on=today - datetime.timedelta(days=1),
        responded_on=today - datetime.timedelta(days=9),
    )
    Invitation.objects.create(
        statement=draft, target=secret, due_on=today - datetime.timedelta(days=1)
    )
    return campaign


def svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg[^>]*id="{chart_id}".*?</svg>', html, re.S)
    assert match, chart_id
    return ET.fromstring(match.group(0))  # noqa: S314 - our own page, under test


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "data-value" in r.attrib]


def table(html: str, table_id: str) -> list[list[str]]:
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S)
    assert match, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(0), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells[1:]]  # no header


def months_back(n: int) -> str:
    return (NOW - datetime.timedelta(days=30 * n + 1)).strftime("%Y-%m")


def test_desk_dashboard_charts_match_their_tables(client, make_staff, world):
    client.force_login(make_staff("author"))
    html = client.get("/desk/campaigns/asean/dashboard/").content.decode()

    releases = svg(html, "desk-chart-releases")
    assert releases.get("role") == "img"
    assert releases.find(f"{SVG}title").text == "Releases per month"
    assert releases.find(f"{SVG}desc").text.startswith("4 releases")  # the embargoed one too
    rows = table(html, "table-releases")
    chart = [(b.get("data-label"), int(b.get("data-value"))) for b in bars(releases)]
    assert chart == [(month, int(n)) for month, n in rows]
    assert dict(chart)[months_back(3)] == 2 and sum(n for _m, n in chart) == 4
    tallest = max(float(b.get("height")) for b in bars(releases))
    for bar in bars(releases):  # heights in proportion to the numbers
        expected = int(bar.get("data-value")) / 2 * tallest
        assert float(bar.get("height")) == pytest.approx(expected, abs=0.01)

    statuses = svg(html, "desk-chart-statuses")
    header = re.search(r'<table[^>]*id="table-statuses".*?</thead>', html, re.S).group(0)
    names = re.findall(r'data-status="(\w+)">([^<]+)<', header)
    assert [value for value, _label in names] == ["open", "met"]
    for month, *counts in table(html, "table-statuses"):
        column = next(g for g in statuses.iter(f"{SVG}g") if g.get("data-label") == month)
        drawn = {r.get("data-series"): int(r.get("data-value")) for r in column.iter(f"{SVG}rect")}
        expected = {label: int(n) for (_v, label), n in zip(names, counts, strict=True) if int(n)}
        assert drawn == expected, month
    last = table(html, "table-statuses")[-1]
    assert last[1:] == ["2", "1"]  # now: two open (one only in an embargoed release), one met

    rates = svg(html, "desk-chart-rates")
    drawn = {b.get("data-label"): int(b.get("data-value")) for b in bars(rates)}
    rows = {row[0]: row for row in table(html, "table-rates")}
    assert drawn == {"Laos": 50, "Malaysia": 100, "SECRET-TARGET": 0}
    assert rows["Laos"][1:] == ["2", "1", "1", "0", "50%"]
    for name, percent in drawn.items():
        assert rows[name][5] == f"{percent}%"

    waiting = table(html, "table-waiting")
    assert [row[0] for row in waiting] == ["Ban the junta.", "SECRET-ASK"]
    assert waiting[0][1] == "3" and waiting[0][4] == "Laos"
    assert waiting[0][2] == (NOW - datetime.timedelta(days=91)).strftime("%Y-%m-%d")


def test_public_part_counts_public_releases_only(client, world):
    html = client.get("/en/campaigns/asean/").content.decode()
    assert 'id="public-dashboard"' in html
    assert "SECRET" not in html  # hidden ask and target never named
    releases = svg(html, "public-chart-releases")
    assert sum(int(b.get("data-value")) for b in bars(releases)) == 3  # not the embargoed one
    rates = {
        b.get("data-label"): int(b.get("data-value")) for b in bars(svg(html, "public-chart-rates"))
    }
    assert rates == {"Laos": 50, "Malaysia": 100}
    waiting = table(html, "public-table-waiting")
    assert [row[0] for row in waiting] == ["Ban the junta."]
    assert [row[1:3] for row in table(html, "public-table-statuses")][-1] == ["1", "1"]


def test_public_part_of_a_campaign_without_invitations_says_so(client):
    campaign = CampaignFactory(slug="quiet")
    release(campaign, months_ago=0)
    html = client.get("/en/campaigns/quiet/").content.decode()
    root = svg(html, "public-chart-rates")
    assert not bars(root) and "No invitation" in "".join(root.itertext())


def _many(n: int):
    campaign = CampaignFactory(slug=f"c{n}")
    asks = [AskFactory(campaign=campaign) for _ in range(3)]
    targets = [TargetFactory() for _ in range(3)]
    today = timezone.localdate()
    for i in range(n):
        statement = release(campaign, months_ago=i % 12, asks=asks[: 1 + i % 3])
        Invitation.objects.create(
            statement=statement, target=targets[i % 3], due_on=today, responded_on=today
        )
    return campaign


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_releases(client, make_staff):
    small, large = _many(5), _many(50)
    client.force_login(make_staff("editor"))
    desk = [_queries(client, f"/desk/campaigns/{c.slug}/dashboard/") for c in (small, large)]
    assert desk[0] == desk[1], desk
    client.logout()
    public = [_queries(client, f"/en/campaigns/{c.slug}/") for c in (small, large)]
    assert public[0] == public[1], public


def test_the_burmese_public_page_labels_its_charts_in_burmese(client, world):
    html = client.get("/my/campaigns/asean/").content.decode()
    title = svg(html, "public-chart-releases").find(f"{SVG}title")
    assert title.get("lang") == "my" and title.text == "လစဉ် သတင်းထုတ်ပြန်ချက်များ"
