"""A county clerk enters a business on the business-anomaly list and records an administrative penalty at the
workbench (desktop); a consumer finds the entry on the public credit list on a phone; the CSV export downloads
with every documented column."""

import csv
import io
import re

import pytest
from django.utils import timezone

from fangxin.credit.exports import FIELDS
from fangxin.credit.models import CreditEvent, ListEntry

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


def test_clerk_enters_the_list_and_a_penalty_and_the_public_sees_it(users, entities, desktop_page, phone_page,
                                                                    tmp_path):
    shop = entities["a_food"]
    today = timezone.localdate().isoformat()
    clerk = desktop_page

    # 1. The clerk opens the credit lists from the menu and enters the shop on the business-anomaly list.
    login(clerk, "county_a")
    click_and_wait(clerk, clerk.get_by_role("navigation", name="工作台导航").get_by_role("link", name="信用名单",
                                                                                      exact=True))
    assert "没有符合条件的名单记录" in clerk.locator("#list-entries").inner_text()
    click_and_wait(clerk, clerk.get_by_role("link", name="列入名单"))
    clerk.get_by_label("统一社会信用代码").fill(shop.uscc.lower())
    clerk.get_by_label(re.compile(r"^名单")).select_option("abnormal")
    clerk.get_by_label("列入事由").select_option("AB04")
    clerk.get_by_label("作出决定机关").fill("临河区市场监督管理局")
    clerk.get_by_label("决定书文号").fill("临市监异〔2026〕15号")
    clerk.get_by_label("列入日期").fill(today)
    axe_check(clerk)
    screenshot(clerk, "credit-list-enter")
    click_and_wait(clerk, clerk.get_by_role("button", name="确认列入"))
    assert "已将临河区华联超市列入经营异常名录" in clerk.locator(".messages").inner_text()
    assert "通过登记的住所或者经营场所无法联系" in clerk.locator("#entity-entries").inner_text()

    # 2. On the shop's ledger the clerk records a penalty; a missing document number is a message first.
    clerk.get_by_label("处罚决定日期").fill(today)
    clerk.get_by_label("作出决定机关").fill("临河区市场监督管理局")
    clerk.get_by_label("违法行为和处罚内容").fill("销售过期食品，没收违法所得并罚款 5000 元")
    click_and_wait(clerk, clerk.get_by_role("button", name="记入行政处罚"))
    assert "请填写处罚决定书文号" in clerk.locator("#penalty-form").inner_text()
    assert not CreditEvent.objects.filter(kind="penalty").exists()
    clerk.get_by_label("处罚决定书文号").fill("临市监处罚〔2026〕88号")
    click_and_wait(clerk, clerk.get_by_role("button", name="记入行政处罚"))
    ledger = clerk.locator("#ledger-events").inner_text()
    assert "行政处罚" in ledger and "临市监处罚〔2026〕88号" in ledger and "列入信用名单" in ledger
    assert "C 级" in clerk.locator("#credit-grade").inner_text()  # the anomaly list caps the grade at C
    axe_check(clerk)
    screenshot(clerk, "credit-ledger")
    assert ListEntry.objects.get(entity=shop).document_number == "临市监异〔2026〕15号"

    # 3. A consumer on a phone searches the public list by name and sees the decision.
    phone = phone_page
    phone.goto("/xinyong/")
    phone.get_by_label("市场主体名称或统一社会信用代码").fill("华联超市")
    click_and_wait(phone, phone.get_by_role("button", name="查询"))
    entries = phone.locator("#public-entries").inner_text()
    assert "临河区华联超市" in entries and shop.uscc in entries
    assert "经营异常名录" in entries and "临市监异〔2026〕15号" in entries
    assert "通过登记的住所或者经营场所无法联系" in entries
    assert phone.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
    axe_check(phone)
    screenshot(phone, "credit-public-list-phone")

    # 4. The CSV export downloads and opens as UTF-8 with the documented columns.
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载 CSV（Excel 可直接打开）").click()
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [column for _, column, _, _ in FIELDS]
    assert [row[1] for row in rows[1:]] == [shop.uscc]
