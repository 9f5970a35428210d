"""The demo step: declarations, planted complaints, warnings from today's scan; a second run adds nothing."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from fangxin.alerts import demo
from fangxin.alerts.choices import WarningKind, WarningStatus
from fangxin.alerts.models import PrepaidScheme, Warning
from fangxin.complaints.models import Complaint
from fangxin.core.actors import Actor
from fangxin.merchants.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def test_demo_plants_surges_and_is_idempotent(entities):
    gym = make_entity(county="150821", sector="beauty_fitness", name="五原县力健健身会所")
    make_entity(county="150802", sector="education", name="临河区启航培训学校")
    tours = [make_entity(county="150821", sector="tourism", name=f"五原县旅行社{i}") for i in range(6)]
    actor = Actor.system("demo")
    created = demo.load(rng=random.Random(1), actor=actor)
    kinds = set(Warning.objects.values_list("kind", flat=True))
    assert {WarningKind.MASS_INCIDENT, WarningKind.ENTITY_SURGE, WarningKind.PREPAID_RISK,
            WarningKind.GROUP_SURGE} <= kinds
    today = timezone.localdate()
    assert created == Warning.objects.filter(detected_on=today).count()
    # the weekly history before today: handled and closed, dated within days of their detection
    history = Warning.objects.exclude(detected_on=today)
    assert history.exists() and set(history.values_list("status", flat=True)) == {WarningStatus.CLOSED}
    assert all(w.detected_on <= timezone.localtime(w.closed_at).date() <= w.detected_on + timedelta(days=15)
               for w in history)
    assert Warning.objects.get(kind=WarningKind.MASS_INCIDENT, detected_on=today).entity == entities["a_food"]
    assert Warning.objects.get(kind=WarningKind.PREPAID_RISK, detected_on=today).entity == gym
    assert Warning.objects.get(kind=WarningKind.GROUP_SURGE, detected_on=today).sector == tours[0].sector
    assert Warning.objects.filter(status=WarningStatus.ACKNOWLEDGED).count() == 1
    assert PrepaidScheme.objects.get(entity=gym).custody == "none"
    planted = Complaint.objects.filter(external_ref__startswith=demo.DEMO_REF).count()
    assert planted == 6 + 3 + 12
    declared = PrepaidScheme.objects.count()
    assert declared >= 1
    assert demo.load(rng=random.Random(2), actor=actor) == 0
    assert PrepaidScheme.objects.count() == declared
    assert Complaint.objects.filter(external_ref__startswith=demo.DEMO_REF).count() == planted
    assert Warning.objects.filter(detected_on=today).count() == created
