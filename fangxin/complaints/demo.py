"""Demo complaints: ≥ 20,000 over the last three years, in every workflow state, plus service stations, a few
operator-stage complaints for the demo merchant and a handful of outbox notifications.

Speed: the bulk is written with bulk_create (complaints, timeline, mediation sessions, documents) and one audit
record summarises the load; the few merchant-journey complaints go through the real services. The bulk is what
the services would have written: each complaint's path is simulated step by step (operator-first settlement
for active enrolled units when the consumer agreed, acceptance within 7 working days, mediation within the rule
set's deadline with testing pauses, outcomes), with the timeline entries, documents and numbers of each step.
Working days come from the same calendar the deadlines use. Idempotent: a second run adds nothing.
Size: `count=` or the environment variable FANGXIN_DEMO_COMPLAINTS (default 20,000).
"""

import bisect
import functools
import hashlib
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from fangxin.accounts.models import User
from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.core.crypto import blind_index
from fangxin.core.exceptions import FangxinError
from fangxin.core.fields import SealedMixin
from fangxin.core.models import AuditRecord, Notification, NotificationStatus
from fangxin.core.workdays import WorkCalendar
from fangxin.merchants.models import MarketEntity
from fangxin.merchants.search import normalise
from fangxin.organisation.models import Region, Sector

from . import documents
from .choices import Channel, DocumentKind, Kind, ReasonKind, ReferralDestination, SettlementType, Status
from .demo_texts import (
    AGREEMENT_TERMS,
    BUSINESS_REPLIES,
    DECLINE_REASONS,
    FREE_BUSINESSES,
    MEDIATORS,
    PLATFORMS,
    RATING_COMMENTS,
    REJECT_COMMENTS,
    REPORT_NOTES_CLOSED,
    REPORT_NOTES_OPENED,
    SESSION_SUMMARIES,
    SETTLEMENT_NOTES,
    STATIONS,
    TEMPLATES,
    TESTING_NOTES,
    WITHDRAW_REASONS,
)
from .models import (
    Complaint,
    ComplaintDocument,
    ComplaintEvent,
    DocumentCounter,
    MediationSession,
    RuleReason,
    RuleSet,
    ServiceStation,
)
from .services import TRACKING_ALPHABET

DEMO_COMPLAINT_COUNT = 20_000
LOAD_ACTION = "complaints.demo_load"
YEARS = 3
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海峰宏亮斌"
STAFF_BY_COUNTY = {"150802": "linhe", "150821": "wuyuan"}
PUBLIC_NAME = "公众"
ESCALATE_NAME = "系统:complaint escalate"
ROUTING_NAME = "系统:routing"

# Final states and their shares (per mille); open states are recent by construction.
TARGETS = [
    (Status.OPERATOR_SETTLED, 150), (Status.AGREEMENT, 300), (Status.MEDIATION_ENDED, 95), (Status.REFERRED, 40),
    (Status.REFUSED, 90), (Status.WITHDRAWN, 55), (Status.OPERATOR, 9), (Status.OPERATOR_OFFERED, 6),
    (Status.RECEIVED, 18), (Status.ACCEPTED, 10), (Status.MEDIATING, 22), (Status.TESTING, 5),
    (Status.CASE_OPENED, 15), (Status.CASE_NOT_OPENED, 20), (Status.REPORT_RECEIVED, 5),
]
OPERATOR_TARGETS = {Status.OPERATOR, Status.OPERATOR_OFFERED, Status.OPERATOR_SETTLED}
REPORT_TARGETS = {Status.CASE_OPENED, Status.CASE_NOT_OPENED, Status.REPORT_RECEIVED}
CHANNELS = [(Channel.WEB, 44), (Channel.HOTLINE, 24), (Channel.WALK_IN, 8), (Channel.LETTER, 3),
            (Channel.STATION, 11), (Channel.API, 6), (Channel.IMPORT, 4)]
SETTLEMENTS = [(SettlementType.REFUND, 50), (SettlementType.EXCHANGE, 12), (SettlementType.REPAIR, 8),
               (SettlementType.COMPENSATION, 15), (SettlementType.ADVANCE_COMPENSATION, 10), (SettlementType.OTHER, 5)]
END_GROUND_WEIGHTS = {"samr-2019": {1: 6, 2: 4, 3: 30, 4: 35, 5: 15, 6: 6, 7: 4},
                      "samr-121": {1: 6, 2: 30, 3: 32, 4: 5, 5: 15, 6: 6, 7: 2, 8: 4}}
REFUSAL_WEIGHTS = {1: 30, 2: 12, 3: 22, 4: 6, 5: 20, 6: 6, 7: 4}
# The story the dashboards tell (issue 8 item 9): handling improves year by year in every county but one, which
# lags. `quality` is the chance a complaint of that county and time ends well; draws that do not fit are redrawn.
LAGGING_COUNTY = "150825"  # 乌拉特后旗
GOOD_ENDINGS = frozenset({Status.AGREEMENT, Status.OPERATOR_SETTLED})
POOR_ENDINGS = frozenset({Status.MEDIATION_ENDED, Status.REFERRED})
STORY_TRIES = 8


def quality(county_code: str, received_on: date, today: date) -> float:
    """From about 0.5 three years ago to about 0.85 now; the lagging county stays near 0.45."""
    recency = max(0.0, min(1.0, 1 - (today - received_on).days / (365 * YEARS)))
    if county_code == LAGGING_COUNTY:
        return 0.47 - 0.05 * recency
    return 0.5 + 0.35 * recency


RATINGS_GOOD = [2, 3, 8, 32, 55]
RATINGS_POOR = [14, 18, 30, 24, 14]
RATINGS_MID = [6, 8, 20, 36, 30]


