import datetime

import pytest
from django.db import IntegrityError, transaction

from campaigns.models import RoleHolding
from campaigns.services import role_holding_add
from config.errors import RuleBroken
from tests.factories import RoleFactory, RoleHoldingFactory, TargetFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def asean_chair():
    role = RoleFactory(slug="asean-chair")
    laos, malaysia, philippines = (TargetFactory(slug=s) for s in ("laos", "malaysia", "ph"))
    RoleHoldingFactory(role=role, holder=laos, starts_on=D(2024, 1, 1), ends_on=D(2025, 1, 1))
    RoleHoldingFactory(role=role, holder=malaysia, starts_on=D(2025, 1, 1), ends_on=D(2026, 1, 1))
    RoleHoldingFactory(role=role, holder=philippines, starts_on=D(2026, 1, 1), ends_on=None)
    return role


@pytest.mark.parametrize(
    ("day", "holder"),
    [
        (D(2025, 4, 17), "malaysia"),
        (D(2024, 3, 1), "laos"),
        (D(2024, 12, 31), "laos"),
        (D(2025, 1, 1), "malaysia"),  # periods are half-open: the new holder from day one
        (D(2026, 6, 1), "ph"),
        (D(2031, 1, 1), "ph"),  # an open-ended holding lasts
    ],
)
def test_role_resolves_to_its_holder_on_a_date(asean_chair, day, holder):
    assert asean_chair.holder_on(day).slug == holder


def test_role_has_no_holder_before_the_first_period(asean_chair):
    assert asean_chair.holder_on(D(2023, 12, 31)) is None


def test_overlapping_holders_of_one_role_are_refused_by_the_database(asean_chair):
    intruder = TargetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleHolding.objects.create(
            role=asean_chair, holder=intruder, starts_on=D(2025, 6, 1), ends_on=D(2025, 7, 1)
        )


def test_open_ended_holding_overlaps_everything_after_it(asean_chair):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleHolding.objects.create(
            role=asean_chair, holder=TargetFactory(), starts_on=D(2030, 1, 1), ends_on=None
        )


def test_an_update_into_an_overlap_is_refused_too(asean_chair):
    holding = asean_chair.holdings.get(holder__slug="laos")
    holding.ends_on = D(2025, 2, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        holding.save()


def test_adjacent_periods_and_other_roles_do_not_conflict(asean_chair):
    other_role = RoleFactory()
    RoleHolding.objects.create(
        role=other_role, holder=TargetFactory(), starts_on=D(2025, 6, 1), ends_on=None
    )
    assert RoleHolding.objects.count() == 4


def test_holding_must_end_after_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleHoldingFactory(starts_on=D(2025, 1, 1), ends_on=D(2025, 1, 1))


def test_service_refuses_an_overlap_with_a_clear_message(asean_chair):
    with pytest.raises(RuleBroken, match="overlap"):
        role_holding_add(role=asean_chair, holder=TargetFactory(), starts_on=D(2025, 3, 1))
    assert asean_chair.holdings.count() == 3
