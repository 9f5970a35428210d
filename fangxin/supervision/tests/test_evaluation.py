"""The evaluation formula (properties of normalisation, weighting and ranking), measuring from the records,
the schemes (weights sum to 100, locked once published) and the frozen ranking."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangxin.alerts.tests.factories import add_complaints
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.organisation.models import Region
from fangxin.supervision import evaluation, selectors, services
from fangxin.supervision.choices import DEFAULT_INDICATORS, Indicator
from fangxin.supervision.evaluation import Row, normalise, rank, weighted_score

from .factories import make_task

SYSTEM = Actor.system("test")
shares = st.floats(min_value=0, max_value=1, allow_nan=False)
targets = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1"), places=2)
scores = st.decimals(min_value=0, max_value=100, places=2)


@given(value=shares, other=shares, target=targets)
def test_normalise_is_bounded_monotone_and_full_at_target(value, other, target):
    s = normalise(value, target)
    assert Decimal(0) <= s <= Decimal(100)
    low, high = sorted([value, other])
    assert normalise(low, target) <= normalise(high, target)
    assert normalise(float(target), target) == Decimal("100.00")
    assert normalise(None, target) is None


@given(parts=st.lists(st.tuples(st.integers(0, 100), st.one_of(st.none(), scores)), min_size=1, max_size=8),
       factor=st.integers(1, 5))
def test_weighted_score_is_a_weighted_mean_ignoring_missing(parts, factor):
    total = weighted_score(parts)
    counted = [s for w, s in parts if s is not None and w > 0]
    if not counted:
        assert total == Decimal("0.00")
        return
    assert min(counted) - Decimal("0.01") <= total <= max(counted) + Decimal("0.01")
    assert weighted_score([(w * factor, s) for w, s in parts]) == total  # only relative weights matter
    assert weighted_score([*parts, (50, None)]) == total  # an indicator without data changes nothing


@given(values=st.lists(st.decimals(min_value=0, max_value=100, places=0), min_size=1, max_size=12),
       seed=st.integers(0, 1000))
def test_ranking_is_ordered_stable_and_shares_ties(values, seed):
    rows = [Row(region_id=i, county_code=f"1508{i:02d}", county=f"县{i}", score=v) for i, v in enumerate(values)]
    ranked = rank(list(rows))
    assert [r.score for r in ranked] == sorted(values, reverse=True)
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    assert [(r.county_code, r.rank) for r in rank(shuffled)] == [(r.county_code, r.rank) for r in ranked]
    assert [r.county_code for r in ranked] == [r.county_code for r in sorted(rows, key=lambda r: (-r.score,
                                                                                                  r.county_code))]
    for row in ranked:
        assert row.rank == 1 + sum(1 for v in values if v > row.score)  # ties share a rank: 1, 1, 3


def test_default_weights_sum_to_100():
    assert sum(w for _, w, _ in DEFAULT_INDICATORS) == 100
    assert {c for c, _, _ in DEFAULT_INDICATORS} == set(Indicator.values)


def test_check_weights_requires_100_points_and_valid_targets():
    rows = {code: (weight, target) for code, weight, target in DEFAULT_INDICATORS}
    assert sum(w for w, _ in services.check_weights(rows).values()) == 100
    with pytest.raises(ValidationFailed, match="权重之和应为 100 分，现为 105 分"):
        services.check_weights({**rows, Indicator.TIMELINESS: (15, "1")})
    with pytest.raises(ValidationFailed, match="目标值"):
        services.check_weights({**rows, Indicator.TIMELINESS: (10, "1.5")})
    with pytest.raises(ValidationFailed, match="未知"):
        services.check_weights({**rows, "bogus": (0, "1")})


@pytest.mark.django_db
def test_measure_counts_coverage_complaints_tasks_and_warnings(users, entities):
    today = timezone.localdate()
    linhe = Region.objects.get(code="150802")
    make_enrollment(entities["a_food"])
    add_complaints(entities["a_food"], {0: 2})
    task = make_task(counties=("150802", "150821"), days=0)
    services.assignment_submit(actor=SYSTEM, assignment=task.assignments.get(region=linhe), note="完成")
    services.assignment_confirm(actor=SYSTEM, assignment=task.assignments.get(region=linhe))
    measured = evaluation.measure(linhe, today.year, today=today)
    assert measured[Indicator.ENROLLMENT_COVERAGE] == (1, 2)  # a_food of a_food and a_ecommerce
    assert measured[Indicator.TASKS_ON_TIME] == (1, 1)
    assert measured[Indicator.TIMELINESS][1] == 2
    assert measured[Indicator.WARNINGS_CLOSED] == (0, 0)
    wuyuan = evaluation.measure(Region.objects.get(code="150821"), today.year, today=today)
    assert wuyuan[Indicator.TASKS_ON_TIME] == (0, 1) and wuyuan[Indicator.ENROLLMENT_COVERAGE] == (0, 2)
    rows = selectors.ranking(today.year, today=today)
    by_code = {r.county_code: r for r in rows}
    assert by_code["150802"].score > by_code["150821"].score
    assert rows[0].rank == 1 and [r.rank for r in rows] == sorted(r.rank for r in rows)
    part = {p.code: p for p in by_code["150821"].parts}
    assert part[Indicator.TASKS_ON_TIME].score == Decimal("0.00")
    assert part[Indicator.HANDLING_RATE].score is None  # no complaint in 五原县: left out of the mean


@pytest.mark.django_db
def test_scheme_update_is_office_only_versioned_and_locked_after_publication(users, entities):
    year = timezone.localdate().year
    office = Actor.for_user(users["office"])
    scheme = services.scheme_ensure(actor=office, year=year)
    assert scheme.version == 1 and scheme.indicators.count() == len(DEFAULT_INDICATORS)
    rows = {code: (0, "1") for code, _, _ in DEFAULT_INDICATORS}
    rows[Indicator.TASKS_ON_TIME] = (100, "1")
    with pytest.raises(PermissionDenied):
        services.scheme_update(actor=Actor.for_user(users["county_a"]), scheme=scheme, rows=rows)
    scheme = services.scheme_update(actor=office, scheme=scheme, rows=rows)
    assert scheme.version == 2 and [i.code for i in scheme.indicators.all()] == [Indicator.TASKS_ON_TIME]
    task = make_task(counties=("150802",), days=0)
    services.assignment_submit(actor=SYSTEM, assignment=task.assignments.get(), note="完成")
    services.assignment_confirm(actor=SYSTEM, assignment=task.assignments.get())
    services.scheme_publish(actor=office, scheme=scheme)
    frozen = [(r.county_code, r.score, r.rank) for r in selectors.ranking(year)]
    assert frozen[0] == ("150802", Decimal("100.00"), 1)
    make_task(counties=("150802",), days=0, title="另一项")  # new records do not move a published ranking
    assert [(r.county_code, r.score, r.rank) for r in selectors.ranking(year, today=timezone.localdate()
                                                                         + timedelta(days=1))] == frozen
    with pytest.raises(Conflict):
        services.scheme_update(actor=office, scheme=scheme, rows=rows)
    with pytest.raises(Conflict):
        services.scheme_publish(actor=office, scheme=scheme)
    next_year = services.scheme_ensure(actor=office, year=year + 1)
    assert [(i.code, i.weight) for i in next_year.indicators.all()] == [(Indicator.TASKS_ON_TIME, 100)]
