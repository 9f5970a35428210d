"""Dynamic management (policy 五(四)): what opens a review case, and what a revocation does."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from fangxin.campaign.choices import BadgeStatus, EnrollmentStatus
from fangxin.campaign.models import Enrollment
from fangxin.campaign.services import badge_check
from fangxin.campaign.tests.factories import make_enrollment
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus, CaseStatus, TitleStatus, TriggerKind
from fangxin.campaign.titles.models import (
    Announcement,
    Cycle,
    ManagementCase,
    OutgoingCreditEvent,
    Title,
)
from fangxin.campaign.titles.selectors import open_cases, title_status_of
from fangxin.campaign.titles.tests.factories import SYSTEM, award, make_application, open_cycle, sign_both
from fangxin.campaign.titles.tests.helpers import rows
from fangxin.core.actors import Actor
from fangxin.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.credit.choices import EventKind
from fangxin.credit.models import CreditEvent, CreditGrade
from fangxin.credit.services import list_enter

TODAY = timezone.localdate


def enter(entity, kind, n=1):
    return list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code=f"{kind[:1].upper()}{n}",
                      reason={"serious": "销售假冒伪劣食品，情节严重", "abnormal": "未按期公示年度报告",
                              "warning": "价格提醒告诫"}[kind],
                      authority="巴彦淖尔市市场监督管理局", document_number=f"巴市监〔2026〕{n}号", entered_on=TODAY())


def titled(entity, users):
    """An enrolled unit with a county title (the real services)."""
    application = sign_both(make_application(entity), users["department"], users["association"])
    return award(application, users["office"])


# --- what opens a case ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "trigger"), [("serious", TriggerKind.SERIOUS_LIST),
                                               ("abnormal", TriggerKind.ABNORMAL_LIST)])
def test_a_serious_or_abnormal_entry_opens_one_case(users, entities, kind, trigger):
    make_enrollment(entities["a_food"])
    entry = enter(entities["a_food"], kind)
    case = ManagementCase.objects.get()
    assert (case.entity, case.trigger, case.source_ref, case.status) == (
        entities["a_food"], trigger, f"credit:{entry.pk}", CaseStatus.OPEN)
    assert entry.reason in case.detail
    assert AuditRecord.objects.filter(action="campaign.case.open").count() == 1
    # the periodic scan finds the same entry and opens nothing new
    before = rows()
    services.scan_triggers(actor=SYSTEM)
    services.scan_triggers(actor=SYSTEM)
    assert rows() == before
    assert list(open_cases(users["office"])) == [case]
    assert list(open_cases(users["county_b"])) == []  # out of 五原县's region


def test_the_scan_catches_an_entry_made_before_the_unit_enrolled_elsewhere(users, entities):
    """An entry recorded while the business had nothing to review opens no case; once it holds an enrollment
    (here: joined while on the abnormal list, which is no veto), the scan opens one, once."""
    entry = enter(entities["a_food"], "abnormal")
    assert not ManagementCase.objects.exists()
    make_enrollment(entities["a_food"])
    services.scan_triggers(actor=SYSTEM)
    services.scan_triggers(actor=SYSTEM)
    case = ManagementCase.objects.get()
    assert (case.source_ref, case.trigger) == (f"credit:{entry.pk}", TriggerKind.ABNORMAL_LIST)


def test_a_warning_entry_opens_nothing(users, entities):
    make_enrollment(entities["a_food"])
    enter(entities["a_food"], "warning")
    services.scan_triggers(actor=SYSTEM)
    assert not ManagementCase.objects.exists()


def test_nothing_to_review_means_no_case(users, entities):
    enter(entities["b_tourism"], "serious")
    services.scan_triggers(actor=SYSTEM)
    assert not ManagementCase.objects.exists()
    assert services.case_open(actor=SYSTEM, entity=entities["b_tourism"], trigger=TriggerKind.MANUAL,
                              source_ref="manual:1", detail="巡查") is None


def test_case_open_rejects_an_unknown_trigger(users, entities):
    make_enrollment(entities["a_food"])
    before = rows()
    with pytest.raises(ValidationFailed):
        services.case_open(actor=SYSTEM, entity=entities["a_food"], trigger="rumour", source_ref="x:1", detail="?")
    assert rows() == before


_serial = itertools.count(1)


def _agreements(entity, n, *, received_on=None):
    from fangxin.complaints.choices import Status
    from fangxin.complaints.models import Complaint
    from fangxin.complaints.tests.factories import make_complaint

    made = []
    for _ in range(n):
        index = next(_serial)  # distinct complaints: the same one within 10 minutes is not filed twice
        complaint = make_complaint(Status.AGREEMENT, business_name=entity.name, entity_id=entity.pk,
                                   region_code=entity.region.code, description=f"第 {index} 次投诉：商品有质量问题",
                                   complainant_phone=f"1380000{index:04d}")
        assert complaint.status == Status.AGREEMENT and complaint.entity_id == entity.pk
        made.append(complaint)
    if received_on:
        Complaint.objects.filter(pk__in=[c.pk for c in made]).update(received_on=received_on)
    return made


def test_more_agreements_than_the_limit_in_the_window_open_a_surge_case(users, entities):
    cycle = open_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(complaint_limit=2, complaint_window_days=90)
    make_enrollment(entities["b_food"])
    _agreements(entities["b_food"], 2)
    assert services.scan_triggers(actor=SYSTEM) == []  # 2 is not more than 2
    _agreements(entities["b_food"], 1)
    (case,) = services.scan_triggers(actor=SYSTEM)
    assert (case.entity, case.trigger) == (entities["b_food"], TriggerKind.COMPLAINT_SURGE)
    assert "3 件" in case.detail and "超过 2 件" in case.detail
    before = rows()
    services.scan_triggers(actor=SYSTEM)
    assert rows() == before


def test_old_agreements_and_units_without_enrollment_or_title_do_not_count(users, entities):
    cycle = open_cycle()
    Cycle.objects.filter(pk=cycle.pk).update(complaint_limit=1, complaint_window_days=30)
    make_enrollment(entities["b_food"])
    _agreements(entities["b_food"], 3, received_on=TODAY() - timedelta(days=45))
    _agreements(entities["b_tourism"], 2)  # never enrolled
    assert services.scan_triggers(actor=SYSTEM) == []
    assert not ManagementCase.objects.exists()


# --- deciding a case --------------------------------------------------------------------------------------------

def test_revocation_revokes_titles_and_enrollment_publicly(users, entities):
    open_cycle()
    title = titled(entities["a_food"], users)
    enrollment = Enrollment.objects.get(entity=entities["a_food"])
    assert badge_check(enrollment.badge_token).verdict == BadgeStatus.VALID
    enter(entities["a_food"], "serious")
    case = ManagementCase.objects.get()
    services.case_decide(actor=Actor.for_user(users["association"]), case=case, revoke=True,
                         reason="被列入严重违法失信名单")
    case.refresh_from_db()
    title.refresh_from_db()
    enrollment.refresh_from_db()
    assert (case.status, case.decided_by) == (CaseStatus.REVOKED, "association")
    assert (title.status, title.revoked_on, title.revoked_reason) == (TitleStatus.REVOKED, TODAY(), "被列入严重违法失信名单")
    assert title.application.status == ApplicationStatus.REVOKED
    assert enrollment.status == EnrollmentStatus.REVOKED
    # the badge shows revoked at once
    assert badge_check(enrollment.badge_token).verdict == BadgeStatus.REVOKED
    # published; the title's award and revocation are in the credit ledger (the revocation's outgoing row
    # delivered at once), the enrollment's revocation stays queued for the credit platform
    notices = list(Announcement.objects.filter(entity=entities["a_food"]).values_list("title", flat=True))
    assert len(notices) == 2 and any("称号" in t for t in notices) and any("创建单位资格" in t for t in notices)
    outgoing = {e.kind: e.delivered_at for e in OutgoingCreditEvent.objects.filter(entity=entities["a_food"])}
    assert set(outgoing) == {"创建单位资格撤销", "示范单位称号撤销"}
    assert outgoing["示范单位称号撤销"] is not None and outgoing["创建单位资格撤销"] is None
    ledger = dict(CreditEvent.objects.filter(entity=entities["a_food"], source_ref__startswith="title:")
                  .values_list("source_ref", "kind"))
    assert ledger == {f"title:{title.pk}:award": EventKind.TITLE_AWARDED,
                      f"title:{title.pk}:revoke": EventKind.TITLE_REVOKED}
    explained = {line["kind"] for line in CreditGrade.objects.get(entity=entities["a_food"]).explanation["events"]}
    assert {EventKind.TITLE_AWARDED, EventKind.TITLE_REVOKED} <= explained
    # banks see it as revoked
    (status,) = title_status_of(entities["a_food"].uscc)
    assert status["status"] == TitleStatus.REVOKED
    assert not open_cases(users["office"]).exists()
    # the revoked title no longer earns the city level, and the unit may not apply again until re-enrolled
    assert not Title.objects.valid().filter(entity=entities["a_food"]).exists()


def test_keeping_changes_nothing_but_the_case(users, entities):
    open_cycle()
    title = titled(entities["a_food"], users)
    enter(entities["a_food"], "abnormal")
    case = ManagementCase.objects.get()
    services.case_decide(actor=Actor.for_user(users["office"]), case=case, revoke=False, reason="已按期补报年报")
    case.refresh_from_db()
    title.refresh_from_db()
    assert case.status == CaseStatus.KEPT and title.status == TitleStatus.VALID
    assert Enrollment.objects.get(entity=entities["a_food"]).status == EnrollmentStatus.ACTIVE
    assert not Announcement.objects.exists() and not OutgoingCreditEvent.objects.exists()


def test_a_case_is_decided_once_by_the_office_or_the_association(users, entities):
    make_enrollment(entities["a_food"])
    enter(entities["a_food"], "serious")
    case = ManagementCase.objects.get()
    for who in ("department", "county_a", "merchant"):
        before = rows()
        with pytest.raises(PermissionDenied):
            services.case_decide(actor=Actor.for_user(users[who]), case=case, revoke=True, reason="违法")
        assert rows() == before
    before = rows()
    with pytest.raises(ValidationFailed):
        services.case_decide(actor=Actor.for_user(users["office"]), case=case, revoke=True, reason=" ")
    assert rows() == before
    services.case_decide(actor=Actor.for_user(users["office"]), case=case, revoke=True, reason="严重违法")
    before = rows()
    with pytest.raises(Conflict):
        services.case_decide(actor=Actor.for_user(users["association"]), case=case, revoke=False, reason="保留")
    assert rows() == before


def test_reinstatement_only_through_a_new_application(users, entities):
    """After a revocation the unit must enrol again and apply again: the old title stays revoked."""
    from fangxin.credit.models import ListEntry
    from fangxin.credit.services import list_exit

    open_cycle()
    title = titled(entities["a_food"], users)
    entry = enter(entities["a_food"], "serious")
    services.case_decide(actor=SYSTEM, case=ManagementCase.objects.get(), revoke=True, reason="严重违法")
    list_exit(actor=SYSTEM, entry=ListEntry.objects.get(pk=entry.pk), exit_reason="remedied", exited_on=TODAY())
    with pytest.raises(ValidationFailed, match="有效的放心消费创建单位"):
        services.application_submit(actor=SYSTEM, entity=entities["a_food"], level="city", self_scores={})
    make_enrollment(entities["a_food"])
    with pytest.raises(ValidationFailed, match="须先获得旗县区级"):
        services.application_submit(actor=SYSTEM, entity=entities["a_food"], level="city", self_scores={})
    title.refresh_from_db()
    assert title.status == TitleStatus.REVOKED


def test_title_revoke_alone(users, entities):
    open_cycle()
    title = titled(entities["a_food"], users)
    office = Actor.for_user(users["office"])
    for who in ("department", "county_a"):
        with pytest.raises(PermissionDenied):
            services.title_revoke(actor=Actor.for_user(users[who]), title=title, reason="违规")
    services.title_revoke(actor=office, title=title, reason="虚假宣传")
    before = rows()
    with pytest.raises(Conflict):
        services.title_revoke(actor=office, title=title, reason="再次")
    assert rows() == before
    # the title alone: the enrollment stays
    assert Enrollment.objects.get(entity=entities["a_food"]).status == EnrollmentStatus.ACTIVE
    assert Announcement.objects.count() == 1 and OutgoingCreditEvent.objects.count() == 1
    assert CreditEvent.objects.filter(source_ref=f"title:{title.pk}:revoke", kind=EventKind.TITLE_REVOKED).count() == 1
