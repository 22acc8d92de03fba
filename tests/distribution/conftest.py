"""Fixtures for distribution tests: a published bilingual statement, lists and contacts."""

from __future__ import annotations

import pytest

from distribution import smtp_wire
from tests.distribution.helpers import make_statement
from tests.factories import ContactFactory, MediaListFactory


@pytest.fixture(autouse=True)
def _fresh_wire_templates():
    # smtp_wire keeps each (distribution id, variant) message per process; ids come again
    # from test to test on SQLite.
    smtp_wire._TEMPLATES.clear()
    yield
    smtp_wire._TEMPLATES.clear()


@pytest.fixture
def statement(db):
    return make_statement()


@pytest.fixture
def publisher(make_staff):
    return make_staff("publisher")


@pytest.fixture
def audience(db):
    """Two lists; one contact on both; one of each language; one unsubscribed."""
    press, wire = MediaListFactory(slug="press"), MediaListFactory(slug="wire")
    en = ContactFactory(email="en@example.org", languages=["en"])
    my = ContactFactory(email="my@example.org", languages=["my"])
    both = ContactFactory(email="both@example.org", languages=["my", "en"])
    gone = ContactFactory(email="gone@example.org", languages=["en"], status="unsubscribed")
    for contact in (en, my, both, gone):
        contact.lists.add(press)
    both.lists.add(wire)
    return {"press": press, "wire": wire, "en": en, "my": my, "both": both, "gone": gone}
