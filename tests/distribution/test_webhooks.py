"""The email providers' tracking webhooks through their real URLs, with the providers' own
payload shapes (as django-anymail's tests give them): Mailgun (signed JSON events) and
Postmark (JSON records). Refused without the shared secret; never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from contacts.models import Contact, Suppression
from distribution import services
from distribution.models import Delivery

pytestmark = pytest.mark.django_db

SECRET = "provider:webhook-secret-123"
SIGNING_KEY = "key-mailgun-signing-0123456789"
MAILGUN = "/anymail/mailgun/tracking/"
POSTMARK = "/anymail/postmark/tracking/"


@pytest.fixture
def configured(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}


def _auth(secret: str = SECRET) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(secret.encode()).decode()}


@pytest.fixture
def sent(publisher, statement, audience, django_capture_on_commit_callbacks):
    """A real send (in-process, locmem backend): three deliveries sent, with Message-IDs."""
    with django_capture_on_commit_callbacks(execute=True):
        services.distribution_start(
            statement_id=statement.pk, media_list_slugs=["press"], by=publisher
        )
    deliveries = {d.address: d for d in Delivery.objects.filter(state="sent")}
    assert set(deliveries) == {"en@example.org", "my@example.org", "both@example.org"}
    return deliveries


def _mailgun_signed(event_data: dict, key: str = SIGNING_KEY) -> dict:
    timestamp, token = str(int(time.time())), "651869375b9df3c98fc15c4889b102119add1235c38fc92824"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": event_data,
    }


def _mailgun_failed(delivery: Delivery, severity: str = "permanent") -> dict:
    permanent = severity == "permanent"
    return {
        "event": "failed",
        "severity": severity,
        "reason": "bounce" if permanent else "generic",
        "recipient": delivery.address,
        "timestamp": 1534110422.389832,
        "log-level": "error" if permanent else "warn",
        "message": {
            "headers": {
                "to": delivery.address,
                # Mailgun quotes the message's own Message-ID, without the angle brackets.
                "message-id": delivery.message_id.strip("<>"),
                "from": "Pressroom <press@pressroom.invalid>",
            }
        },
        "delivery-status": {
            "tls": True,
            "mx-host": "aspmx.l.example.org",
            "attempt-no": 1,
            "description": "" if permanent else "No MX for example.org",
            "session-seconds": 2.95,
            "utf8": True,
            "code": 550 if permanent else 498,
            "message": (
                "5.1.1 The email account that you tried to reach does not exist."
                if permanent
                else "No MX for example.org"
            ),
            "certificate-verified": True,
        },
    }


def _postmark(record_type: str, kind: str, delivery: Delivery, details: str) -> dict:
    return {
        "RecordType": record_type,
        "ID": 901542550,
        "Type": kind,
        "TypeCode": {"HardBounce": 1, "SoftBounce": 4096, "SpamComplaint": 512}[kind],
        "ServerID": 23,
        "Name": kind,
        "MessageID": delivery.message_id,
        "Description": "The server was unable to deliver your message.",
        "Details": details,
        "Email": delivery.address,
        "From": "press@pressroom.invalid",
        "BouncedAt": "2016-04-27T16:28:50.3963933-04:00",
        "DumpAvailable": True,
        "Inactive": kind != "SoftBounce",
        "CanActivate": True,
        "Subject": "A press release",
    }


def _post(client, url: str, payload, **headers):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(url, body, content_type="application/json", **headers)


def _status(address: str) -> str:
    return Contact.objects.get(email=address).status


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [MAILGUN, POSTMARK])
def test_refused_until_the_secret_is_set(client, settings, url):
    settings.ANYMAIL = {}
    response = _post(client, url, {"RecordType": "Bounce"}, **_auth())
    assert response.status_code == 403


def test_mailgun_refused_without_its_signing_key(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    assert _post(client, MAILGUN, {}, **_auth()).status_code == 403


@pytest.mark.parametrize("url", [MAILGUN, POSTMARK])
def test_refused_without_or_with_a_wrong_secret(client, configured, sent, url):
    delivery = sent["en@example.org"]
    payload = (
        _mailgun_signed(_mailgun_failed(delivery))
        if url == MAILGUN
        else _postmark("Bounce", "HardBounce", delivery, "smtp;550 5.1.1 no such user")
    )
    for headers in ({}, _auth("provider:wrong"), {"HTTP_AUTHORIZATION": "Bearer x"}):
        response = _post(client, url, payload, **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic")
    delivery.refresh_from_db()
    assert delivery.state == "sent" and _status("en@example.org") == "active"


def test_mailgun_refuses_a_forged_signature(client, configured, sent):
    delivery = sent["en@example.org"]
    forged = _mailgun_signed(_mailgun_failed(delivery), key="not-the-signing-key")
    assert _post(client, MAILGUN, forged, **_auth()).status_code == 401
    assert _status("en@example.org") == "active"


@pytest.mark.parametrize("url", [MAILGUN, POSTMARK])
def test_bad_payloads_and_methods_never_500(client, configured, url):
    assert _post(client, url, "not json", **_auth()).status_code in (400, 401)
    assert _post(client, url, [1, 2], **_auth()).status_code in (400, 401)
    assert client.get(url, **_auth()).status_code == 405


# --- Mailgun ------------------------------------------------------------------------------------


def test_mailgun_permanent_failure_bounces_and_suppresses(client, configured, sent):
    delivery = sent["en@example.org"]
    response = _post(client, MAILGUN, _mailgun_signed(_mailgun_failed(delivery)), **_auth())
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == "bounced"
    assert "en@example.org" not in delivery.last_error
    assert _status("en@example.org") == "bounced" and Suppression.covers("en@example.org")


def test_mailgun_temporary_failure_changes_nothing(client, configured, sent):
    delivery = sent["en@example.org"]
    payload = _mailgun_signed(_mailgun_failed(delivery, severity="temporary"))
    assert _post(client, MAILGUN, payload, **_auth()).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == "sent" and _status("en@example.org") == "active"
    assert not Suppression.covers("en@example.org")


def test_mailgun_complaint_marks_the_contact(client, configured, sent):
    delivery = sent["my@example.org"]
    payload = _mailgun_signed(
        {
            "event": "complained",
            "id": "ncV2XwymRUKbPek_MIM-Gw",
            "timestamp": 1377214260.049634,
            "log-level": "warn",
            "recipient": delivery.address,
            "message": {
                "headers": {
                    "to": delivery.address,
                    "message-id": delivery.message_id.strip("<>"),
                    "from": "Pressroom <press@pressroom.invalid>",
                    "subject": "A press release",
                }
            },
        }
    )
    assert _post(client, MAILGUN, payload, **_auth()).status_code == 200
    assert _status("my@example.org") == "complained" and Suppression.covers("my@example.org")


# --- Postmark -----------------------------------------------------------------------------------


def test_postmark_hard_bounce_bounces_and_suppresses(client, configured, sent):
    delivery = sent["both@example.org"]
    payload = _postmark(
        "Bounce", "HardBounce", delivery, "smtp;550 5.1.1 The email account does not exist."
    )
    assert _post(client, POSTMARK, payload, **_auth()).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == "bounced"
    assert _status("both@example.org") == "bounced" and Suppression.covers("both@example.org")
    # The provider may send the same event again: nothing more happens.
    assert _post(client, POSTMARK, payload, **_auth()).status_code == 200
    assert Suppression.objects.count() == 1


def test_postmark_soft_bounce_changes_nothing(client, configured, sent):
    delivery = sent["en@example.org"]
    payload = _postmark("Bounce", "SoftBounce", delivery, "mailbox full")
    assert _post(client, POSTMARK, payload, **_auth()).status_code == 200
    delivery.refresh_from_db()
    assert delivery.state == "sent" and _status("en@example.org") == "active"
    assert not Suppression.covers("en@example.org")


def test_postmark_spam_complaint_marks_the_contact(client, configured, sent):
    delivery = sent["en@example.org"]
    payload = _postmark("SpamComplaint", "SpamComplaint", delivery, "Test spam complaint details")
    assert _post(client, POSTMARK, payload, **_auth()).status_code == 200
    assert _status("en@example.org") == "complained" and Suppression.covers("en@example.org")
