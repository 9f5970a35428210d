"""Titles test helpers: a seeded standard, an open cycle, and an application walked to any state."""

from datetime import date, timedelta

from django.utils import timezone

from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus, TitleLevel
from fangxin.campaign.titles.models import Standard
from fangxin.campaign.titles.seed import seed_standards
from fangxin.core.actors import Actor

SYSTEM = Actor.system("test")


def open_cycle(year: int | None = None, **overrides):
    today = timezone.localdate()
    values = dict(year=year or today.year, applications_open=today - timedelta(days=10),
                  applications_close=today + timedelta(days=30), county_review_by=today + timedelta(days=60),
                  city_review_by=today + timedelta(days=90), region_review_by=today + timedelta(days=120))
    values.update(overrides)
    return services.cycle_open(actor=SYSTEM, **values)


def full_marks(standard: Standard, share: float = 0.95) -> dict:
    return {str(i.seq): str(round(float(i.points) * share, 1)) for i in standard.items.all() if i.kind != "veto"}


def standard_for(entity, level=TitleLevel.COUNTY) -> Standard:
    seed_standards(actor=SYSTEM)
    return Standard.objects.get(sector=entity.sector, level=level, status="published")


def make_application(entity, *, level=TitleLevel.COUNTY, enroll=True, actor=SYSTEM):
    if enroll:
        make_enrollment(entity)
    standard = standard_for(entity, level)
    return services.application_submit(actor=actor, entity=entity, level=level, self_scores=full_marks(standard),
                                       statement="自评材料齐全")


def sign_both(application, lead_user, association_user, *, share=0.95, decision="approve"):
    for user in (lead_user, association_user):
        services.review_sign(actor=Actor.for_user(user), application=application,
                             scores=full_marks(application.standard, share), decision=decision, opinion="同意推荐")
    application.refresh_from_db()
    return application


def award(application, office_user):
    publicity = services.publicity_open(actor=Actor.for_user(office_user), cycle=application.cycle,
                                        level=application.level, region=application.region)
    publicity.__class__.objects.filter(pk=publicity.pk).update(
        starts_on=date(2000, 1, 3), ends_on=timezone.localdate() - timedelta(days=1))
    publicity.refresh_from_db()
    titles = services.publicity_award(actor=Actor.for_user(office_user), publicity=publicity)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED
    return titles[0]
