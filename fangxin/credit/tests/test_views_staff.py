"""The staff credit pages: list entries, entering and exiting a list, a business's ledger with its forms."""

from datetime import date

import pytest
from django.urls import reverse

from fangxin.core.actors import Actor
from fangxin.credit import services
from fangxin.credit.models import CreditEvent, ListEntry

ENTER = {"kind": "abnormal", "reason_code": "AB01", "reason": "", "authority": "临河区市场监督管理局",
         "document_number": "临市监异〔2026〕21号", "entered_on": "2026-10-01"}


def as_user(client, user):
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def enter(entity, kind="abnormal", code="AB01", number="临市监异〔2026〕1号"):
    return services.list_enter(actor=Actor.system("test"), entity=entity, kind=kind, reason_code=code,
                               reason=services.reason_label(kind, code), authority="临河区市场监督管理局",
                               document_number=number, entered_on=date(2026, 9, 1))


@pytest.mark.django_db
def test_the_list_page_shows_only_entries_in_scope_and_filters(client, users, entities):
    enter(entities["a_food"])
    enter(entities["a_ecommerce"], kind="warning", code="WN01", number="临市监警〔2026〕2号")
    enter(entities["b_food"], number="五市监异〔2026〕3号")
    page = as_user(client, users["county_a"]).get(reverse("credit:lists"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "临河区华联超市" in text and "临河区乐购电商旗舰店" in text and "五原县华联生鲜超市" not in text
    filtered = client.get(reverse("credit:lists"), {"list": "warning"}).content.decode()
    assert "临河区乐购电商旗舰店" in filtered and "临河区华联超市" not in filtered
    by_code = client.get(reverse("credit:lists"), {"q": entities["a_food"].uscc.lower()}).content.decode()
    assert "临河区华联超市" in by_code and "临河区乐购电商旗舰店" not in by_code
    office = as_user(client, users["office"]).get(reverse("credit:lists"), {"county": "150821"}).content.decode()
    assert "五原县华联生鲜超市" in office and "临河区华联超市" not in office


@pytest.mark.django_db
def test_exited_entries_are_listed_apart(client, users, entities):
    entry = enter(entities["a_food"])
    services.list_exit(actor=Actor.system("test"), entry=entry, exit_reason="remedied", exited_on=date(2026, 10, 1),
                       document_number="临市监移〔2026〕1号")
    current = as_user(client, users["county_a"]).get(reverse("credit:lists")).content.decode()
    assert "临河区华联超市" not in current
    exited = client.get(reverse("credit:lists"), {"status": "exited"}).content.decode()
    assert "临河区华联超市" in exited and "已改正" in exited


@pytest.mark.django_db
def test_a_clerk_enters_a_business_by_its_code_and_lands_on_its_ledger(client, users, entities):
    entity = entities["a_food"]
    response = as_user(client, users["county_a"]).post(reverse("credit:list_enter"), {**ENTER, "uscc": entity.uscc})
    assert response.status_code == 302 and response.url == reverse("credit:ledger", args=[entity.uscc])
    entry = ListEntry.objects.get(entity=entity)
    assert entry.reason == "未按规定期限公示年度报告" and entry.document_number == "临市监异〔2026〕21号"
    ledger = client.get(response.url)
    assert "已将临河区华联超市列入经营异常名录" in " ".join(messages_of(ledger))
    assert "列入经营异常名录" in ledger.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("change, message", [
    ({"uscc": "91150802MA00000008"}, "未找到统一社会信用代码为"),  # valid, not in the registry
    ({"uscc": "91150802MA0000000X"}, "校验位错误"),
    ({"reason_code": "SV01"}, "事由代码“SV01”无效"),
    ({"reason_code": "AB99"}, "须写明具体事由"),
    ({"entered_on": "2099-01-01"}, "日期不能晚于今天"),
    ({"document_number": ""}, "请填写决定书文号"),
])
def test_bad_input_on_the_enter_page_is_a_message_and_nothing_is_written(client, users, entities, change, message):
    data = {**ENTER, "uscc": entities["a_food"].uscc, **change}
    response = as_user(client, users["county_a"]).post(reverse("credit:list_enter"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ListEntry.objects.exists() and not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_a_business_of_another_county_cannot_be_entered(client, users, entities):
    response = as_user(client, users["county_a"]).post(reverse("credit:list_enter"),
                                                      {**ENTER, "uscc": entities["b_food"].uscc})
    assert "不在您的管辖范围" in response.content.decode()
    assert not ListEntry.objects.exists()


@pytest.mark.django_db
def test_a_second_entry_on_the_same_list_is_refused_with_a_message(client, users, entities):
    enter(entities["a_food"])
    response = as_user(client, users["county_a"]).post(reverse("credit:list_enter"),
                                                      {**ENTER, "uscc": entities["a_food"].uscc})
    assert "已在经营异常名录中" in response.content.decode()
    assert ListEntry.objects.count() == 1


@pytest.mark.django_db
def test_the_exit_page_takes_the_business_off_the_list(client, users, entities):
    entry = enter(entities["a_food"])
    url = reverse("credit:list_exit", args=[entry.pk])
    page = as_user(client, users["county_a"]).get(url)
    assert page.status_code == 200 and "确认移出" in page.content.decode()
    bad = client.post(url, {"exit_reason": "remedied", "exited_on": "2026-10-01", "document_number": ""})
    assert "请填写移出决定书文号" in bad.content.decode()
    early = client.post(url, {"exit_reason": "remedied", "exited_on": "2026-08-01", "document_number": "移〔2026〕1号"})
    assert "移出日期不能早于列入日期" in early.content.decode()
    entry.refresh_from_db()
    assert entry.exited_on is None
    done = client.post(url, {"exit_reason": "decision_revoked", "exited_on": "2026-10-01",
                             "document_number": "临市监撤〔2026〕1号"})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.exit_reason == "decision_revoked" and entry.exit_document_number == "临市监撤〔2026〕1号"


@pytest.mark.django_db
def test_an_auditor_reads_but_cannot_decide(client, users, entities):
    entry = enter(entities["a_food"])
    auditor = as_user(client, users["auditor"])
    assert auditor.get(reverse("credit:lists")).status_code == 200
    assert auditor.get(reverse("credit:list_enter")).status_code == 404
    page = auditor.get(reverse("credit:list_exit", args=[entry.pk]))
    assert page.status_code == 200 and "确认移出" not in page.content.decode()
    assert auditor.post(reverse("credit:list_exit", args=[entry.pk]),
                        {"exit_reason": "remedied", "exited_on": "2026-10-01", "document_number": "x"}).status_code == 404
    ledger = auditor.get(reverse("credit:ledger", args=[entities["a_food"].uscc])).content.decode()
    assert "只读" in ledger and "penalty-form" not in ledger
    assert auditor.post(reverse("credit:penalty_new", args=[entities["a_food"].uscc]), {}).status_code == 404


@pytest.mark.django_db
def test_merchants_and_anonymous_users_do_not_get_the_pages(client, users, entities):
    assert client.get(reverse("credit:lists")).status_code == 302  # to the login page
    merchant = as_user(client, users["merchant"])
    for url in (reverse("credit:lists"), reverse("credit:ledger", args=[entities["a_food"].uscc]),
                reverse("credit:import")):
        assert merchant.get(url).status_code == 404


@pytest.mark.django_db
def test_a_ledger_outside_the_scope_is_not_found(client, users, entities):
    assert as_user(client, users["county_a"]).get(
        reverse("credit:ledger", args=[entities["b_food"].uscc])).status_code == 404
    find = client.get(reverse("credit:ledger_find"), {"uscc": entities["b_food"].uscc})
    assert find.status_code == 200 and "不在您的管辖范围" in find.content.decode()
    found = client.get(reverse("credit:ledger_find"), {"uscc": entities["a_food"].uscc.lower()})
    assert found.status_code == 302 and found.url == reverse("credit:ledger", args=[entities["a_food"].uscc])
    by_name = client.get(reverse("credit:ledger_find"), {"uscc": "华联"}).content.decode()
    assert "临河区华联超市" in by_name and "五原县华联生鲜超市" not in by_name  # names in scope only


@pytest.mark.django_db
def test_the_ledger_page_records_a_penalty_and_a_breach_newest_first(client, users, entities):
    entity = entities["a_food"]
    clerk = as_user(client, users["county_a"])
    penalty = {"penalty-decided_on": "2026-10-08", "penalty-document_number": "临市监处罚〔2026〕88号",
               "penalty-authority": "临河区市场监督管理局", "penalty-detail": "销售过期食品，罚款 5000 元"}
    response = clerk.post(reverse("credit:penalty_new", args=[entity.uscc]), penalty)
    assert response.status_code == 302
    again = clerk.post(reverse("credit:penalty_new", args=[entity.uscc]), penalty, follow=True)
    assert "此前已经记入" in " ".join(messages_of(again))
    clerk.post(reverse("credit:breach_new", args=[entity.uscc]), {
        "breach-occurred_on": "2026-11-02", "breach-detail": "拒绝七日无理由退货"})
    page = clerk.get(reverse("credit:ledger", args=[entity.uscc])).content.decode()
    assert page.index("拒绝七日无理由退货") < page.index("销售过期食品")  # newest first
    assert "penalty:临市监处罚〔2026〕88号" in page and "临河区市场监督管理局" in page
    assert CreditEvent.objects.filter(entity=entity).count() == 2


@pytest.mark.django_db
def test_a_bad_penalty_is_shown_on_the_ledger_page_and_not_recorded(client, users, entities):
    entity = entities["a_food"]
    response = as_user(client, users["county_a"]).post(reverse("credit:penalty_new", args=[entity.uscc]), {
        "penalty-decided_on": "2026-13-40", "penalty-document_number": "", "penalty-authority": "临河区市场监督管理局",
        "penalty-detail": "x"})
    text = response.content.decode()
    assert response.status_code == 200 and "请填写有效的日期" in text and "请填写处罚决定书文号" in text
    assert not CreditEvent.objects.exists()


@pytest.mark.django_db
def test_the_menu_shows_the_credit_pages_by_role(client, users):
    from fangxin.workbench.navigation import items_for

    assert {"credit:lists", "credit:ledger_find", "credit:import"} <= {i.url_name for i in items_for(users["county_a"])}
    auditor = {i.url_name for i in items_for(users["auditor"])}
    assert "credit:lists" in auditor and "credit:import" not in auditor
    assert "credit:lists" not in {i.url_name for i in items_for(users["merchant"])}


@pytest.mark.django_db
def test_the_ledger_page_says_a_list_caps_the_grade(client, users, entities):
    from datetime import date

    from fangxin.core.actors import Actor
    from fangxin.credit.services import list_enter

    list_enter(actor=Actor.system("t"), entity=entities["a_food"], kind="serious", reason_code="SV01", reason="售假",
               authority="临河区市场监督管理局", document_number="临市监严〔2026〕3号", entered_on=date(2026, 3, 2))
    client.force_login(users["county_a"])
    page = client.get(reverse("credit:ledger", args=[entities["a_food"].uscc])).content.decode()
    assert "因列入严重违法失信名单，等级最高为 D 级（按分数本为 A 级）" in page


@pytest.mark.django_db
def test_a_malformed_code_is_named_as_such(users, entities):
    from fangxin.core.exceptions import NotFound
    from fangxin.credit.list_selectors import entity_for_staff

    with pytest.raises(NotFound, match="应为 18 位"):
        entity_for_staff(users["county_a"], "12345")
    with pytest.raises(NotFound, match="不在您的管辖范围"):
        entity_for_staff(users["county_a"], entities["b_food"].uscc)  # valid code, another county