class Days:
    """The working-day calendar over the demo's span as a sorted list: counting by index, same rules as
    core.workdays (the first day never counts; a calendar period ending on a rest day moves on)."""

    def __init__(self, calendar: WorkCalendar, first: date, last: date):
        self.workdays, day = [], first
        while day <= last:
            if calendar.is_workday(day):
                self.workdays.append(day)
            day += timedelta(days=1)

    def add(self, start: date, n: int) -> date:
        return self.workdays[bisect.bisect_right(self.workdays, start) + n - 1]

    def add_calendar(self, start: date, n: int) -> date:
        return self.workdays[bisect.bisect_left(self.workdays, start + timedelta(days=n))]

    def between(self, start: date, end: date) -> int:
        return bisect.bisect_right(self.workdays, end) - bisect.bisect_right(self.workdays, start)


@dataclass
class Plan:
    complaint: Complaint
    events: list = field(default_factory=list)      # (on, action, label, from, to, actor, note, public)
    documents: list = field(default_factory=list)   # (kind, on, paragraphs, to)
    sessions: list = field(default_factory=list)    # MediationSession kwargs


class Generator:
    def __init__(self, *, rng, today: date, count: int):
        self.rng, self.today, self.count = rng, today, count
        first = date(today.year - YEARS, today.month, 1)
        self.start = (first + timedelta(days=32)).replace(day=1)  # whole months, the oldest one ~3 years back
        calendar = WorkCalendar.load()
        self.days = Days(calendar, self.start - timedelta(days=30), today + timedelta(days=400))
        self.counties = list(Region.objects.filter(level="county").order_by("code"))
        self.county_by_code = {c.code: c for c in self.counties}
        self.sectors = {s.code: s for s in Sector.objects.all()}
        self.lead = {s.code: s.lead_departments.order_by("id").first() for s in self.sectors.values()}
        self.rule_sets = list(RuleSet.objects.order_by("in_force_from"))
        self.reasons = {}
        for reason in RuleReason.objects.all():
            self.reasons[(reason.rule_set_id, reason.kind, reason.number)] = reason
        self.staff = {code: User.objects.filter(username=name).first() for code, name in STAFF_BY_COUNTY.items()}
        self.stations_by_county = {}
        for station in ServiceStation.objects.filter(is_active=True).select_related("region").order_by("id"):
            self.stations_by_county.setdefault(station.region_id, []).append(station)
        self.all_stations = [s for rows in self.stations_by_county.values() for s in rows]
        entities = list(MarketEntity.objects.select_related("region", "sector").order_by("uscc"))
        from fangxin.accounts.models import MerchantBinding
        from fangxin.campaign.models import Enrollment

        # operator-first needs an active enrollment AND a merchant account, exactly as the services decide
        active = set(Enrollment.objects.filter(status="active").values_list("entity_id", flat=True))
        bound = set(MerchantBinding.objects.filter(status="confirmed").values_list("entity_id", flat=True))
        self.entities = entities
        self.eligible = [e for e in entities if e.pk in active and e.pk in bound]
        # a few businesses draw many complaints, most draw a handful
        hot = set(rng.sample(range(len(entities)), k=min(len(entities), 60))) if entities else set()
        self.entity_weights = [40 if i in hot else 1 for i in range(len(entities))]
        hot_eligible = set(rng.sample(range(len(self.eligible)), k=min(len(self.eligible), 25))) if self.eligible else set()
        self.eligible_weights = [30 if i in hot_eligible else 1 for i in range(len(self.eligible))]
        self.used_tracking = set(Complaint.objects.values_list("tracking_no", flat=True))
        self.refusal_seen, self.ground_seen = {}, {}
        # receipt dates: more complaints in later years and around the Spring Festival and shopping festivals
        self.day_list, self.day_weights = [], []
        day = self.start
        while day <= today:
            weight = 1.0 + 0.35 * (day - self.start).days / 365
            if day.month in (1, 2, 11) or (day.month == 6 and day.day >= 10):
                weight *= 1.3
            self.day_list.append(day)
            self.day_weights.append(weight)
            day += timedelta(days=1)
        self.cum_weights = []
        total = 0.0
        for weight in self.day_weights:
            total += weight
            self.cum_weights.append(total)

    # --- picking ------------------------------------------------------------------------------------------------

    def pick(self, weighted):
        values, weights = zip(*weighted, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def received_day(self, latest: date) -> date:
        end = bisect.bisect_right(self.day_list, latest)
        if end <= 0:
            return self.start
        x = self.rng.random() * self.cum_weights[end - 1]
        return self.day_list[min(bisect.bisect_left(self.cum_weights, x), end - 1)]

    def rule_set_for(self, received_on: date) -> RuleSet:
        for rule_set in self.rule_sets:
            if (rule_set.in_force_from is None or rule_set.in_force_from <= received_on) and (
                    rule_set.in_force_until is None or received_on <= rule_set.in_force_until):
                return rule_set
        return self.rule_sets[-1]

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))

    def phone(self) -> str:
        if self.rng.random() < 0.05:
            return "0478" + str(self.rng.randint(8000000, 8999999))
        return "1" + self.rng.choice("3578") + str(self.rng.randint(100000000, 999999999))

    def tracking_no(self, on: date) -> str:
        while True:
            number = "T" + on.strftime("%Y%m%d") + "".join(self.rng.choice(TRACKING_ALPHABET) for _ in range(6))
            if number not in self.used_tracking:
                self.used_tracking.add(number)
                return number

    def reason_number(self, rule_set: RuleSet, kind: str) -> int:
        """Every number of each rule set appears (first in order), then by weight."""
        numbers = sorted(n for (rs, k, n) in self.reasons if rs == rule_set.pk and k == kind)
        seen = (self.refusal_seen if kind == ReasonKind.REFUSAL else self.ground_seen).setdefault(rule_set.pk, set())
        missing = [n for n in numbers if n not in seen]
        if missing:
            number = missing[0]
        else:
            weights = REFUSAL_WEIGHTS if kind == ReasonKind.REFUSAL else END_GROUND_WEIGHTS.get(rule_set.code, {})
            number = self.rng.choices(numbers, weights=[weights.get(n, 1) for n in numbers])[0]
        seen.add(number)
        return number

    # --- one complaint ------------------------------------------------------------------------------------------

    def make(self, target: str) -> Plan:
        rng = self.rng
        report = target in REPORT_TARGETS
        entity = None
        if target in OPERATOR_TARGETS and self.eligible:
            entity = rng.choices(self.eligible, weights=self.eligible_weights)[0]
        elif self.entities and rng.random() < 0.9:
            entity = rng.choices(self.entities, weights=self.entity_weights)[0]
        platform = ""
        if entity is not None:
            sector_code = entity.sector.code
            business, region, basis = entity.name, entity.region, "被投诉经营者登记的经营地"
        else:
            business, sector_code = rng.choice(FREE_BUSINESSES)
            region, basis = rng.choice(self.counties), "首先收到投诉的旗县区"
            if sector_code == "ecommerce":
                platform = rng.choice(PLATFORMS)
        template = rng.choice(TEMPLATES.get(sector_code) or TEMPLATES["other"])
        item, text, demand, problem_types, (low, high) = template
        amount = Decimal(rng.randint(low * 100, high * 100)) / 100 if high else None
        channel = self.pick(CHANNELS)
        station = None
        if channel == Channel.STATION:
            local = self.stations_by_county.get(region.pk) or self.all_stations
            station = rng.choice(local) if local else None
            if station is None:
                channel = Channel.HOTLINE
        consent_mediation = target in OPERATOR_TARGETS or rng.random() < 0.85
        eligible = (entity is not None and not report and consent_mediation
                    and entity in self._eligible_set())
        if target in OPERATOR_TARGETS and not eligible:
            target = Status.RECEIVED
        for _attempt in range(40):
            plan = self._attempt(target, entity, eligible)
            if plan is not None:
                break
        else:  # very old span or tiny calendar: fall back to a plain received complaint
            target = Status.RECEIVED
            plan = self._attempt(target, entity, eligible, force=True)
        steps, received_on = plan
        purchased_on = received_on - timedelta(days=rng.randint(0, 60))
        description = text.format(amount=amount or "", date=f"{purchased_on.month}月{purchased_on.day}日",
                                  days=rng.randint(3, 30))
        name, phone = self.person(), self.phone()
        rule_set = self.rule_set_for(received_on)
        sector = self.sectors.get(sector_code)
        complaint = Complaint(
            tracking_no=self.tracking_no(received_on), kind=Kind.REPORT if report else Kind.COMPLAINT,
            channel=channel, station=station, complainant_name=name, complainant_phone=phone,
            complainant_email=f"user{rng.randint(1000, 99999)}@example.cn" if rng.random() < 0.15 else "",
            complainant_address=f"巴彦淖尔市{rng.choice(self.counties).name}" if rng.random() < 0.5 else "",
            entity=entity, business_name=business, business_address=entity.address if entity else "",
            business_uscc=entity.uscc if entity else "", platform_name=platform, item=item,
            purchased_on=purchased_on, amount=amount, description=description,
            demand="" if report else demand, consent_publication=rng.random() < 0.6,
            consent_mediation=consent_mediation, region=region, sector=sector, department=self.lead.get(sector_code),
            problem_types=list(problem_types),
            triage_suggestion={"sector": sector_code, "problem_types": list(problem_types),
                               "department": getattr(self.lead.get(sector_code), "code", None),
                               "confidence": round(rng.uniform(0.55, 0.98), 2), "evidence": []},
            classification_confirmed=channel not in (Channel.WEB, Channel.API),
            status=Status.REPORT_RECEIVED, rule_set=rule_set, received_on=received_on,
            dedupe_key=hashlib.sha256("\n".join([Kind.REPORT if report else Kind.COMPLAINT, phone, normalise(business),
                                                 normalise(description)[:2000]]).encode("utf-8")).hexdigest())
        result = Plan(complaint)
        self._apply(result, steps, basis)
        return result

    def make_in_story(self, target: str) -> Plan:
        """`make`, redrawn (county, business, dates) until the ending fits the county's and the year's quality."""
        for _try in range(STORY_TRIES):
            plan = self.make(target)
            c = plan.complaint
            q = quality(c.region.code, c.received_on, self.today)
            fit = q if c.status in GOOD_ENDINGS else (1 - q) if c.status in POOR_ENDINGS else 1.0
            if self.rng.random() < fit:
                break
        return plan

    _eligible_cache = None

    def _eligible_set(self):
        if self._eligible_cache is None:
            self._eligible_cache = set(self.eligible)
        return self._eligible_cache

    def _attempt(self, target, entity, eligible, force=False):
        """Pick a receipt date and the dates of every step so the complaint is in `target` today;
        None when this draw does not fit (the caller draws again)."""
        rng, days, today = self.rng, self.days, self.today
        open_target = target in (Status.OPERATOR, Status.OPERATOR_OFFERED, Status.RECEIVED, Status.ACCEPTED,
                                 Status.MEDIATING, Status.TESTING, Status.REPORT_RECEIVED)
        overdue = open_target and target in (Status.RECEIVED, Status.MEDIATING, Status.REPORT_RECEIVED) \
            and rng.random() < 0.12
        if open_target:
            back = {Status.OPERATOR: 14, Status.OPERATOR_OFFERED: 14, Status.RECEIVED: 12, Status.ACCEPTED: 16,
                    Status.MEDIATING: 70, Status.TESTING: 80, Status.REPORT_RECEIVED: 20}[target]
            received = today - timedelta(days=rng.randint(0, back * (3 if overdue else 1)))
        else:
            received = self.received_day(today - timedelta(days=3))
        received = max(received, self.start)
        rule_set = self.rule_set_for(received)
        steps = [("submit", received)]
        if target in REPORT_TARGETS:
            due = days.add(received, rule_set.report_decision_days)
            if target == Status.REPORT_RECEIVED:
                ok = force or (due < today if overdue else due >= today)
                return (steps, received) if ok else None
            decided = days.add(received, rng.randint(3, rule_set.report_decision_days))
            steps.append(("report_decide", decided, target))
            return (steps, received) if decided <= today or force else None
        bureau = received
        if eligible:
            steps.append(("operator_first", received))
            due = days.add(received, rule_set.operator_days)
            if target == Status.OPERATOR:
                return (steps, received) if due >= today or force else None
            offered = days.add(received, rng.randint(1, rule_set.operator_days - 2))
            if target in (Status.OPERATOR_OFFERED, Status.OPERATOR_SETTLED):
                steps.append(("operator_offer", offered))
                if target == Status.OPERATOR_OFFERED:
                    return (steps, received) if (offered <= today <= due) or force else None
                answered = offered + timedelta(days=rng.randint(0, 4))
                steps.append(("settlement_accept", answered))
                return (steps, received) if answered <= today or force else None
            if target == Status.WITHDRAWN and rng.random() < 0.3:
                gone = days.add(received, rng.randint(1, 8))
                steps.append(("withdraw", gone))
                return (steps, received) if gone <= today or force else None
            way = rng.random()
            if way < 0.45:
                steps.append(("operator_offer", offered))
                bureau = offered + timedelta(days=rng.randint(0, 4))
                steps.append(("settlement_reject", bureau))
            elif way < 0.75:
                bureau = days.add(received, rng.randint(2, rule_set.operator_days))
                steps.append(("operator_decline", bureau))
            else:
                bureau = due + timedelta(days=1)
                steps.append(("operator_timeout", bureau, due))
            if bureau > today and not force:
                return None
        if not eligible and rng.random() < 0.03 and entity is None:
            moved = days.add(bureau, rng.randint(1, 3))
            steps.append(("transfer", moved))
            bureau = moved
        accept_due = days.add(bureau, rule_set.accept_days)
        if target == Status.RECEIVED:
            if bureau > today and not force:
                return None
            return (steps, received) if force or (accept_due < today if overdue else accept_due >= today) else None
        if target == Status.REFUSED:
            decided = days.add(bureau, rng.randint(1, rule_set.accept_days))
            steps.append(("refuse", decided))
            return (steps, received) if decided <= today or force else None
        if target == Status.WITHDRAWN and rng.random() < 0.4:
            gone = bureau + timedelta(days=rng.randint(0, 6))
            steps.append(("withdraw", gone))
            return (steps, received) if gone <= today or force else None
        late = rng.random() < 0.03
        accepted = days.add(bureau, rng.randint(rule_set.accept_days + 1, rule_set.accept_days + 3) if late
                            else rng.randint(1, rule_set.accept_days))
        steps.append(("accept", accepted))
        if accepted > today and not force:
            return None
        if target == Status.ACCEPTED:
            return (steps, received) if force or days.between(accepted, today) <= 4 else None
        if target == Status.WITHDRAWN:
            gone = days.add(accepted, rng.randint(1, 10))
            steps.append(("withdraw", gone))
            return (steps, received) if gone <= today or force else None
        scheduled = days.add(accepted, rng.randint(1, 4))
        held = days.add(scheduled, rng.randint(1, 5))
        steps.append(("mediation_start", scheduled, held))
        paused_wd = paused_cd = 0
        cursor = held
        testing = target == Status.TESTING or rng.random() < 0.06
        if held <= today:
            steps.append(("mediation_session", held))
        if testing:
            test_start = days.add(held, rng.randint(1, 5))
            test_end = days.add(test_start, rng.randint(5, 25))
            steps.append(("testing_start", test_start))
            if target == Status.TESTING:
                ok = test_start <= today < test_end
                return (steps, received) if ok or force else None
            steps.append(("testing_end", test_end))
            paused_wd, paused_cd = days.between(test_start, test_end), (test_end - test_start).days
            cursor = test_end
        if rule_set.mediation_unit == "calendar":
            deadline = days.add_calendar(accepted, rule_set.mediation_days + paused_cd)
        else:
            deadline = days.add(accepted, rule_set.mediation_days + paused_wd)
        if target == Status.MEDIATING:
            if scheduled > today and not force:
                return None
            if held > today:
                steps = [s for s in steps if s[0] != "mediation_session"]
            if cursor > today and not force:
                return None
            return (steps, received) if force or (deadline < today if overdue else deadline >= today) else None
        if rng.random() < 0.25 and cursor < deadline:
            second = days.add(cursor, rng.randint(2, 8))
            if second < deadline:
                steps.append(("mediation_session", second))
                cursor = second
        span = max(1, days.between(cursor, deadline))
        if target == Status.MEDIATION_ENDED and rng.random() < 0.2:
            ended = deadline
        else:
            ended = days.add(cursor, rng.randint(1, min(span, 25)))
        ended = min(ended, deadline) if rng.random() > 0.02 else days.add(deadline, rng.randint(1, 5))
        if ended < cursor:
            ended = cursor
        steps.append((target, ended, deadline))
        return (steps, received) if ended <= today or force else None

    def _apply(self, plan: Plan, steps, basis: str) -> None:
        """Turn the dated steps into the complaint's fields, timeline, documents and sessions."""
        rng, c = self.rng, plan.complaint
        staff = self.staff.get(c.region.code)
        staff_name = staff.username if staff else f"{c.region.name}市场监管局"
        business_actor = c.business_name[:40]
        rule_set = c.rule_set
        status = ""

        def event(on, action, label, to="", note="", actor=None, public=True, frm=None):
            nonlocal status
            frm = (status if to else "") if frm is None else frm
            plan.events.append((on, action, label, frm, to, actor or staff_name, note, public))
            if to:
                status = to

        def close(on):
            if c.closed_on is None:
                c.closed_on = on

        for step in steps:
            action, on = step[0], step[1]
            if action == "submit":
                to = Status.REPORT_RECEIVED if c.kind == Kind.REPORT else (
                    Status.OPERATOR if any(s[0] == "operator_first" for s in steps) else Status.RECEIVED)
                label = "收到举报" if c.kind == Kind.REPORT else "收到投诉"
                actor = PUBLIC_NAME if c.channel == Channel.WEB else staff_name
                event(on, "submit", label, to=to, frm="", actor=actor,
                      note=f"来源：{c.get_channel_display()}；管辖：{c.region.name}（{basis}）")
                if to == Status.OPERATOR:
                    c.operator_started_on = on
                else:
                    c.bureau_received_on = on if c.kind == Kind.COMPLAINT else None
                kind = DocumentKind.REPORT_REGISTRATION if c.kind == Kind.REPORT else DocumentKind.REGISTRATION
                plan.documents.append((kind, on, documents.registration_text(c), "", c.region))
            elif action == "operator_first":
                due = self.days.add(on, rule_set.operator_days)
                event(on, "operator_first", "转经营者先行和解", to=Status.OPERATOR, frm="", actor=ROUTING_NAME,
                      note=f"经营者是放心消费创建单位，请于 {due.isoformat()} 前提出和解方案")
            elif action == "operator_offer":
                kind = self.pick(SETTLEMENTS)
                value = None
                if kind in (SettlementType.REFUND, SettlementType.COMPENSATION, SettlementType.ADVANCE_COMPENSATION):
                    base = c.amount or Decimal(rng.randint(50, 800))
                    value = base if kind == SettlementType.REFUND else (base * rng.choice((1, 2, 3))).quantize(Decimal("0.01"))
                note = rng.choice(SETTLEMENT_NOTES[kind])
                c.settlement_type, c.settlement_amount, c.settlement_note = kind, value, note
                event(on, "operator_offer", "经营者提出和解方案", to=Status.OPERATOR_OFFERED, actor=business_actor,
                      note=SettlementType(kind).label + (f" {value} 元" if value else "") + f"：{note}")
            elif action == "settlement_accept":
                if c.settlement_type in (SettlementType.REFUND, SettlementType.COMPENSATION,
                                         SettlementType.ADVANCE_COMPENSATION) and c.settlement_amount:
                    c.recovered_amount = c.settlement_amount
                    if c.settlement_type == SettlementType.ADVANCE_COMPENSATION:
                        c.advance_compensation = c.settlement_amount
                c.outcome_summary = f"经营者和解：{c.get_settlement_type_display()}。{c.settlement_note}"
                close(on)
                event(on, "settlement_accept", "消费者接受和解方案", to=Status.OPERATOR_SETTLED, actor=PUBLIC_NAME)
            elif action == "settlement_reject":
                c.bureau_received_on = on
                c.settlement_type, c.settlement_amount, c.settlement_note = "", None, ""
                event(on, "settlement_reject", "消费者不接受和解方案，转监管部门", to=Status.RECEIVED, actor=PUBLIC_NAME,
                      note=rng.choice(REJECT_COMMENTS))
            elif action == "operator_decline":
                c.bureau_received_on = on
                c.settlement_type, c.settlement_amount, c.settlement_note = "", None, ""
                event(on, "operator_decline", "经营者未能和解，转监管部门", to=Status.RECEIVED, actor=business_actor,
                      note=rng.choice(DECLINE_REASONS))
            elif action == "operator_timeout":
                c.bureau_received_on = on
                c.settlement_type, c.settlement_amount, c.settlement_note = "", None, ""
                event(on, "operator_timeout", "经营者逾期未和解，转监管部门", to=Status.RECEIVED, actor=ESCALATE_NAME,
                      note=f"和解期限 {step[2].isoformat()} 已过")
            elif action == "transfer":
                old = c.region
                new = rng.choice([r for r in self.counties if r.pk != old.pk] or [old])
                destination = documents.issuer_of(new)
                reason = "经营场所位于" + new.name
                c.region, c.bureau_received_on = new, on
                staff = self.staff.get(new.code)
                staff_name = staff.username if staff else f"{new.name}市场监管局"
                plan.documents.append((DocumentKind.TRANSFER, on, documents.transfer_text(
                    c, destination=destination, reason=reason), destination, new))
                event(on, "transfer", "分送", actor=f"{old.name}市场监管局", note=f"分送至{destination}：{reason}")
            elif action == "withdraw":
                c.outcome_summary = "投诉人撤回投诉"
                close(on)
                event(on, "withdraw", "撤回投诉", to=Status.WITHDRAWN, actor=PUBLIC_NAME, note=rng.choice(WITHDRAW_REASONS))
            elif action == "refuse":
                reason = self.reasons[(rule_set.pk, ReasonKind.REFUSAL, self.reason_number(rule_set, ReasonKind.REFUSAL))]
                c.reason, c.outcome_summary = reason, f"不予受理：{reason.text}"
                close(on)
                event(on, "refuse", "不予受理", to=Status.REFUSED, note=f"{reason.article}第（{reason.number}）项：{reason.text}。")
                plan.documents.append((DocumentKind.REFUSAL, on, documents.refusal_text(c, reason), "", c.region))
            elif action == "accept":
                c.accepted_on = on
                if staff is not None:
                    c.assignee = staff
                if c.channel in (Channel.WEB, Channel.API):
                    c.classification_confirmed = True
                    event(on, "classify", "确认分类", public=False,
                          note=f"行业：{c.sector.name if c.sector else '—'}；承办部门：{c.department or '—'}")
                event(on, "accept", "受理", to=Status.ACCEPTED)
                if rule_set.mediation_unit == "calendar":
                    by = self.days.add_calendar(on, rule_set.mediation_days)
                else:
                    by = self.days.add(on, rule_set.mediation_days)
                plan.documents.append((DocumentKind.ACCEPTANCE, on, documents.acceptance_text(c, by), "", c.region))
            elif action == "mediation_start":
                held, place, mediator = step[2], f"{c.region.name}市场监管局调解室", rng.choice(MEDIATORS)
                c._mediator = mediator
                event(on, "mediation_start", "组织调解", to=Status.MEDIATING,
                      note=f"{held.isoformat()} 在{place}调解，调解人员：{mediator}")
                plan.documents.append((DocumentKind.MEDIATION_NOTICE, on, documents.mediation_notice_text(
                    c, held_on=held, place=place, mediator=mediator), "", c.region))
            elif action == "mediation_session":
                mediator = getattr(c, "_mediator", rng.choice(MEDIATORS))
                plan.sessions.append(dict(held_on=on, place=f"{c.region.name}市场监管局调解室", mediator=mediator,
                                          attendees=f"投诉人{c.complainant_name}；{c.business_name}代表",
                                          summary=rng.choice(SESSION_SUMMARIES), recorded_by=staff_name))
                event(on, "mediation_session", "调解", note=f"调解人员：{mediator}")
            elif action == "testing_start":
                c.pause_started_on = on
                event(on, "testing_start", "委托检测鉴定", to=Status.TESTING, note=rng.choice(TESTING_NOTES))
            elif action == "testing_end":
                c.paused_workdays += self.days.between(c.pause_started_on, on)
                c.paused_calendar_days += (on - c.pause_started_on).days
                c.pause_started_on = None
                event(on, "testing_end", "检测鉴定结束，继续调解", to=Status.MEDIATING, note="检测报告已出具")
            elif action == Status.AGREEMENT:
                kind = self.pick(SETTLEMENTS)
                base = c.amount or Decimal(rng.randint(50, 800))
                recovered = base if kind in (SettlementType.REFUND, SettlementType.EXCHANGE, SettlementType.REPAIR) else (
                    base * rng.choice((1, 2, 3))).quantize(Decimal("0.01"))
                if kind == SettlementType.OTHER:
                    recovered = Decimal("0.00")
                advance = recovered if kind == SettlementType.ADVANCE_COMPENSATION else Decimal("0")
                c.settlement_type = kind
                c.outcome_summary = AGREEMENT_TERMS[kind].format(amount=recovered)
                c.recovered_amount, c.advance_compensation = recovered, advance
                close(on)
                event(on, "agreement", "调解成功，达成协议", to=Status.AGREEMENT, note=f"挽回经济损失 {recovered} 元")
                plan.documents.append((DocumentKind.AGREEMENT, on, documents.agreement_text(c), "", c.region))
            elif action == Status.MEDIATION_ENDED:
                number = 5 if on == step[2] else self.reason_number(rule_set, ReasonKind.END_GROUND)
                reason = self.reasons[(rule_set.pk, ReasonKind.END_GROUND, number)]
                c.reason, c.outcome_summary = reason, f"终止调解：{reason.text}"
                close(on)
                event(on, "mediation_end", "终止调解", to=Status.MEDIATION_ENDED,
                      note=f"{reason.article}第（{reason.number}）项：{reason.text}。")
                plan.documents.append((DocumentKind.END_MEDIATION, on, documents.end_mediation_text(c, reason), "",
                                       c.region))
            elif action == Status.REFERRED:
                destination = rng.choice((ReferralDestination.PEOPLES_MEDIATION, ReferralDestination.PEOPLES_MEDIATION,
                                          ReferralDestination.COURT, ReferralDestination.COURT,
                                          ReferralDestination.ARBITRATION))
                body = {ReferralDestination.PEOPLES_MEDIATION: f"{c.region.name}消费纠纷人民调解委员会",
                        ReferralDestination.COURT: f"{c.region.name}人民法院",
                        ReferralDestination.ARBITRATION: "巴彦淖尔仲裁委员会"}[destination]
                referral_on = max(on - timedelta(days=rng.randint(0, 2)), steps[-2][1])
                c.referral_destination, c.referral_body, c.referral_on = destination, body, referral_on
                c.outcome_summary = f"移交{body}"
                close(on)
                event(on, "refer", "诉调对接", to=Status.REFERRED,
                      note=f"移交{ReferralDestination(destination).label}：{body}（{referral_on.isoformat()}）")
            elif action == "report_decide":
                opened = step[2] == Status.CASE_OPENED
                note = rng.choice(REPORT_NOTES_OPENED if opened else REPORT_NOTES_CLOSED)
                c.outcome_summary = note
                close(on)
                event(on, "report_decide", Status(step[2]).label, to=step[2], note=note)
                plan.documents.append((DocumentKind.REPORT_OUTCOME, on, documents.report_outcome_text(
                    c, opened=opened, note=note), "", c.region))
        c.status = status
        if c.closed_on and c.kind == Kind.COMPLAINT:
            self._rate(plan)

    def _rate(self, plan: Plan) -> None:
        rng, c = self.rng, plan.complaint
        share = 0.25 if c.status == Status.WITHDRAWN else 0.78
        if rng.random() >= share:
            return
        weights = RATINGS_GOOD if c.status in (Status.OPERATOR_SETTLED, Status.AGREEMENT) else (
            RATINGS_MID if c.status == Status.WITHDRAWN else RATINGS_POOR)
        if weights is RATINGS_GOOD and rng.random() > quality(c.region.code, c.received_on, self.today):
            weights = RATINGS_MID  # a good ending handled less well: satisfaction follows the county's quality
        rating = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
        on = min(self.today, c.closed_on + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 6))))
        c.rating, c.rating_comment = rating, rng.choice(RATING_COMMENTS[rating])
        c.rated_at = aware(on, 20)
        plan.events.append((on, "rate", "消费者评价", "", "", PUBLIC_NAME, f"{rating} 分", True))
        if c.consent_publication and c.entity_id and rng.random() < 0.08:
            c.business_reply = rng.choice(BUSINESS_REPLIES)
            c.business_reply_at = aware(min(self.today, on + timedelta(days=2)), 21)


