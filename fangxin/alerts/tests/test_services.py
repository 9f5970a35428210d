"""The daily scan (idempotent), the warning workflow with its permissions and audit, thresholds, declarations."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.accounts.tests.factories import make_user
from fangxin.alerts import selectors, services
from fangxin.alerts.choices import WarningKind, WarningStatus
from fangxin.alerts.flows import WARNING_FLOW
from fangxin.alerts.models import AlertSettings, PrepaidScheme, Warning
from fangxin.core.actors import Actor
from fangxin.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord, Notification
from fangxin.merchants.tests.factories import make_entity

from .factories import SYSTEM, add_complaints, declare

pytestmark = pytest.mark.django_db


def scan(on=None):
    return services.scan(actor=Actor.system("test"), on=on)


def surge_on(entity):
    """Six complaints in the last two days, one two months ago: a business surge and a mass incident."""
    return add_complaints(entity, {0: 3, 1: 3, 60: 1})


def test_scan_raises_business_surge_and_mass_incident_for_the_lead_department(users, entities):
    shop = entities["a_food"]
    evidence = surge_on(shop)
    result = scan()
    by_kind = {w.kind: w for w in result.created}
    assert set(by_kind) >= {WarningKind.ENTITY_SURGE, WarningKind.MASS_INCIDENT}
    warning = by_kind[WarningKind.ENTITY_SURGE]
    assert warning.entity == shop and warning.region == shop.region and warning.department.code == "fda"
    assert warning.observed == 6 and warning.status == WarningStatus.OPEN and warning.subject_label == shop.name
    assert set(warning.evidence) == {c.pk for c in evidence[:6]}
    assert warning.events.get().label == "发出预警"
    assert AuditRecord.objects.filter(action="alerts.warning.create", object_id=str(warning.pk)).exists()
    assert by_kind[WarningKind.MASS_INCIDENT].observed == 6


def test_scan_is_idempotent_per_day_and_refreshes_an_open_warning(users, entities):
    shop = entities["a_food"]
    surge_on(shop)
    first = scan()
    assert first.created and scan().created == [] and scan().unchanged == first.found
    tomorrow = timezone.localdate() + timedelta(days=1)
    # the next day (simulated by scanning yesterday's data first and today's after): refresh, not a second one
    count = Warning.objects.count()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert scan(on=yesterday).created == []  # already warned about on a later day
    assert Warning.objects.count() == count
    with pytest.raises(ValidationFailed):
        scan(on=tomorrow)


def test_open_warning_is_refreshed_with_new_evidence(users, entities):
    shop = entities["a_food"]
    add_complaints(shop, {2: 3, 3: 2, 60: 1})
    two_days_ago = timezone.localdate() - timedelta(days=1)
    created = scan(on=two_days_ago).created
    warning = next(w for w in created if w.kind == WarningKind.ENTITY_SURGE)
    add_complaints(shop, {0: 2})
    result = scan()
    assert warning.pk in [w.pk for w in result.refreshed]
    warning.refresh_from_db()
    assert warning.observed == 7 and warning.last_seen_on == timezone.localdate()
    assert warning.detected_on == two_days_ago and len(warning.evidence) == 7


def test_closed_warning_comes_back_only_with_new_complaints(users, entities):
    shop = entities["a_food"]
    add_complaints(shop, {1: 6, 60: 1})
    yesterday = timezone.localdate() - timedelta(days=1)
    warning = next(w for w in scan(on=yesterday).created if w.kind == WarningKind.ENTITY_SURGE)
    for status, note in ((WarningStatus.ACKNOWLEDGED, ""), (WarningStatus.CLOSED, "已约谈，退款完毕")):
        services.warning_transition(actor=SYSTEM, warning=warning, to_status=status, note=note)
    assert not [w for w in scan().created if w.kind == WarningKind.ENTITY_SURGE]
    add_complaints(shop, {0: 1})
    again = [w for w in scan().created if w.kind == WarningKind.ENTITY_SURGE]
    assert len(again) == 1 and again[0].pk != warning.pk and again[0].observed == 7
    assert Warning.objects.filter(kind=WarningKind.ENTITY_SURGE, status=WarningStatus.OPEN).get() == again[0]


def test_group_and_problem_surges_go_to_the_county(users, reference):
    shops = [make_entity(county="150821", sector="tourism", name=f"五原县旅行社{i}") for i in range(6)]
    for i, shop in enumerate(shops):
        add_complaints(shop, {i % 3: 1}, problem_types=("false_ad",), description="低价团强制购物")
    found = {w.kind: w for w in scan().created}
    group = found[WarningKind.GROUP_SURGE]
    assert group.sector.code == "tourism" and group.region.code == "150821"
    assert group.subject_label == "旅游 · 五原县" and group.department.code == "tourism"
    problem = found[WarningKind.PROBLEM_SURGE]
    assert problem.problem_type == "false_ad" and problem.department.code == "amr" and problem.sector is None
    assert problem.subject_label == "虚假宣传 · 五原县"
    # the office's department sees and handles it; a sector department does not see it
    amr = make_user("amr_staff", "department_staff", region="150800", department="amr")
    assert selectors.warning_get(amr, problem.pk) and services.can_handle(amr, problem)
    assert problem.pk not in selectors.warnings_visible(users["department"]).values_list("pk", flat=True)
    tourism = make_user("lvfa_staff", "department_staff", region="150800", department="tourism")
    assert set(selectors.warnings_visible(tourism).values_list("pk", flat=True)) == {group.pk}


def test_prepaid_risk_combines_the_declaration_and_closure_words(users, reference):
    gym = make_entity(county="150802", sector="beauty_fitness", name="临河区力健健身会所")
    declare(gym, custody="none", custodian="")
    add_complaints(gym, {1: 1}, problem_types=("prepaid",), description="健身房关门了，老板联系不上，年卡余额两千元")
    warning = next(w for w in scan().created if w.kind == WarningKind.PREPAID_RISK)
    assert warning.severity == "high" and warning.entity == gym
    assert warning.reasons[0].startswith("已申报预付卡：储值卡（充值卡），余额 125000.00 元，无存管或担保")
    assert "“关门”" in warning.reasons[-1] and "“联系不上”" in warning.reasons[-1]


def test_food_business_is_not_a_prepaid_subject(users, entities):
    add_complaints(entities["a_food"], {1: 1}, problem_types=("prepaid",), description="超市购物卡不让用，超市关门了")
    assert not [w for w in scan().created if w.kind == WarningKind.PREPAID_RISK]


def test_notifications_go_to_unit_heads_after_commit(users, entities, django_capture_on_commit_callbacks):
    head = make_user("linhe_head", "county_staff", region="150802")
    head.is_unit_head, head.phone = True, "13900001111"
    head.save()
    surge_on(entities["a_food"])
    with django_capture_on_commit_callbacks(execute=True):
        scan()
    bodies = sorted(Notification.objects.filter(recipient="13900001111", object_type="warning")
                    .values_list("body", flat=True))
    assert len(bodies) == 2  # the business surge and the mass incident; the county's own figures follow them
    assert all("临河区华联超市" in body and "请登录工作台签收处置" in body for body in bodies)
    assert not Notification.objects.filter(recipient="13900001111").exclude(object_type="warning").exists()


# --- the workflow ----------------------------------------------------------------------------------------------

@pytest.fixture
def warning(users, entities):
    surge_on(entities["a_food"])
    return next(w for w in scan().created if w.kind == WarningKind.ENTITY_SURGE)


def actor(user):
    return Actor.for_user(user)


def test_acknowledge_handle_close_with_timeline_and_audit(users, warning):
    county = users["county_a"]
    services.warning_transition(actor=actor(county), warning=warning, to_status=WarningStatus.ACKNOWLEDGED)
    services.warning_transition(actor=actor(users["department"]), warning=warning, to_status=WarningStatus.HANDLING,
                                note="已约谈经营者，下架同批次商品")
    done = services.warning_transition(actor=actor(users["office"]), warning=warning,
                                       to_status=WarningStatus.CLOSED, note="退款完成，无新增投诉")
    assert done.status == WarningStatus.CLOSED and done.acknowledged_by == "county_a"
    assert done.handling_note == "已约谈经营者，下架同批次商品" and done.closed_by == "office"
    assert [e.label for e in done.events.all()] == ["发出预警", "签收", "开始处置", "办结"]
    actions = list(AuditRecord.objects.filter(object_id=str(warning.pk), object_type="alerts.warning")
                   .values_list("action", flat=True).order_by("seq"))
    assert actions == ["alerts.warning.create", "alerts.warning.acknowledged", "alerts.warning.handling",
                       "alerts.warning.closed"]


def test_wrong_order_and_missing_note_are_refused(users, warning):
    office = actor(users["office"])
    with pytest.raises(TransitionNotAllowed):
        services.warning_transition(actor=office, warning=warning, to_status=WarningStatus.HANDLING, note="x")
    services.warning_transition(actor=office, warning=warning, to_status=WarningStatus.ACKNOWLEDGED)
    with pytest.raises(ValidationFailed):
        services.warning_transition(actor=office, warning=warning, to_status=WarningStatus.CLOSED, note=" ")
    with pytest.raises(ValidationFailed):
        services.warning_transition(actor=office, warning=warning, to_status="archived")


def test_who_may_handle(users, warning):
    for name in ("county_b", "association", "auditor", "merchant"):
        with pytest.raises(PermissionDenied):
            services.warning_transition(actor=actor(users[name]), warning=warning,
                                        to_status=WarningStatus.ACKNOWLEDGED)
    tourism = make_user("lvfa", "department_staff", region="150800", department="tourism")
    with pytest.raises(PermissionDenied):
        services.warning_transition(actor=actor(tourism), warning=warning, to_status=WarningStatus.ACKNOWLEDGED)


def test_scope_of_the_list(users, warning):
    visible = {name: set(selectors.warnings_visible(users[name]).values_list("pk", flat=True)) for name in users}
    assert warning.pk in visible["county_a"] and warning.pk in visible["department"]
    assert warning.pk in visible["office"] and warning.pk in visible["auditor"]
    assert warning.pk not in visible["county_b"] and warning.pk not in visible["merchant"]
    with pytest.raises(NotFound):
        selectors.warning_get(users["county_b"], warning.pk)
    assert [c.pk for c in selectors.evidence_complaints(users["county_a"], warning)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(WarningStatus.values), max_size=6))
def test_status_only_moves_along_the_table(users, warning, steps):
    Warning.objects.filter(pk=warning.pk).update(status=WarningStatus.OPEN)
    current = WarningStatus.OPEN
    for target in steps:
        try:
            services.warning_transition(actor=SYSTEM, warning=warning, to_status=target, note="说明")
        except TransitionNotAllowed:
            assert not WARNING_FLOW.can(current, target)
        else:
            assert WARNING_FLOW.can(current, target)
            current = target
        assert Warning.objects.get(pk=warning.pk).status == current


# --- thresholds and declarations -------------------------------------------------------------------------------

def test_office_edits_thresholds_and_the_scan_uses_them(users, entities):
    add_complaints(entities["a_food"], {0: 2, 1: 1})
    assert not [w for w in scan().created if w.kind == WarningKind.MASS_INCIDENT]
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=actor(users["county_a"]), values={"mass_threshold": 3})
    with pytest.raises(ValidationFailed) as error:
        services.settings_update(actor=actor(users["office"]), values={"baseline_days": 7})
    assert error.value.details == {"field": "baseline_days"}
    services.settings_update(actor=actor(users["office"]), values={"mass_threshold": 3})
    assert AlertSettings.objects.get().mass_threshold == 3
    assert AuditRecord.objects.filter(action="alerts.settings.update").get().changes == {"mass_threshold": [5, 3]}
    Warning.objects.all().delete()
    assert [w for w in scan().created if w.kind == WarningKind.MASS_INCIDENT]


def test_closure_words_are_parsed(users):
    services.settings_update(actor=actor(users["office"]), values={"closure_words": "跑路，关门, 停业、 ,跑路"})
    assert services.current_settings().words() == ("跑路", "关门", "停业")
    with pytest.raises(ValidationFailed):
        services.settings_update(actor=actor(users["office"]), values={"closure_words": "、，"})


def test_merchant_declares_prepaid_scheme(users, reference):
    salon = make_entity(county="150802", sector="beauty_fitness", name="临河区丽人美发店")
    owner = make_user("salon", "merchant", entities=[salon])
    data = services.PrepaidInput(issues_cards=True, card_types=["stored_value", "count"],
                                 outstanding_balance="86,500.5", cardholders="120", custody="guarantee",
                                 custodian="人保财险")
    scheme = services.prepaid_declare(actor=actor(owner), entity=salon, data=data)
    assert scheme.outstanding_balance == scheme.outstanding_balance.quantize(scheme.outstanding_balance) and \
        str(scheme.outstanding_balance) == "86500.50"
    assert scheme.card_type_labels == ["储值卡（充值卡）", "次卡"] and scheme.declared_by == "salon"
    assert selectors.prepaid_for_profile(salon).scheme == scheme
    again = services.prepaid_declare(actor=actor(owner), entity=salon,
                                     data=services.PrepaidInput(issues_cards=False))
    assert again.pk == scheme.pk and again.card_types == [] and again.summary == "不发行预付卡"
    changes = AuditRecord.objects.filter(action="alerts.prepaid.declare").order_by("seq").last().changes
    assert changes["issues_cards"] == [True, False]


@pytest.mark.parametrize(("field", "value"), [("card_types", []), ("card_types", ["gold"]),
                                              ("outstanding_balance", "很多"), ("outstanding_balance", "-1"),
                                              ("cardholders", "1.5"), ("custody", "vault"), ("custodian", "")])
def test_declaration_is_validated(users, reference, field, value):
    salon = make_entity(county="150802", sector="education", name="临河区启航培训学校")
    owner = make_user("school", "merchant", entities=[salon])
    values = dict(issues_cards=True, card_types=["course"], outstanding_balance="1000", cardholders=5,
                  custody="bank", custodian="农业银行")
    values[field] = value
    with pytest.raises(ValidationFailed) as error:
        services.prepaid_declare(actor=actor(owner), entity=salon, data=services.PrepaidInput(**values))
    assert error.value.details["field"] == field
    assert not PrepaidScheme.objects.exists()


def test_only_the_bound_merchant_of_a_prepaid_sector_declares(users, entities, reference):
    salon = make_entity(county="150802", sector="beauty_fitness", name="临河区丽人美发店")
    data = services.PrepaidInput(issues_cards=False)
    with pytest.raises(PermissionDenied):
        services.prepaid_declare(actor=actor(users["merchant"]), entity=salon, data=data)  # not bound to it
    with pytest.raises(ValidationFailed):
        services.prepaid_declare(actor=actor(users["merchant"]), entity=entities["a_food"], data=data)
    assert selectors.merchant_prepaid_entities(users["merchant"]) == []
    assert selectors.prepaid_for_profile(entities["a_food"]) is None
