"""Segments: saved filters over the contacts, managed in the desk by publishers and admins,
usable as a send audience beside the lists, frozen into the recipients' snapshot when the send
starts; an embargoed release goes only to segments of embargo-trusted contacts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.staff import staff_token
from config.errors import RuleBroken
from contacts.models import Contact, Segment
from contacts.segments import (
    clean_filter,
    segment_contacts,
    segment_count,
    segment_create,
    segment_delete,
    segment_update,
)
from distribution import services
from distribution.models import Delivery, Distribution
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    press = MediaListFactory(slug="press", name="Regional press")
    wire = MediaListFactory(slug="wire", name="Wire")
    mm_pol = ContactFactory(
        email="mm-pol@example.org", country="MM", beat="Politics", outlet="Frontier",
        languages=["my", "en"], embargo_trusted=True,
    )  # fmt: skip
    mm_eco = ContactFactory(
        email="mm-eco@example.org", country="MM", beat="economy", outlet="Irrawaddy",
        languages=["en"],
    )  # fmt: skip
    th_pol = ContactFactory(
        email="th-pol@example.org", country="TH", beat="politics", outlet="Frontier",
        languages=["my"], embargo_trusted=True,
    )  # fmt: skip
    gone = ContactFactory(
        email="gone@example.org", country="MM", beat="politics", languages=["en"],
        status=Contact.Status.UNSUBSCRIBED,
    )  # fmt: skip
    erased = ContactFactory(
        email="erased-9@erased.invalid", country="MM", status=Contact.Status.ERASED
    )
    mm_pol.lists.add(press, wire)
    mm_eco.lists.add(wire)
    th_pol.lists.add(press)
    return locals()


def _segment(slug="s", **filters) -> Segment:
    return segment_create(slug=slug, name=slug.title(), spec=clean_filter(**filters))


def _emails(contacts) -> list[str]:
    return sorted(c.email for c in contacts)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"country": "mm"}, ["gone@example.org", "mm-eco@example.org", "mm-pol@example.org"]),
        ({"beat": "POLITICS"}, ["gone@example.org", "mm-pol@example.org", "th-pol@example.org"]),
        ({"outlet": "frontier"}, ["mm-pol@example.org", "th-pol@example.org"]),
        ({"language": "my"}, ["mm-pol@example.org", "th-pol@example.org"]),  # first or second
        ({"lists": ["wire"]}, ["mm-eco@example.org", "mm-pol@example.org"]),
        (
            {"lists": ["press", "wire"]},
            ["mm-eco@example.org", "mm-pol@example.org", "th-pol@example.org"],
        ),  # noqa: E501
        ({"embargo_trusted": True}, ["mm-pol@example.org", "th-pol@example.org"]),
        ({"country": "MM", "beat": "politics", "lists": ["press"]}, ["mm-pol@example.org"]),
        (
            {},
            ["gone@example.org", "mm-eco@example.org", "mm-pol@example.org", "th-pol@example.org"],
        ),  # noqa: E501
    ],
)
def test_a_segment_selects_what_its_filter_says(people, filters, expected):
    segment = _segment(**filters)
    assert _emails(segment_contacts(segment)) == expected  # never an erased contact
    assert segment_count(segment) == len([e for e in expected if e != "gone@example.org"])


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"country": "Myanmar"}, "two-letter"),
        ({"language": "fr"}, "language"),
        ({"lists": ["nowhere"]}, "nowhere"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(people, filters, message):
    with pytest.raises(RuleBroken, match=message):
        _segment(**filters)
    assert not Segment.objects.exists()


def test_slugs_are_unique_and_checked(people):
    _segment("regional")
    with pytest.raises(RuleBroken, match="already exists"):
        _segment("regional")
    with pytest.raises(RuleBroken, match="short name"):
        _segment("not a slug")


# --- As a send audience ----------------------------------------------------------------------


def test_a_send_to_a_segment_is_frozen_at_start(people, make_staff):
    """A contact who joins the segment after the send started does not get it."""
    publisher = make_staff("publisher")
    statement = make_statement()
    segment = _segment("mm-politics", country="MM", beat="politics")
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=[], segment_slugs=["mm-politics"], by=publisher
    )
    assert list(distribution.segments.all()) == [segment]
    rows = {d.address: d.state for d in Delivery.objects.filter(distribution=distribution)}
    assert rows == {"mm-pol@example.org": "pending", "gone@example.org": "skipped"}
    # Later: a new contact matches, another changes beat, the segment itself is widened.
    ContactFactory(email="late@example.org", country="MM", beat="politics")
    segment_update(segment_id=segment.pk, name="Wider", spec=clean_filter(country="MM"))
    assert "late@example.org" in _emails(segment_contacts(segment))
    assert Delivery.objects.filter(distribution=distribution).count() == 2
    assert not Delivery.objects.filter(address="late@example.org").exists()


def test_lists_and_segments_together_reach_each_contact_once(people, make_staff):
    publisher = make_staff("publisher")
    _segment("frontier", outlet="Frontier")
    distribution = services.distribution_start(
        statement_id=make_statement().pk,
        media_list_slugs=["wire"],
        segment_slugs=["frontier"],
        by=publisher,
    )
    addresses = sorted(distribution.deliveries.values_list("address", flat=True))
    assert addresses == ["mm-eco@example.org", "mm-pol@example.org", "th-pol@example.org"]


def test_a_send_needs_a_list_or_a_segment_and_known_segments(people, make_staff):
    publisher = make_staff("publisher")
    statement = make_statement()
    with pytest.raises(RuleBroken, match="media list or segment"):
        services.distribution_start(statement_id=statement.pk, media_list_slugs=[], by=publisher)
    with pytest.raises(RuleBroken, match="nowhere"):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=[], segment_slugs=["nowhere"], by=publisher
        )
    assert not Distribution.objects.exists()


def test_an_embargoed_release_goes_only_to_segments_of_trusted_contacts(people, make_staff):
    publisher = make_staff("publisher")
    embargoed = make_statement(
        slug="embargoed", embargo_until=timezone.now() + datetime.timedelta(hours=3)
    )
    _segment("all-mm", country="MM")
    _segment("trusted-mm", country="MM", embargo_trusted=True)
    with pytest.raises(RuleBroken, match="embargo") as refused:
        services.distribution_start(
            statement_id=embargoed.pk, media_list_slugs=[], segment_slugs=["all-mm"], by=publisher
        )
    assert refused.value.extra["untrusted_lists"] == ["segment all-mm"]
    distribution = services.distribution_start(
        statement_id=embargoed.pk, media_list_slugs=[], segment_slugs=["trusted-mm"], by=publisher
    )
    assert list(distribution.deliveries.values_list("address", flat=True)) == ["mm-pol@example.org"]


def test_a_segment_in_use_by_an_unfinished_send_cannot_be_deleted(people, make_staff):
    publisher = make_staff("publisher")
    segment = _segment("later", country="MM")
    distribution = services.distribution_start(
        statement_id=make_statement().pk,
        media_list_slugs=[],
        segment_slugs=["later"],
        send_at=timezone.now() + datetime.timedelta(days=1),
        by=publisher,
    )
    with pytest.raises(RuleBroken, match="has not finished"):
        segment_delete(segment_id=segment.pk)
    services.distribution_cancel(distribution_id=distribution.pk, by=publisher)
    segment_delete(segment_id=segment.pk)
    assert not Segment.objects.exists()
    assert distribution.deliveries.count() == 3  # the snapshot stays


def test_the_staff_api_takes_segments(people, make_staff):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=make_staff('publisher'))}")
    _segment("frontier", outlet="Frontier")
    statement = make_statement()
    response = api.post(
        "/api/v1/distributions/",
        {"statement": statement.pk, "segments": ["frontier"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["segments"] == ["frontier"]
    assert response.json()["counts"]["pending"] == 2
    unknown = api.post(
        "/api/v1/distributions/", {"statement": statement.pk, "segments": ["nope"]}, format="json"
    )
    assert unknown.status_code == 400 and "nope" in unknown.json()["message"]


# --- In the desk -----------------------------------------------------------------------------


def test_a_publisher_manages_segments_in_the_desk(client, make_staff, people):
    client.force_login(make_staff("publisher"))
    created = client.post(
        "/desk/contacts/segments/",
        {"slug": "mm-press", "name": "Myanmar press", "country": "mm", "lists": ["press"]},
    )
    assert created.status_code == 302
    segment = Segment.objects.get(slug="mm-press")
    assert segment.country == "MM" and [m.slug for m in segment.lists.all()] == ["press"]
    page = client.get("/desk/contacts/segments/")
    assert page.status_code == 200 and b"Myanmar press" in page.content
    assert [g.active for g in page.context["segments"]] == [1]  # the live count
    refused = client.post(
        f"/desk/contacts/segments/{segment.pk}/", {"name": "Myanmar press", "country": "Burma"}
    )
    assert refused.status_code == 400 and b"two-letter" in refused.content
    assert Segment.objects.get(pk=segment.pk).country == "MM"  # nothing half-saved
    edited = client.post(
        f"/desk/contacts/segments/{segment.pk}/",
        {"name": "Myanmar, trusted", "country": "MM", "embargo_trusted": "yes"},
    )
    assert edited.status_code == 302
    segment.refresh_from_db()
    assert segment.embargo_trusted is True and not segment.lists.exists()
    form = client.get(f"/desk/contacts/segments/{segment.pk}/")
    assert form.status_code == 200 and b'value="yes" selected' in form.content
    deleted = client.post(f"/desk/contacts/segments/{segment.pk}/delete/")
    assert deleted.status_code == 302 and not Segment.objects.exists()


def test_the_send_form_offers_segments_and_sends_to_them(client, make_staff, people):
    client.force_login(make_staff("publisher"))
    _segment("frontier", outlet="Frontier")
    statement = make_statement()
    form = client.get("/desk/sends/new/", {"statement": statement.pk})
    assert b'name="segments" value="frontier"' in form.content
    check = client.get(
        "/desk/sends/new/", {"statement": statement.pk, "segments": "frontier", "step": "check"}
    )
    assert check.status_code == 200 and check.context["preview"]["recipients"] == 2
    assert b'type="hidden" name="segments" value="frontier"' in check.content
    sent = client.post(
        "/desk/sends/new/",
        {"statement": statement.pk, "segments": "frontier", "kind": "release", "confirm": "yes"},
    )
    assert sent.status_code == 302
    distribution = Distribution.objects.get()
    assert [s.slug for s in distribution.segments.all()] == ["frontier"]
    assert distribution.deliveries.count() == 2


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_cannot_manage_segments(client, make_staff, people, role):
    segment = _segment("kept", country="MM")
    client.force_login(make_staff(role))
    assert client.get("/desk/contacts/segments/").status_code == 403
    assert client.post("/desk/contacts/segments/", {"slug": "x", "name": "X"}).status_code == 403
    assert client.post(f"/desk/contacts/segments/{segment.pk}/delete/").status_code == 403
    assert list(Segment.objects.values_list("slug", flat=True)) == ["kept"]
