"""Demo demonstration titles: the default standards, one finished year (last year: titles at county, city and
region level, with certificates) and one open year (this year: applications in every state, an objection
pending and one upheld, a revocation through dynamic management and a case waiting in the queue).

Everything goes through the real services, so the timeline, the audit chain, certificate numbers, titles and
announcements are what they would be. The services only act "today"; the finished year is therefore walked
with its cycle open around today and then dated back through the ORM (cycle dates, timeline times, review
signatures, publicity periods, award dates), as if it had happened last year. The open year's awarded county
list is dated back in the same way so that its publicity period has ended. Audit records keep the time they
were written. Idempotent: a year that exists is left alone. Reviewers: the demo users shiyaojian (市食药监局,
leads food_drug) and xiaoxie (市消费者协会), one account per other lead department ("lead_<department>") and two
region-level accounts ("region_<department>") for the region-level review.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from fangxin.accounts.choices import Role
from fangxin.accounts.models import MerchantBinding, User
from fangxin.accounts.services import user_create
from fangxin.core.actors import Actor
from fangxin.core.workdays import WorkCalendar
from fangxin.credit.models import ListEntry
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Department, Region

from ..choices import EnrollmentStatus
from ..models import Enrollment
from . import services
from .choices import ApplicationStatus, ItemKind, TitleLevel
from .models import (
    Application,
    ApplicationEvent,
    Cycle,
    ManagementCase,
    Objection,
    Publicity,
    Review,
    Standard,
    Title,
)
from .seed import seed_standards

CITY, REGION = "150800", "150000"
ASSOCIATION_USER = "xiaoxie"
OFFICE_USER = "lianxi"
LEAD_USERS = {"fda": "shiyaojian"}  # other lead departments get "lead_<code>"
COUNTY_STAFF = {"150802": "linhe", "150821": "wuyuan"}
OPINIONS = ["材料齐全，现场核查情况与自评一致，同意推荐。", "制度健全、台账规范，消费投诉处理及时，同意。",
            "明码标价、索证索票落实到位，个别台账需完善，同意推荐。", "现场核查基本符合标准，建议加强应急演练。"]
WEAK_OPINION = "现场核查发现进货台账缺失、价签不全，未达到合格分，不同意推荐。"
OBJECTIONS = [
    ("刘女士", "13947810021", "该店上个月销售过期酸奶，我有购物小票和照片。"),
    ("王先生", "13847810032", "店内促销“原价”标注不实，先涨价后打折。"),
    ("匿名消费者", "15147810043", "服务态度差，退货要求被拒。"),
]


def load(*, rng, actor, stdout=None) -> int:
    """Seed the standards, then last year and this year (each once). Returns the applications created."""
    seeded = seed_standards(actor=actor)
    today = timezone.localdate()
    made = 0
    if not Cycle.objects.filter(year=today.year - 1).exists() and services.open_cycle() is None:
        with transaction.atomic():
            made += Demo(rng, actor, today).finished_year(today.year - 1)
    if not Cycle.objects.filter(year=today.year).exists() and services.open_cycle() is None:
        with transaction.atomic():
            made += Demo(rng, actor, today).open_year(today.year)
    if stdout is not None and (made or seeded):
        stdout.write(f"演示示范单位：评价标准 {seeded} 份，申报 {made} 份（上一年度已办结，本年度各状态齐全）")
    return made


class Demo:
    def __init__(self, rng, actor, today: date):
        self.rng, self.actor, self.today = rng, actor, today
        self.calendar = WorkCalendar.load()
        self.office = self._user(OFFICE_USER)
        self.used: set[int] = set(Application.objects.values_list("entity_id", flat=True))
        self.used |= set(ListEntry.objects.current().values_list("entity_id", flat=True))

    # --- people -----------------------------------------------------------------------------------------------

    def _user(self, username: str) -> User | None:
        return User.objects.filter(username=username).first()

    def _account(self, username: str, role: str, region_code: str, department: Department, name: str) -> User:
        from fangxin.accounts.demo import DEMO_PASSWORD

        user = self._user(username)
        if user is None:
            user = user_create(actor=self.actor, username=username, password=DEMO_PASSWORD, role=role,
                               full_name=name, region=Region.objects.get(code=region_code), department=department)
        return user

    def lead(self, entity, region_code: str = CITY) -> User:
        department = entity.sector.lead_departments.order_by("id").first()
        if region_code == REGION:
            return self._account(f"region_{department.code}", Role.DEPARTMENT_STAFF, REGION, department,
                                 f"自治区{department.name.removeprefix('市')}评审员")
        username = LEAD_USERS.get(department.code) or f"lead_{department.code}"
        return self._user(username) or self._account(username, Role.DEPARTMENT_STAFF, CITY, department,
                                                     f"{department.name} 评审员")

    def association_for(self, region_code: str) -> User:
        if region_code == REGION:
            return self._account("region_cca", Role.CONSUMER_ASSOCIATION, REGION, Department.objects.get(code="cca"),
                                 "自治区消费者协会 评审员")
        return self._account(ASSOCIATION_USER, Role.CONSUMER_ASSOCIATION, CITY, Department.objects.get(code="cca"),
                             "市消费者协会 刘芳")

    def publisher(self, region_code: str) -> Actor:
        if region_code == REGION:
            return Actor.for_user(self.association_for(REGION))
        return Actor.for_user(self.office) if self.office else self.actor

    def applicant(self, entity) -> Actor:
        binding = MerchantBinding.objects.filter(entity=entity, status="confirmed", user__username="shangjia").first()
        if binding is not None:
            return Actor.for_user(binding.user)
        staff = self._user(COUNTY_STAFF.get(entity.region.code, ""))
        return Actor.for_user(staff) if staff else self.actor

    # --- picking units ----------------------------------------------------------------------------------------

    def units(self, county: str, sector: str, n: int) -> list[MarketEntity]:
        """n active enrolled units of a county and sector not used elsewhere in the demo (fewer if there are not)."""
        rows = list(MarketEntity.objects.filter(
            region__code=county, sector__code=sector, enrollments__status=EnrollmentStatus.ACTIVE,
        ).exclude(pk__in=self.used).select_related("region", "sector").order_by("uscc")[:n])
        self.used |= {e.pk for e in rows}
        return rows

    def shangjia_unit(self) -> MarketEntity | None:
        """The demo merchant's business, enrolled (as the complaints demo already does) when it is not yet."""
        from fangxin.campaign.services import enrollment_create
        from fangxin.core.exceptions import FangxinError
        from fangxin.organisation.selectors import current_commitment

        binding = (MerchantBinding.objects.filter(user__username="shangjia", status="confirmed")
                   .select_related("entity__region", "entity__sector").first())
        if binding is None or binding.entity_id in self.used:
            return None
        entity = binding.entity
        if not Enrollment.objects.filter(entity=entity, status=EnrollmentStatus.ACTIVE).exists():
            try:
                enrollment_create(actor=self.actor, entity=entity, commitment_version=current_commitment().version,
                                  specific_codes=[], display_method="in_store",
                                  signed_name=entity.legal_representative or "经营者", agreed=True)
            except FangxinError:
                return None
        self.used.add(entity.pk)
        return entity

    # --- steps through the services ---------------------------------------------------------------------------

    def scores(self, standard: Standard, low: float, high: float) -> dict:
        share = self.rng.uniform(low, high)
        return {str(i.seq): str(round(float(i.points) * share, 1)) for i in standard.items.all()
                if i.kind == ItemKind.SCORED}

    def submit(self, entity, level=TitleLevel.COUNTY) -> Application:
        standard = Standard.objects.get(sector=entity.sector, level=level, status="published")
        return services.application_submit(
            actor=self.applicant(entity), entity=entity, level=level, self_scores=self.scores(standard, 0.9, 0.99),
            statement=f"{entity.name}对照《{standard.title}》逐项自评，各项制度和台账齐全，申请{TitleLevel(level).label}"
                      "放心消费示范单位。")

    def sign(self, application, *, who=("lead", "association"), good=True) -> Application:
        region_code = application.region.code if application.level != TitleLevel.COUNTY else CITY
        low, high = (0.92, 0.99) if good else (0.55, 0.7)
        for side in who:
            user = self.lead(application.entity, region_code) if side == "lead" else self.association_for(region_code)
            services.review_sign(actor=Actor.for_user(user), application=application,
                                 scores=self.scores(application.standard, low, high),
                                 decision="approve" if good else "reject",
                                 opinion=self.rng.choice(OPINIONS) if good else WEAK_OPINION,
                                 comments={} if good else {"1": "未提供安全检查记录"})
        application.refresh_from_db()
        return application

    def passed(self, entity, level=TitleLevel.COUNTY) -> Application:
        application = self.sign(self.submit(entity, level))
        assert application.status == ApplicationStatus.PASSED, application.events.last().note
        return application

    def publish(self, cycle, level, region) -> Publicity:
        return services.publicity_open(actor=self.publisher(region.code), cycle=cycle, level=level, region=region)

    def object(self, application, n: int) -> Objection:
        name, phone, content = OBJECTIONS[n % len(OBJECTIONS)]
        return services.objection_file(actor=Actor(user=None, name="公众", role="public"), application=application,
                                       name=name, contact_phone=phone, content=content)

    def answer(self, objection, *, upheld: bool, region_code: str) -> None:
        text = ("经核查，异议反映的问题属实，取消该单位候选资格。" if upheld
                else "经现场核查和调阅台账，异议反映的问题不属实，维持候选资格。")
        services.objection_answer(actor=self.publisher(region_code), objection=objection, upheld=upheld, answer=text)

    def end_period(self, publicity, starts_on: date) -> Publicity:
        """Date the publicity back so that its period has ended (the services publish from today only)."""
        starts_on = self.workday(starts_on)
        ends_on = self.calendar.add_workdays(starts_on - timedelta(days=1), publicity.cycle.publicity_workdays).due
        Publicity.objects.filter(pk=publicity.pk).update(starts_on=starts_on, ends_on=ends_on,
                                                         created_at=self.at(starts_on, 9))
        publicity.refresh_from_db()
        return publicity

    def award(self, publicity) -> list[Title]:
        return services.publicity_award(actor=self.publisher(publicity.region.code), publicity=publicity)

    # --- dates --------------------------------------------------------------------------------------------------

    def workday(self, day: date) -> date:
        while not self.calendar.is_workday(day):
            day += timedelta(days=1)
        return day

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def backdate(self, applications, *, submitted: date, reviewed: date, publicity: Publicity | None = None):
        """Move the timeline of these applications to the given days, in the order the services wrote it."""
        for application in applications:
            submit_day = self.workday(submitted + timedelta(days=self.rng.randint(0, 12)))
            review_day = self.workday(max(reviewed + timedelta(days=self.rng.randint(0, 8)), submit_day))
            second_day = self.workday(review_day + timedelta(days=self.rng.randint(1, 4)))
            when = {"submit": self.at(submit_day, 9, self.rng.randint(0, 59)),
                    "withdraw": self.at(review_day, 10)}
            if publicity is not None:
                when.update({"publicity": self.at(publicity.starts_on, 9), "objection": self.at(publicity.starts_on, 15),
                             "objection_answer": self.at(publicity.ends_on, 11), "remove": self.at(publicity.ends_on, 11),
                             "award": self.at(self.workday(publicity.ends_on + timedelta(days=1)), 10)})
            signed = [self.at(day, 15, self.rng.randint(0, 44)) for day in (review_day, second_day)]
            for review, stamp in zip(Review.objects.filter(application=application).order_by("signed_at", "id"),
                                     signed, strict=False):
                Review.objects.filter(pk=review.pk).update(signed_at=stamp)
            when["conclude"] = signed[1] + timedelta(minutes=1)
            reviews_seen = 0
            for event in ApplicationEvent.objects.filter(application=application).order_by("at", "id"):
                if event.action == "review":  # the timeline entry of each sign-off, at its signature
                    stamp, reviews_seen = signed[min(reviews_seen, 1)], reviews_seen + 1
                else:
                    stamp = when.get(event.action)
                if stamp is not None:
                    ApplicationEvent.objects.filter(pk=event.pk).update(at=stamp)
            fields = {"created_at": when["submit"]}
            if application.decided_on:
                fields["decided_on"] = second_day
            Application.objects.filter(pk=application.pk).update(**fields)
            if publicity is not None:
                Objection.objects.filter(application=application).update(
                    created_at=when["objection"], answered_at=when["objection_answer"])
            if "award" in when:
                Title.objects.filter(application=application).update(awarded_on=when["award"].date(),
                                                                     created_at=when["award"])
        if publicity is not None and publicity.closed_at is not None:
            award_day = self.workday(publicity.ends_on + timedelta(days=1))
            Publicity.objects.filter(pk=publicity.pk).update(closed_at=self.at(award_day, 10))

    # --- the finished year --------------------------------------------------------------------------------------

    def finished_year(self, year: int) -> int:
        """Walked with the cycle open around today, then dated back to `year` and closed."""
        today = self.today
        cycle = services.cycle_open(actor=self.actor, year=year, applications_open=today - timedelta(days=1),
                                    applications_close=today + timedelta(days=30),
                                    county_review_by=today + timedelta(days=60),
                                    city_review_by=today + timedelta(days=90),
                                    region_review_by=today + timedelta(days=120))
        county_units = [u for u in [self.shangjia_unit()] if u]
        for county in ("150802", "150821", "150824", "150826"):
            county_units += self.units(county, "food_drug", 2)
        county_units += self.units("150802", "ecommerce", 1) + self.units("150825", "ecommerce", 1)
        county_units += self.units("150821", "tourism", 1)
        failed_units = self.units("150823", "food_drug", 1)
        made = 0

        # county level, one publicity per county, one objection answered (not upheld)
        by_county: dict[str, list[Application]] = {}
        for entity in county_units:
            by_county.setdefault(entity.region.code, []).append(self.passed(entity))
        for entity in failed_units:
            by_county.setdefault("failed", []).append(self.sign(self.submit(entity), good=False))
        made += sum(len(rows) for rows in by_county.values())
        county_publicities = []
        for code, applications in by_county.items():
            if code == "failed":
                continue
            publicity = self.publish(cycle, TitleLevel.COUNTY, applications[0].region)
            if code == "150821":
                self.answer(self.object(applications[0], 2), upheld=False, region_code=code)
            county_publicities.append((self.end_period(publicity, date(year, 7, 1)), applications))
            self.award(publicity)

        # city level: three food units with county titles; region level: two of them
        holders = [a.entity for code, rows in by_county.items() if code != "failed" for a in rows
                   if a.entity.sector.code == "food_drug"]
        city_units = [holders[i] for i in (0, 2, 4) if i < len(holders)]
        city = [self.passed(entity, TitleLevel.CITY) for entity in city_units]
        made += len(city)
        city_publicity = None
        if city:
            city_publicity = self.end_period(self.publish(cycle, TitleLevel.CITY, city[0].region), date(year, 9, 7))
            self.award(city_publicity)
        region = [self.passed(entity, TitleLevel.REGION) for entity in city_units[:2]]
        made += len(region)
        region_publicity = None
        if region:
            region_publicity = self.end_period(self.publish(cycle, TitleLevel.REGION, region[0].region),
                                               date(year, 11, 9))
            self.award(region_publicity)

        # dated back: the year as it happened
        for publicity, applications in county_publicities:
            publicity.refresh_from_db()
            self.backdate(applications, submitted=date(year, 4, 7), reviewed=date(year, 6, 2), publicity=publicity)
        self.backdate(by_county.get("failed", []), submitted=date(year, 4, 14), reviewed=date(year, 6, 9))
        for applications, publicity, submitted, reviewed in ((city, city_publicity, date(year, 7, 20),
                                                              date(year, 8, 17)),
                                                             (region, region_publicity, date(year, 9, 21),
                                                              date(year, 10, 19))):
            if publicity is not None:
                publicity.refresh_from_db()
                self.backdate(applications, submitted=submitted, reviewed=reviewed, publicity=publicity)
        services.cycle_close(actor=self.actor, cycle=cycle)
        Cycle.objects.filter(pk=cycle.pk).update(
            applications_open=date(year, 3, 1), applications_close=date(year, 5, 31),
            county_review_by=date(year, 7, 31), city_review_by=date(year, 9, 30), region_review_by=date(year, 11, 30),
            created_at=self.at(date(year, 2, 26), 10), closed_at=self.at(date(year, 12, 18), 17))
        return made

    # --- the open year ------------------------------------------------------------------------------------------

    def open_year(self, year: int) -> int:
        today = self.today
        opens = max(date(year, 1, 1), today - timedelta(days=60))
        cycle = services.cycle_open(actor=Actor.for_user(self.office) if self.office else self.actor, year=year,
                                    applications_open=opens, applications_close=today + timedelta(days=21),
                                    county_review_by=today + timedelta(days=45),
                                    city_review_by=today + timedelta(days=75),
                                    region_review_by=today + timedelta(days=105),
                                    quotas={"county:150802": 30, "county:150821": 30})
        made = 0
        # 五原县: reviewed, published, one objection dismissed, period over, awarded
        awarded = [self.passed(e) for e in self.units("150821", "food_drug", 2)]
        if awarded:
            publicity = self.publish(cycle, TitleLevel.COUNTY, awarded[0].region)
            self.answer(self.object(awarded[0], 1), upheld=False, region_code="150821")
            publicity = self.end_period(publicity, today - timedelta(days=20))
            self.award(publicity)
            publicity.refresh_from_db()
            self.backdate(awarded, submitted=today - timedelta(days=55), reviewed=today - timedelta(days=40),
                          publicity=publicity)
        # 临河区: in publicity now: one with a pending objection, one removed after an upheld objection, one clean
        listed = [self.passed(e) for e in self.units("150802", "food_drug", 3)]
        if listed:
            publicity = self.publish(cycle, TitleLevel.COUNTY, listed[0].region)
            self.object(listed[0], 0)
            if len(listed) > 1:
                self.answer(self.object(listed[1], 1), upheld=True, region_code="150802")
        # 磴口县: passed, waiting for the publicity
        waiting = [self.passed(e) for e in self.units("150822", "food_drug", 2)]
        # 乌拉特前旗: submitted; one sign-off each way; failed; withdrawn
        units = self.units("150823", "food_drug", 6)
        submitted = [self.submit(e) for e in units[:2]]
        reviewing = [self.sign(self.submit(e), who=(side,)) for e, side in zip(units[2:4], ("lead", "association"),
                                                                                strict=False)]
        failed = [self.sign(self.submit(e), good=False) for e in units[4:5]]
        withdrawn = []
        for entity in units[5:6]:
            application = self.submit(entity)
            withdrawn.append(services.application_withdraw(actor=self.applicant(entity), application=application,
                                                           reason="经营场所装修，明年再申报"))
        made += len(awarded) + len(listed) + len(waiting) + len(submitted) + len(reviewing) + len(failed)
        made += len(withdrawn)
        self.backdate(listed + waiting + submitted + reviewing + failed + withdrawn,
                      submitted=today - timedelta(days=45), reviewed=today - timedelta(days=20))
        # city level: last year's county holders (not the demo merchant, who may still apply)
        holders = list(Title.objects.filter(year=year - 1, level=TitleLevel.COUNTY, status="valid",
                                            entity__sector__code="food_drug")
                       .exclude(entity__titles__level=TitleLevel.CITY)
                       .exclude(entity__bindings__user__username="shangjia")
                       .select_related("entity__region", "entity__sector").order_by("certificate_no"))
        city = []
        if holders:
            city.append(self.submit(holders[0].entity, TitleLevel.CITY))
        if len(holders) > 1:
            city.append(self.passed(holders[1].entity, TitleLevel.CITY))
        made += len(city)
        self.backdate(city, submitted=today - timedelta(days=35), reviewed=today - timedelta(days=20))
        # dynamic management: a serious-list entry revokes a title and the enrollment; an abnormal-list entry waits
        self.manage(holders[2:], year)
        return made

    def manage(self, holders: list[Title], year: int) -> None:
        from fangxin.credit.services import list_enter

        if holders:
            entity = holders[0].entity
            entry = list_enter(actor=self.actor, entity=entity, kind="serious", reason_code="SW-3",
                               reason="销售不符合食品安全标准的食品，情节严重",
                               authority="巴彦淖尔市市场监督管理局", document_number=f"巴市监严〔{year}〕7号",
                               entered_on=self.today - timedelta(days=3))
            case = ManagementCase.objects.get(source_ref=f"credit:{entry.pk}")
            services.case_decide(actor=Actor.for_user(self.office) if self.office else self.actor, case=case,
                                 revoke=True, reason="被列入严重违法失信名单（销售不符合食品安全标准的食品）")
        if len(holders) > 1:
            list_enter(actor=self.actor, entity=holders[1].entity, kind="abnormal", reason_code="AB-1",
                       reason="未按规定期限公示年度报告", authority="巴彦淖尔市市场监督管理局",
                       document_number=f"巴市监异〔{year}〕15号", entered_on=self.today - timedelta(days=1))
