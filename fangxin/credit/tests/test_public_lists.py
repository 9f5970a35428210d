"""The public credit lists (xinyong/), the exits page and the CSV/JSON exports."""

import csv
import io
import json
from datetime import date

import pytest
from django.urls import reverse

from fangxin.core.actors import Actor
from fangxin.credit import exports, services
from fangxin.merchants.tests.factories import make_entity

SYSTEM = Actor.system("test")


def enter(entity, kind="abnormal", code="AB01", number="临市监异〔2026〕1号", on=date(2026, 9, 1)):
    return services.list_enter(actor=SYSTEM, entity=entity, kind=kind, reason_code=code,
                               reason=services.reason_label(kind, code), authority="临河区市场监督管理局",
                               document_number=number, entered_on=on)


@pytest.fixture
def listed(entities):
    abnormal = enter(entities["a_food"])
    serious = enter(entities["b_food"], kind="serious", code="SV01", number="五市监严〔2026〕2号")
    warning = enter(entities["a_ecommerce"], kind="warning", code="WN02", number="临市监警〔2026〕3号")
    exited = enter(entities["b_tourism"], number="五市监异〔2026〕4号")
    services.list_exit(actor=SYSTEM, entry=exited, exit_reason="remedied", exited_on=date(2026, 10, 1),
                       document_number="五市监移〔2026〕5号")
    return {"abnormal": abnormal, "serious": serious, "warning": warning, "exited": exited}


@pytest.mark.django_db
def test_the_public_page_shows_the_current_entries_with_their_decisions(client, listed):
    page = client.get(reverse("credit:public_lists"))
    text = page.content.decode()
    assert page.status_code == 200
    for name in ("临河区华联超市", "五原县华联生鲜超市", "临河区乐购电商旗舰店"):
        assert name in text
    assert "五原县河套国际旅行社" not in text  # exited
    assert "未按规定期限公示年度报告" in text and "临市监异〔2026〕1号" in text and "2026年9月1日" in text
    assert listed["abnormal"].entity.uscc in text


@pytest.mark.django_db
def test_the_public_page_filters_by_list_and_searches_name_or_code(client, listed):
    serious = client.get(reverse("credit:public_lists"), {"list": "serious"}).content.decode()
    assert "五原县华联生鲜超市" in serious and "临河区华联超市" not in serious
    by_name = client.get(reverse("credit:public_lists"), {"q": "乐购 电商"}).content.decode()
    assert "临河区乐购电商旗舰店" in by_name and "临河区华联超市" not in by_name
    uscc = listed["abnormal"].entity.uscc
    by_code = client.get(reverse("credit:public_lists"), {"q": uscc.lower()}).content.decode()
    assert "临河区华联超市" in by_code and "五原县华联生鲜超市" not in by_code
    nothing = client.get(reverse("credit:public_lists"), {"q": "不存在的商户", "list": "nonsense"})
    assert nothing.status_code == 200 and "没有找到符合条件的记录" in nothing.content.decode()


@pytest.mark.django_db
def test_no_personal_data_is_published(client, reference):
    person = make_entity(county="150802", sector="food_drug", name="临河区小王烧烤店", legal_representative="王某某",
                         contact_phone="13900001111", address="临河区胜利路 8 号")
    enter(person)
    text = client.get(reverse("credit:public_lists")).content.decode()
    body = json.dumps(exports.record(person.list_entries.get()), ensure_ascii=False)
    for private in ("王某某", "13900001111", "胜利路"):
        assert private not in text and private not in body


@pytest.mark.django_db
def test_the_exits_page_lists_exits_with_their_reason(client, listed):
    text = client.get(reverse("credit:public_exits")).content.decode()
    assert "五原县河套国际旅行社" in text and "已改正" in text and "五市监移〔2026〕5号" in text
    assert "临河区华联超市" not in text


@pytest.mark.django_db
def test_the_csv_export_opens_in_excel_and_has_every_documented_column(client, listed):
    response = client.get(reverse("credit:public_export_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [column for _, column, _, _ in exports.FIELDS]
    assert len(rows) == 4  # header + three current entries
    by_code = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    serious = by_code[listed["serious"].entity.uscc]
    assert serious["名单代码"] == "serious" and serious["列入决定书文号"] == "五市监严〔2026〕2号"
    assert serious["列入日期"] == "2026-09-01" and serious["状态"] == "current" and serious["移出日期"] == ""


@pytest.mark.django_db
def test_the_exports_with_exits_and_per_list(client, listed):
    rows = list(csv.reader(io.StringIO(b"".join(client.get(
        reverse("credit:public_export_csv"), {"status": "all"}).streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 5
    data = json.loads(client.get(reverse("credit:public_export_json"), {"status": "exited"}).content)
    assert data["format_version"] == 1 and data["status"] == "exited" and data["count"] == 1
    record = data["records"][0]
    assert set(record) == {key for key, _, _, _ in exports.FIELDS}
    assert record["exit_reason"] == "remedied" and record["exited_on"] == "2026-10-01"
    assert record["exit_document_number"] == "五市监移〔2026〕5号"
    warning = json.loads(client.get(reverse("credit:public_export_json"), {"list": "warning"}).content)
    assert [r["uscc"] for r in warning["records"]] == [listed["warning"].entity.uscc]
    assert warning["records"][0]["exited_on"] is None and warning["list"] == "warning"


@pytest.mark.django_db
def test_an_unknown_export_filter_is_not_found(client, listed):
    assert client.get(reverse("credit:public_export_json"), {"status": "deleted"}).status_code == 404
    assert client.get(reverse("credit:public_export_csv"), {"list": "blacklist"}).status_code == 404


@pytest.mark.django_db
def test_a_cell_that_looks_like_a_formula_is_defused(client, reference):
    entity = make_entity(county="150802", sector="food_drug", name="=HYPERLINK(\"x\")商店")
    enter(entity)
    text = b"".join(client.get(reverse("credit:public_export_csv")).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text


@pytest.mark.django_db
def test_the_public_page_is_small(client, listed):
    assert len(client.get(reverse("credit:public_lists")).content) < 150 * 1024


@pytest.mark.django_db
def test_the_public_page_and_the_export_take_a_fixed_number_of_queries(client, reference,
                                                                     django_assert_max_num_queries):
    for number in range(40):
        enter(make_entity(county="150802" if number % 2 else "150821", sector="food_drug"), number=f"异〔2026〕{number}号")
    with django_assert_max_num_queries(6):
        page = client.get(reverse("credit:public_lists"))
    assert page.content.decode().count('class="result"') == 30  # the first page
    with django_assert_max_num_queries(4):
        data = json.loads(client.get(reverse("credit:public_export_json")).content)
    assert data["count"] == 40