@functools.cache
def aware(on: date, slot: int) -> datetime:
    """A time on the day for the n-th step, in working hours, in the site's time zone."""
    minutes = 8 * 60 + 40 + (slot * 23) % (9 * 60)
    return timezone.make_aware(datetime.combine(on, time(minutes // 60, minutes % 60)))


# --- loading ---------------------------------------------------------------------------------------------------

def load(*, rng, actor, stdout=None, count: int | None = None) -> int:
    count = count or int(os.environ.get("FANGXIN_DEMO_COMPLAINTS") or DEMO_COMPLAINT_COUNT)
    created_stations = load_stations(actor)
    if AuditRecord.objects.filter(action=LOAD_ACTION).exists():
        return 0
    today = timezone.localdate()
    with transaction.atomic():
        ensure_merchant_accounts(actor, rng)
        generator = Generator(rng=rng, today=today, count=count)
        targets = [target for target, _ in TARGETS]
        weights = [weight for _, weight in TARGETS]
        # every state at least twice, whatever the size; the rest by share
        chosen = [t for t in targets for _ in range(2)]
        chosen += rng.choices(targets, weights=weights, k=max(0, count - len(chosen)))
        plans = [generator.make_in_story(target) for target in chosen[:count]]
        totals = write(plans)
        notifications = demo_notifications(plans, today)
        audit.record(actor=actor, action=LOAD_ACTION, object_type="complaints.complaint", object_id="demo",
                     object_repr="演示投诉举报数据", changes={
                         "complaints": [None, totals["complaints"]], "events": [None, totals["events"]],
                         "documents": [None, totals["documents"]], "sessions": [None, totals["sessions"]],
                         "stations": [None, created_stations], "notifications": [None, notifications]})
    merchant = load_merchant_journey(actor, today)
    if stdout is not None:
        stdout.write(f"演示投诉举报：新增 {totals['complaints']} 件（办理记录 {totals['events']} 条，文书 "
                     f"{totals['documents']} 份），维权服务站 {created_stations} 个，演示经营者待处理投诉 {merchant} 件")
    return totals["complaints"]


DEMO_MERCHANT_ACCOUNTS = 40


def ensure_merchant_accounts(actor, rng) -> int:
    """Merchant accounts (no usable password) for some enrolled businesses, so that operator-first settlement
    happens in the demo as the services decide it: only for enrolled units that have a merchant account."""
    from fangxin.accounts.models import BindingStatus, MerchantBinding, User
    from fangxin.campaign.models import Enrollment

    bound = set(MerchantBinding.objects.filter(status=BindingStatus.CONFIRMED).values_list("entity_id", flat=True))
    candidates = sorted(set(Enrollment.objects.filter(status="active").values_list("entity_id", flat=True)) - bound)
    chosen = rng.sample(candidates, k=min(len(candidates), DEMO_MERCHANT_ACCOUNTS))
    users = []
    for entity_id in chosen:
        user = User(username=f"shop{entity_id}", role="merchant", full_name=f"演示经营者{entity_id}")
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users)
    now = timezone.now()
    MerchantBinding.objects.bulk_create([
        MerchantBinding(user=user, entity_id=entity_id, status=BindingStatus.CONFIRMED, decided_at=now)
        for user, entity_id in zip(users, chosen, strict=True)])
    audit.record(actor=actor, action="accounts.demo_merchants", object_type="accounts.user", object_id="demo",
                 object_repr="演示经营者账号", changes={"accounts": [None, len(users)]})
    return len(users)


def load_stations(actor) -> int:
    from .services import station_save

    counties = {r.code: r for r in Region.objects.filter(level="county")}
    existing = set(ServiceStation.objects.values_list("name", flat=True))
    created = 0
    for index, (code, town, host, address) in enumerate(STATIONS, start=1):
        name = f"{town}{host.removeprefix(counties[code].name) if code in counties else host}消费维权服务站"
        if code not in counties or name in existing:
            continue
        station_save(actor=actor, region=counties[code], town=town, name=name, host=host, address=address,
                     hours="周一至周五 9:00–17:00" if index % 3 else "每天 9:00–21:00",
                     contact_phone=f"0478-8{index:02d}{(index * 37) % 1000:03d}0"[:13], is_active=True)
        created += 1
    return created


def write(plans: list[Plan]) -> dict:
    complaints = [plan.complaint for plan in plans]
    next_id = (Complaint.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    fields = [f for f in Complaint._meta.concrete_fields]
    rows = []
    for offset, complaint in enumerate(complaints):
        complaint.__dict__.pop("_mediator", None)
        complaint.pk = next_id + offset
        # created_at is the receipt time, as if each had been filed then
        complaint.created_at = complaint.updated_at = aware(complaint.received_on, 0)
        complaint.complainant_phone_index = blind_index(complaint.complainant_phone, "complainant_phone")
        rows.append(tuple(getattr(complaint, f.attname) for f in fields))
    raw_insert(Complaint, [f.name for f in fields], rows)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Complaint]):
            cursor.execute(sql)
    events, sessions, docs = [], [], []
    for plan in plans:
        pk = plan.complaint.pk
        for slot, (on, action, label, frm, to, actor_name, note, public) in enumerate(plan.events):
            events.append((pk, aware(on, slot), on, action, label, frm, to, actor_name, note, public))
        for values in plan.sessions:
            sessions.append(MediationSession(complaint=plan.complaint, **values))
        for kind, on, paragraphs, to, region in plan.documents:
            docs.append((on, pk, kind, region, paragraphs, to, plan.complaint))
    raw_insert(ComplaintEvent, ["complaint", "at", "on", "action", "label", "from_status", "to_status", "actor_name",
                                "note", "public"], events)
    MediationSession.objects.bulk_create(sessions, batch_size=2000)
    raw_insert(ComplaintDocument, ["complaint", "kind", "number", "issued_on", "issuer", "content"],
               number_documents(docs))
    return {"complaints": len(complaints), "events": len(events), "documents": len(docs), "sessions": len(sessions)}


def raw_insert(model, names: list[str], rows: list[tuple], batch: int = 2000) -> None:
    """INSERT many rows without building model instances (the ORM's per-value work dominated the load time);
    values are adapted for the database the way the fields would (dates, times, decimals, JSON)."""
    ops, fields = connection.ops, [model._meta.get_field(name) for name in names]
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind in ("JSONField", "DecimalField") or isinstance(f, SealedMixin):  # sealed: encrypt as the ORM does
            adapters.append(lambda value, f=f: f.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    quote = ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, [tuple(value if adapt is None or value is None else adapt(value)
                                           for value, adapt in zip(row, adapters, strict=True))
                                     for row in rows[start:start + batch]])


def number_documents(docs) -> list[tuple]:
    """Numbers per issuer, kind and year in date order, continuing the counters the services use."""
    counters = {(c.region_id, c.kind, c.year): c for c in DocumentCounter.objects.all()}
    rows = []
    docs.sort(key=lambda d: (d[0], d[1], d[2]))
    for on, pk, kind, region, paragraphs, to, complaint in docs:
        key = (region.pk, kind, on.year)
        counter = counters.get(key)
        if counter is None:
            counter = counters[key] = DocumentCounter(region=region, kind=kind, year=on.year, last=0)
        counter.last += 1
        content = {"title": DocumentKind(kind).label, "to": to or complaint.complainant_name,
                   "paragraphs": paragraphs, "tracking_no": complaint.tracking_no}
        rows.append((pk, kind, f"{region.name}市监{documents.ABBREVIATION[kind]}〔{on.year}〕{counter.last}号", on,
                     documents.issuer_of(region), content))
    DocumentCounter.objects.bulk_create([c for c in counters.values() if c.pk is None])
    DocumentCounter.objects.bulk_update([c for c in counters.values() if c.pk is not None], ["last"])
    return rows


def demo_notifications(plans: list[Plan], today: date) -> int:
    """A handful of outbox rows for recent steps, one of them a failed SMS waiting for a retry."""
    recent = [p.complaint for p in plans if p.complaint.received_on >= today - timedelta(days=20)
              and p.complaint.kind == Kind.COMPLAINT][:8]
    rows = []
    for index, complaint in enumerate(recent):
        label = "收到投诉"
        text = f"【放心消费】我们已收到您的投诉（投诉编号 {complaint.tracking_no}，可凭编号和手机后四位查询进度）"
        failed = index == 0
        rows.append(Notification(
            channel="sms", recipient=complaint.complainant_phone, recipient_kind="consumer", subject=label,
            body=text, object_type="complaint", object_id=complaint.tracking_no,
            status=NotificationStatus.FAILED if failed else NotificationStatus.SENT, attempts=1,
            last_error="ConnectionError: 短信网关不可达" if failed else "",
            backend="FailingBackend" if failed else "OutboxBackend",
            sent_at=None if failed else timezone.now()))
    Notification.objects.bulk_create(rows)
    return len(rows)


def load_merchant_journey(actor, today: date) -> int:
    """Three fresh complaints about the demo merchant's business, waiting in the operator stage (real services)."""
    from fangxin.accounts.models import MerchantBinding
    from fangxin.campaign.selectors import current_enrollment
    from fangxin.campaign.services import enrollment_create
    from fangxin.organisation.selectors import current_commitment

    from .services import ComplaintInput, complaint_operator_offer, complaint_submit

    binding = (MerchantBinding.objects.filter(user__username="shangjia", status="confirmed")
               .select_related("entity", "user").first())
    if binding is None:
        return 0
    entity = binding.entity
    try:
        if current_enrollment(entity) is None:
            enrollment_create(actor=actor, entity=entity, commitment_version=current_commitment().version,
                              specific_codes=[], display_method="in_store",
                              signed_name=entity.legal_representative or "经营者", agreed=True)
    except FangxinError:
        return 0
    public = Actor(user=None, name=PUBLIC_NAME, role="public")
    made = 0
    cases = [("过期酸奶", "昨天在店里买的酸奶已经过了保质期两天，找店员退换说要等店长。", "退款", "12.80", 1),
             ("电饭煲", "买了不到一周的电饭煲煮饭时漏电，插座都烧黑了。", "退货退款", "359.00", 3),
             ("会员卡充值", "店里搞活动充值送礼品，充值后礼品一直没给。", "补发礼品或退还充值款", "500.00", 5)]
    for index, (item, description, demand, amount, back) in enumerate(cases):
        ref = f"DEMO-M{index + 1}"
        if Complaint.objects.filter(external_ref=ref).exists():
            continue
        received = today - timedelta(days=back)
        complaint, _ = complaint_submit(actor=public, channel=Channel.WEB, data=ComplaintInput(
            complainant_name=["赵小燕", "钱大勇", "孙丽娜"][index], complainant_phone=f"1394781{index:04d}",
            business_name=entity.name, entity_id=entity.pk, item=item, description=description, demand=demand,
            amount=amount, purchased_on=received - timedelta(days=2), received_on=received,
            consent_mediation=True, consent_publication=index != 1, external_ref=ref))
        if index == 2 and complaint.status == Status.OPERATOR:
            complaint_operator_offer(actor=Actor.for_user(binding.user), complaint=complaint,
                                     settlement_type=SettlementType.REFUND, amount=amount, note="全额退还充值款")
        made += 1
    return made
