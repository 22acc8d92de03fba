import datetime

import pytest

from campaigns.services import ask_set_status
from config.errors import RuleBroken
from tests.factories import AskFactory

pytestmark = pytest.mark.django_db

# Every status change needs a source (issue 12): these pass a link.
SOURCE = "https://example.org/news/asean"


def test_ask_status_keeps_a_dated_history():
    ask = AskFactory()
    ask_set_status(
        ask=ask, status="partly_met", on=datetime.date(2025, 5, 1), note="Partly", source_url=SOURCE
    )
    ask_set_status(ask=ask, status="met", on=datetime.date(2025, 9, 1), source_url=SOURCE)
    ask.refresh_from_db()
    assert ask.status == "met"
    assert [c.status for c in ask.status_changes.all()] == ["partly_met", "met"]


def test_a_back_dated_change_does_not_override_the_current_status():
    ask = AskFactory()
    ask_set_status(ask=ask, status="rejected", on=datetime.date(2025, 9, 1), source_url=SOURCE)
    ask_set_status(ask=ask, status="partly_met", on=datetime.date(2025, 1, 1), source_url=SOURCE)
    ask.refresh_from_db()
    assert ask.status == "rejected"


def test_unknown_ask_status_is_refused():
    with pytest.raises(RuleBroken):
        ask_set_status(
            ask=AskFactory(), status="maybe", on=datetime.date(2025, 1, 1), source_url=SOURCE
        )
