"""City staff import 2,000 businesses from an XLSX and fix the rows the error report lists (desktop)."""

import pytest
from django.urls import include, path
from openpyxl import Workbook, load_workbook

import config.urls
from fangxin.core import uscc
from fangxin.merchants.importing import COLUMNS
from fangxin.merchants.models import MarketEntity
from fangxin.organisation.models import Region, Sector

from .conftest import axe_check, login, screenshot

pytestmark = pytest.mark.browser

# The import pages are mounted in config/urls.py by the maintainers; this URLconf routes them for the test either way.
urlpatterns = [
    path("workbench/registry/import/", include("fangxin.merchants.urls_import")),
    *(pattern for pattern in config.urls.urlpatterns if getattr(pattern, "namespace", None) != "registry_import"),
]
handler400, handler403 = config.urls.handler400, config.urls.handler403
handler404, handler500 = config.urls.handler404, config.urls.handler500

HEADERS = [column.header for column in COLUMNS]
ROWS = 2_000


def registry_file(target, bad: dict[int, tuple[str, str]]):
    """ROWS rows over every county and sector (names from the database); `bad` maps an index to (header, value)."""
    counties = list(Region.objects.filter(level="county").order_by("code"))
    sectors = list(Sector.objects.order_by("seq"))
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for i in range(ROWS):
        county, sector = counties[i % len(counties)], sectors[i % len(sectors)]
        row = {
            "统一社会信用代码": uscc.complete(f"92{county.code}MB{i:07d}"),
            "名称": f"{county.name}第{i + 1}号商行",
            "主体类型": "个体工商户",
            "法定代表人": "王伟",
            "经营场所": f"巴彦淖尔市{county.name}新华街 {i + 1} 号",
            "所在旗县区": county.name,
            "行业": sector.name,
            "联系电话": f"1390478{i:04d}",
        }
        if i in bad:
            header, value = bad[i]
            row[header] = value(row[header]) if callable(value) else value
        sheet.append([row.get(h, "") for h in HEADERS])
    book.save(target)
    return target


def wrong_check_character(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


@pytest.mark.urls(__name__)
def test_city_office_imports_2000_businesses_and_fixes_the_rows_the_report_lists(users, desktop_page, tmp_path):
    before = MarketEntity.objects.count()
    bad = {
        10: ("统一社会信用代码", wrong_check_character),
        400: ("所在旗县区", "火星区"),
        800: ("所在旗县区", "巴彦淖尔市"),
        1200: ("行业", "挖矿"),
        1999: ("网店地址", "shop.example.com"),
    }
    source = registry_file(tmp_path / "巴彦淖尔市市场主体名录.xlsx", bad)

    page = desktop_page
    login(page, "office")
    page.goto("/workbench/registry/import/")
    assert page.get_by_role("heading", level=1).inner_text() == "批量导入市场主体"
    assert page.get_by_role("link", name="下载导入模板（XLSX）").is_visible()
    axe_check(page)
    screenshot(page, "registry-import-upload")

    page.get_by_label("导入文件").set_input_files(str(source))
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/workbench/registry/import/results/*/", timeout=60_000)
    assert page.get_by_role("heading", level=1).inner_text() == "导入结果"
    assert page.locator("#count-created").inner_text() == "1995"
    assert page.locator("#count-errors").inner_text() == "5"
    assert "共 2000 行" in page.get_by_role("status").inner_text()
    rows = page.locator("table tbody tr")
    assert rows.locator("td:first-child").all_inner_texts() == ["12", "402", "802", "1202", "2001"]
    assert "不是旗县区" in rows.nth(2).inner_text()
    axe_check(page)
    screenshot(page, "registry-import-result")
    assert MarketEntity.objects.count() == before + 1995

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载错误报告（XLSX）").click()
    report = tmp_path / "错误报告.xlsx"
    download_info.value.save_as(report)
    assert download_info.value.suggested_filename == "错误报告-巴彦淖尔市市场主体名录.xlsx"

    # The clerk fixes the five rows in Excel, guided by 错误说明, and uploads the same file.
    book = load_workbook(report)
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["行号", "错误说明"]
    column = {name: header.index(name) + 1 for name in HEADERS}
    fixed = {
        "统一社会信用代码": lambda value: uscc.complete(value[:17]),
        "所在旗县区": lambda value: "临河区",
        "行业": lambda value: "食品药品",
        "网店地址": lambda value: "https://" + value,
    }
    for line in sheet.iter_rows(min_row=2):
        message = line[1].value
        for name, fix in fixed.items():
            if name in message:
                cell = line[column[name] - 1]
                cell.value = fix(cell.value)
    book.save(report)

    page.get_by_role("link", name="继续导入").click()
    page.get_by_label("导入文件").set_input_files(str(report))
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/workbench/registry/import/results/*/", timeout=60_000)
    assert page.locator("#count-created").inner_text() == "5"
    assert page.locator("#count-errors").inner_text() == "0"
    assert page.get_by_role("link", name="下载错误报告（XLSX）").count() == 0
    screenshot(page, "registry-import-fixed")
    assert MarketEntity.objects.count() == before + 2000


@pytest.mark.urls(__name__)
def test_county_clerk_sees_rows_of_other_counties_refused(users, desktop_page, tmp_path):
    source = registry_file(tmp_path / "名录.xlsx", {})
    page = desktop_page
    login(page, "county_a")
    page.goto("/workbench/registry/import/")
    assert "您只能导入临河区的市场主体" in page.locator("main").inner_text()
    page.get_by_label("导入文件").set_input_files(str(source))
    page.get_by_label("试导入：只检查并报告结果，不写入名录").check()
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/workbench/registry/import/results/*/", timeout=60_000)
    assert page.get_by_role("heading", level=1).inner_text() == "试导入结果"
    linhe = sum(1 for i in range(ROWS) if i % 7 == 0)
    assert page.locator("#count-created").inner_text() == str(linhe)
    assert page.locator("#count-errors").inner_text() == str(ROWS - linhe)
    assert "五原县不在您的管辖范围" in page.locator("table tbody").inner_text()
    axe_check(page)
    screenshot(page, "registry-import-county-dry-run")
