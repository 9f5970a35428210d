"""The titles demo: a finished year with titles at every level, an open year with applications in every state,
an upheld objection and a revocation; consistent with the services, fast and idempotent."""

import random
import time
from io import StringIO

import pytest
from django.utils import timezone

from fangxin.campaign.choices import BadgeStatus
from fangxin.campaign.models import Enrollment
from fangxin.campaign.services import badge_check
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import demo, services
from fangxin.campaign.titles.choices import ApplicationStatus, CycleStatus, TitleLevel
from fangxin.campaign.titles.flows import APPLICATION_FLOW
from fangxin.campaign.titles.models import (
    Announcement,
    Application,
    Cycle,
    ManagementCase,
    Objection,
    OutgoingCreditEvent,
    Title,
)
from fangxin.campaign.titles.tests.helpers import rows
from fangxin.core import audit
from fangxin.core.actors import Actor

# the units the demo looks for: county → {sector: how many}
WANTED = {"150802": {"food_drug": 4, "ecommerce": 1}, "150821": {"food_drug": 4, "tourism": 1},
          "150822": {"food_drug": 2}, "150823": {"food_drug": 7}, "150824": {"food_drug": 2},
          "150825": {"ecommerce": 1}, "150826": {"food_drug": 2}}


@pytest.fixture
def demo_world(reference):
    from fangxin.accounts import demo as accounts_demo
    from fangxin.merchants.tests.factories import make_entity

    actor = Actor.system("demo")
    first = make_entity(county="150802", sector="ecommerce", name="临河区瑞丰电视购物")  # the demo merchant's
    for county, sectors in WANTED.items():
        for sector, count in sectors.items():
            for n in range(count):
                make_enrollment(make_entity(county=county, sector=sector, name=f"演示{county}{sector}{n}"))
    accounts_demo.load(rng=random.Random("a"), actor=actor)
    assert first.bindings.filter(user__username="shangjia").exists()
    return actor


def test_the_demo_fills_both_years_and_runs_once(demo_world):
    out = StringIO()
    started = time.monotonic()
    made = demo.load(rng=random.Random("t"), actor=demo_world, stdout=out)
    assert time.monotonic() - started < 30
    assert made == Application.objects.count() > 20 and "演示示范单位" in out.getvalue()
    year = timezone.localdate().year
    finished, current = Cycle.objects.get(year=year - 1), Cycle.objects.get(year=year)
    assert finished.status == CycleStatus.CLOSED and current.status == CycleStatus.OPEN
    assert finished.region_review_by.year == year - 1 and finished.closed_at.year == year - 1

    # last year: titles at all three levels, county titles in several counties and sectors, dated last year
    titles = Title.objects.filter(year=year - 1)
    assert set(titles.values_list("level", flat=True)) == set(TitleLevel.values)
    county = titles.filter(level=TitleLevel.COUNTY)
    assert county.values("region").distinct().count() >= 4
    assert county.values("entity__sector").distinct().count() >= 3
    assert all(t.awarded_on.year == year - 1 and t.certificate_no.startswith(f"FXSF{year - 1}") for t in titles)
    assert len(set(titles.values_list("certificate_no", flat=True))) == titles.count()

    # this year: every state of the flow (revoked: last year's title taken away this year)
    statuses = set(Application.objects.filter(cycle=current).values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values) - {ApplicationStatus.REVOKED}
    assert Application.objects.filter(status=ApplicationStatus.REVOKED).exists()
    reviewing = Application.objects.filter(cycle=current, status=ApplicationStatus.REVIEWING)
    assert all(a.reviews.count() == 1 for a in reviewing)
    assert {a.reviews.get().role for a in reviewing} == {"lead_department", "association"}
    assert Objection.objects.filter(application__cycle=current, status="pending").exists()
    removed = Application.objects.get(cycle=current, status=ApplicationStatus.REMOVED)
    assert removed.objections.get().status == "upheld"

    # the revocation: badge revoked at once, announced, queued for the credit platform; one more case waits
    revoked = Title.objects.get(status="revoked")
    enrollment = Enrollment.objects.filter(entity=revoked.entity).get()
    assert badge_check(enrollment.badge_token).verdict == BadgeStatus.REVOKED
    assert Announcement.objects.filter(entity=revoked.entity).count() == 2
    assert OutgoingCreditEvent.objects.filter(entity=revoked.entity).count() == 2
    assert OutgoingCreditEvent.objects.filter(entity=revoked.entity, delivered_at__isnull=True).count() == 1
    assert revoked.entity.credit_events.filter(source_ref=f"title:{revoked.pk}:revoke").exists()
    assert ManagementCase.objects.filter(status="open").count() == 1

    # consistent with the services: timelines in order, ending where the application is; audit chain intact
    for application in Application.objects.all():
        events = list(application.events.order_by("id"))
        assert [e.at for e in events] == sorted(e.at for e in events), application
        moves = [(e.from_status, e.to_status) for e in events if e.to_status]
        assert moves[0] == ("", ApplicationStatus.SUBMITTED) and moves[-1][1] == application.status
        assert all(APPLICATION_FLOW.can(a, b) for a, b in moves[1:])
    assert audit.verify().ok

    # the demo merchant holds last year's county title and may apply at city level now
    merchant = Actor.for_user(Enrollment.objects.get(entity__name="临河区瑞丰电视购物").entity.bindings.get().user)
    shop = Enrollment.objects.get(entity__name="临河区瑞丰电视购物").entity
    assert Title.objects.filter(entity=shop, level=TitleLevel.COUNTY, year=year - 1, status="valid").exists()

    before = rows()
    assert demo.load(rng=random.Random("t"), actor=demo_world, stdout=StringIO()) == 0
    assert rows() == before

    standard = shop.sector.standards.get(level=TitleLevel.CITY, status="published")
    application = services.application_submit(
        actor=merchant, entity=shop, level=TitleLevel.CITY,
        self_scores={str(i.seq): str(i.points) for i in standard.items.all() if i.kind == "scored"})
    assert application.status == ApplicationStatus.SUBMITTED
