"""The real path: retracting a statement stops its send in progress at a real worker.

A Celery worker process on Redis and PostgreSQL sends a few hundred messages to a slow SMTP sink;
the statement is retracted through the staff API half-way. At most the messages in flight at
that moment arrive afterwards; every other delivery is skipped with reason "retracted".
"""

from __future__ import annotations

import collections
import time

import pytest

from distribution.models import Delivery, Distribution
from tests.distribution.helpers import make_statement
from tests.distribution.test_distribution_integration import (  # noqa: F401 (fixtures)
    _audience,
    _send,
    _wait_received,
    api,
    servers,
    sink,
    worker,
)
from tests.factories import MediaListFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RECIPIENTS = 300
# Two worker processes, each with at most the message in flight and the one it had begun when
# the retraction committed.
IN_FLIGHT = 4


def test_retraction_stops_a_send_in_progress(worker, sink, api):  # noqa: F811 (fixtures)
    recorder, _port = sink
    recorder.delay = 0.05  # about 40 messages a second with two workers: retracted half-way
    press = MediaListFactory(slug="press")
    _audience(RECIPIENTS, press)
    statement = make_statement()
    distribution_id = _send(api, statement, ["press"])
    _wait_received(recorder, 60)

    response = api.post(
        f"/api/v1/statements/{statement.pk}/retract/", {"reason": "Wrong figures"}, format="json"
    )
    assert response.status_code == 200, response.content
    at_retraction = recorder.count
    assert at_retraction < RECIPIENTS - 50, "the send finished before the retraction"

    # Long enough for several ticks and lease expiries: nothing more may trickle out.
    time.sleep(6)
    after = recorder.count - at_retraction
    print(f"{at_retraction} of {RECIPIENTS} before the retraction, {after} after")
    assert after <= IN_FLIGHT, worker.log_tail()

    distribution = Distribution.objects.get(pk=distribution_id)
    assert (distribution.state, distribution.cancel_reason) == ("cancelled", "retracted")
    body = api.get(f"/api/v1/distributions/{distribution_id}/").json()
    assert body["status"] == "cancelled"
    assert body["counts"]["sent"] == recorder.count
    assert body["counts"]["skipped"] == RECIPIENTS - recorder.count
    assert body["counts"]["pending"] == body["counts"]["sending"] == 0
    reasons = collections.Counter(
        Delivery.objects.filter(distribution_id=distribution_id, state="skipped").values_list(
            "skip_reason", flat=True
        )
    )
    assert reasons == {"retracted": RECIPIENTS - recorder.count}
    # Every message at the sink went once, and is recorded as sent.
    by_address = collections.Counter(recorder.addresses())
    assert set(by_address.values()) == {1}
    sent = set(
        Delivery.objects.filter(distribution_id=distribution_id, state="sent").values_list(
            "address", flat=True
        )
    )
    assert sent == set(by_address)
