"""Leak tracing: every copy of an embargoed release carries its recipient's reference (footer
of both parts and the X-Pressroom-Ref header), checked at a real SMTP sink; the reference says
nothing by itself, and the staff API and the desk find whose copy it was, for publishers and
admins only, each lookup recorded on the statement's history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.staff import staff_token
from distribution import leak_refs, sending, services
from distribution.models import Delivery
from statements.models import StatementEvent
from tests.distribution.helpers import make_statement
from tests.distribution.smtp_sink import email_to_sink, start_sink
from tests.factories import ContactFactory, MediaListFactory

pytestmark = pytest.mark.django_db

ADDRESSES = ("one@example.org", "two@example.org", "three@example.org")
_CROCKFORD = "[0-9A-HJKMNP-TV-Z]"
REFERENCE_SHAPE = re.compile(rf"\A{_CROCKFORD}{{4}}-{_CROCKFORD}{{4}}-{_CROCKFORD}{{2}}\Z")


@pytest.fixture
def sink(settings):
    controller, recorder, port = start_sink()
    email_to_sink(settings, port)
    yield recorder
    controller.stop()


def _send(publisher, *, embargoed: bool, slug: str = "leaky"):
    embargo = timezone.now() + datetime.timedelta(hours=6) if embargoed else None
    statement = make_statement(slug=slug, embargo_until=embargo)
    trusted = MediaListFactory(slug=f"trusted-{slug}", embargo_trusted=True)
    for address in ADDRESSES:
        ContactFactory(email=address, languages=["en"], embargo_trusted=True).lists.add(trusted)
    distribution = services.distribution_start(
        statement_id=statement.pk, media_list_slugs=[trusted.slug], by=publisher
    )
    sending.distribution_work(distribution_id=distribution.pk, budget_seconds=60)
    return distribution


def _received(sink) -> dict:
    return {rcpt: message for rcpt, message in sink.messages() if rcpt in ADDRESSES}


def _parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token(user=user)}")
    return client


# --- the reference itself --------------------------------------------------------------------


def test_reference_is_readable_reveals_nothing_and_turns_back_into_the_delivery():
    references = {leak_refs.reference_for(n) for n in range(1, 2001)}
    assert len(references) == 2000  # a permutation: no two deliveries share one
    for delivery_id in (1, 2, 41, 999_999, 2**40):
        reference = leak_refs.reference_for(delivery_id)
        assert REFERENCE_SHAPE.match(reference)
        if delivery_id >= 1000:  # a digit or two may turn up by chance in any keyed reference
            assert str(delivery_id) not in reference.replace("-", "")
        assert leak_refs.delivery_ids_for(reference) == [delivery_id]
    # Neighbouring deliveries get unrelated references (no order shows through).
    first, second = leak_refs.reference_for(100), leak_refs.reference_for(101)
    assert sum(a != b for a, b in zip(first, second, strict=True)) >= 5


def test_reference_survives_case_lost_hyphens_and_look_alike_letters():
    reference = leak_refs.reference_for(1234)
    mangled = reference.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert leak_refs.normalise(mangled) == reference
    assert leak_refs.normalise(reference.replace("-", "")) == reference
    assert leak_refs.normalise("UUUU-UUUU-UU") is None  # no U in the alphabet
    assert leak_refs.normalise("too-short") is None
    text = f"From a forwarded mail:\n> Copy reference: {reference.lower()}\n> thanks"
    assert leak_refs.references_in(text) == [reference]


def test_reference_depends_on_the_key_and_old_keys_still_read(settings):
    settings.LEAK_REF_KEY = ""
    settings.SECRET_KEY = "old-secret-key-" + "x" * 40
    old = leak_refs.reference_for(77)
    settings.SECRET_KEY = "new-secret-key-" + "y" * 40
    assert leak_refs.reference_for(77) != old
    settings.SECRET_KEY_FALLBACKS = ["old-secret-key-" + "x" * 40]
    assert 77 in leak_refs.delivery_ids_for(old)
    settings.LEAK_REF_KEY = "its own key"
    assert leak_refs.reference_for(77) not in (old, leak_refs.reference_for(77, b"other"))


# --- in the messages -------------------------------------------------------------------------


def test_every_embargoed_copy_carries_its_own_reference_in_header_and_both_footers(sink, publisher):
    distribution = _send(publisher, embargoed=True)
    received = _received(sink)
    assert set(received) == set(ADDRESSES)
    seen = {}
    for address, message in received.items():
        reference = message["X-Pressroom-Ref"]
        assert reference and REFERENCE_SHAPE.match(reference)
        text, html = _parts(message)
        assert f"Copy reference: {reference}" in text
        assert reference in html and "Copy reference" in html
        delivery = Delivery.objects.get(distribution=distribution, address=address)
        assert reference == leak_refs.reference_for(delivery.pk)
        # Not the id in another form: it turns back into the delivery only with the key.
        assert leak_refs.delivery_ids_for(reference) == [delivery.pk]
        seen[address] = reference
    assert len(set(seen.values())) == len(ADDRESSES)  # differs per recipient


def test_copies_built_without_the_prebuilt_path_carry_the_reference_too(
    sink, publisher, monkeypatch
):
    monkeypatch.setattr(sending, "_fast_path", lambda connection: False)
    _send(publisher, embargoed=True)
    for message in _received(sink).values():
        reference = message["X-Pressroom-Ref"]
        text, html = _parts(message)
        assert REFERENCE_SHAPE.match(reference)
        assert reference in text and reference in html


def test_a_release_not_under_embargo_carries_no_reference(sink, publisher):
    _send(publisher, embargoed=False)
    received = _received(sink)
    assert len(received) == len(ADDRESSES)
    for message in received.values():
        assert message["X-Pressroom-Ref"] is None
        text, html = _parts(message)
        assert "Copy reference" not in text and "Copy reference" not in html
        assert "PLACEHOLDER" not in text and "__PRESSROOM" not in html


# --- finding the copy ------------------------------------------------------------------------


def test_api_finds_the_delivery_and_records_the_lookup(sink, publisher, make_staff):
    distribution = _send(publisher, embargoed=True)
    message = _received(sink)["two@example.org"]
    reference = message["X-Pressroom-Ref"]
    admin = make_staff("admin")
    response = _api(admin).get("/api/v1/deliveries/", {"ref": reference.lower()})
    assert response.status_code == 200, response.content
    body = response.json()
    delivery = Delivery.objects.get(distribution=distribution, address="two@example.org")
    assert body["id"] == delivery.pk
    assert body["distribution"] == distribution.pk
    assert body["statement"] == "leaky"
    assert body["contact"] == delivery.contact_id
    assert body["email"] == "two@example.org"
    assert body["reference"] == reference
    assert body["sent_at"] is not None
    event = StatementEvent.objects.get(action=leak_refs.TRACE_ACTION)
    assert event.statement_id == distribution.statement_id and event.actor == admin
    assert event.data["delivery"] == delivery.pk and event.data["via"] == "api"
    assert event.data["reference"] == reference


def test_api_answers_unknown_malformed_and_unembargoed_references_plainly(sink, publisher):
    plain = _send(publisher, embargoed=False)
    api = _api(publisher)
    missing = api.get("/api/v1/deliveries/", {"ref": "ZZZZ-ZZZZ-ZZ"})
    assert missing.status_code == 404 and "No copy" in missing.json()["message"]
    assert api.get("/api/v1/deliveries/", {"ref": "not a reference"}).status_code == 400
    assert api.get("/api/v1/deliveries/").status_code == 400
    # A delivery whose message carried no reference is never "found" by computing one.
    unembargoed = Delivery.objects.filter(distribution=plain).first()
    computed = leak_refs.reference_for(unembargoed.pk)
    assert api.get("/api/v1/deliveries/", {"ref": computed}).status_code == 404
    assert not StatementEvent.objects.filter(action=leak_refs.TRACE_ACTION).exists()


@pytest.mark.parametrize("role", ["author", "editor"])
def test_authors_and_editors_may_not_trace(sink, publisher, make_staff, client, role):
    _send(publisher, embargoed=True)
    reference = _received(sink)["one@example.org"]["X-Pressroom-Ref"]
    user = make_staff(role)
    refused = _api(user).get("/api/v1/deliveries/", {"ref": reference})
    assert refused.status_code == 403
    assert "one@example.org" not in refused.content.decode()
    client.force_login(user)
    page = client.post("/desk/sends/trace/", {"text": reference})
    assert page.status_code == 403
    assert "one@example.org" not in page.content.decode()
    assert not StatementEvent.objects.filter(action=leak_refs.TRACE_ACTION).exists()


def test_desk_finds_whose_copy_a_pasted_leaked_text_was(sink, publisher, client):
    distribution = _send(publisher, embargoed=True)
    message = _received(sink)["three@example.org"]
    text, _html = _parts(message)
    # As a leak would come: the text only, forwarded, quoted, lower-cased by some tool.
    leaked = "Fwd: look what we got\n\n" + "\n".join(f"> {line}" for line in text.splitlines())
    client.force_login(publisher)
    assert client.get("/desk/sends/trace/").status_code == 200
    page = client.post("/desk/sends/trace/", {"text": leaked.lower()})
    assert page.status_code == 200
    content = page.content.decode()
    assert "three@example.org" in content
    assert "one@example.org" not in content and "two@example.org" not in content
    assert f"/desk/sends/{distribution.pk}/" in content
    event = StatementEvent.objects.get(action=leak_refs.TRACE_ACTION)
    assert event.actor == publisher and event.data["via"] == "desk"


def test_desk_says_so_when_the_text_has_no_reference_or_an_unknown_one(publisher, client):
    client.force_login(publisher)
    none = client.post("/desk/sends/trace/", {"text": "no code in here at all"})
    assert none.status_code == 200 and "No reference found" in none.content.decode()
    unknown = client.post("/desk/sends/trace/", {"text": "Copy reference: ZZZZ-ZZZZ-ZZ"})
    assert "no copy we sent carries it" in unknown.content.decode()
    empty = client.post("/desk/sends/trace/", {"text": ""})
    assert empty.status_code == 400 and "Paste a reference" in empty.content.decode()
