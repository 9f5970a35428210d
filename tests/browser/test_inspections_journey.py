"""Issue 7 "Done when", in one run through the browser: a department user creates a random-inspection plan, freezes
its population, enters the witnesses' public entropy and draws; results are recorded (one passed, one failed with a
description and a document) and published; the public draw page on a phone shows the commitment, the seed, the
teams and the results; and the record downloaded from that page verifies with fangxin.inspections.draw.verify alone,
with no database."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from fangxin.inspections import draw as drawing
from fangxin.inspections.choices import Outcome, PlanStatus
from fangxin.inspections.models import Draw, Inspection, Plan
from fangxin.inspections.tests.factories import make_team

from .conftest import axe_check, click_and_wait, login, screenshot

pytestmark = pytest.mark.browser


def menu(page, label: str) -> None:
    click_and_wait(page, page.get_by_role("navigation", name="工作台导航").get_by_role("link", name=label, exact=True))


def confirm_and_click(page, name: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    click_and_wait(page, page.get_by_role("button", name=name))


def record_result(page, inspection, outcome_label: str, description: str = "", document: Path | None = None):
    click_and_wait(page, page.locator(f"#inspection-{inspection.pk}").get_by_role("link", name="录入结果"))
    page.get_by_label(outcome_label, exact=True).check()
    if description:
        page.get_by_label("情况说明").fill(description)
    if document is not None:
        page.set_input_files("#id_files", str(document))
    click_and_wait(page, page.get_by_role("button", name="保存检查结果"))


def test_plan_from_creation_to_published_results_and_an_independent_verification(
        users, entities, desktop_page, phone_page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_team()  # eight fda inspectors over both counties and the city

    # 1. The department creates the plan (both counties by default, 50% of every grade, teams of two).
    staff = desktop_page
    login(staff, "department")
    menu(staff, "双随机抽查")
    axe_check(staff)
    click_and_wait(staff, staff.get_by_role("link", name="新建抽查计划"))
    staff.get_by_label("计划名称").fill("2026 年第四季度食品经营者双随机抽查")
    staff.get_by_label("检查事项（每行一项）").fill("证照公示\n进货查验记录\n食品贮存条件")
    for grade in "ABCD":
        staff.get_by_label(f"{grade} 级抽查比例（%）").fill("50")
    staff.get_by_label("抽取截止日期").fill("2026-12-10")
    staff.get_by_label("检查完成截止日期").fill("2026-12-31")
    axe_check(staff)
    click_and_wait(staff, staff.get_by_role("button", name="创建计划"))
    plan = Plan.objects.get(name="2026 年第四季度食品经营者双随机抽查")
    assert plan.ratios == {"A": "0.5", "B": "0.5", "C": "0.5", "D": "0.5"}
    assert staff.locator("#plan-status").inner_text() == "草稿"

    # The object directory of the plan before freezing: the four businesses of the two counties.
    click_and_wait(staff, staff.get_by_role("link", name="查看检查对象名录（4 家）"))
    assert "共 4 家" in staff.locator("#object-summary").inner_text()
    axe_check(staff)
    staff.go_back()

    # 2. Freeze: the population hash and the commitment are shown, the secret is not.
    confirm_and_click(staff, "冻结名录并公布承诺值")
    draw = Draw.objects.get(plan=plan)
    assert staff.locator("#commitment-hash").inner_text() == draw.commitment_sha256
    assert staff.locator("#population-hash").inner_text() == draw.population_sha256
    assert draw.server_secret not in staff.content()

    # 3. The witnesses' public entropy.
    staff.get_by_label("公开随机数").fill("3 6 1 / 4 4 2")
    staff.get_by_label("见证人（每行一位）").fill("张三（消费者代表）\n李四（人大代表）")
    axe_check(staff)
    confirm_and_click(staff, "录入公开随机数")
    assert staff.locator("#public-entropy").inner_text() == "3 6 1 / 4 4 2"

    # 4. The draw: seed shown, two businesses selected, each with a team of two.
    confirm_and_click(staff, "抽取企业和检查组")
    draw.refresh_from_db()
    assert staff.locator("#seed").inner_text() == draw.seed
    selected = list(Inspection.objects.filter(plan=plan).order_by("seq"))
    assert len(selected) == 2 and all(len(i.inspector_codes) == 2 for i in selected)
    axe_check(staff)
    screenshot(staff, "journey-inspections-1-drawn")

    # 5. Results: one failed with a description and a document, one passed.
    photo = tmp_path / "现场检查记录.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    failed, passed = selected
    record_result(staff, failed, Outcome.PROBLEMS.label, "进货查验记录缺少 3 批次，已责令三日内整改。", photo)
    click_and_wait(staff, staff.locator(f"#inspection-{passed.pk}").get_by_role("link", name="录入结果"))
    axe_check(staff)
    staff.get_by_label(Outcome.PASSED.label, exact=True).check()
    click_and_wait(staff, staff.get_by_role("button", name="保存检查结果"))
    failed.refresh_from_db()
    passed.refresh_from_db()
    assert failed.outcome == Outcome.PROBLEMS and failed.documents.count() == 1 and failed.publish_due
    assert passed.outcome == Outcome.PASSED

    # 6. Publication.
    click_and_wait(staff, staff.get_by_role("button", name="公示已录入的 2 项结果"))
    assert Inspection.objects.filter(plan=plan, published_at__isnull=False).count() == 2
    confirm_and_click(staff, "结束计划")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED

    menu(staff, "检查人员名录")
    axe_check(staff)
    click_and_wait(staff, staff.get_by_role("link", name=failed.inspector_codes[0], exact=True))
    staff.get_by_label("企业统一社会信用代码").fill(failed.entity.uscc)
    staff.get_by_label("利害关系").fill("配偶在该企业任职")
    click_and_wait(staff, staff.get_by_role("button", name="申报", exact=True))
    assert "配偶在该企业任职" in staff.locator(".conflict-list").inner_text()
    axe_check(staff)

    # 7. The public page on a phone: commitment, entropy, seed, teams and the published results.
    public = phone_page
    public.goto("/choucha/")
    axe_check(public)
    click_and_wait(public, public.get_by_role("link", name="2026 年第四季度食品经营者双随机抽查"))
    assert public.locator("#commitment-hash").inner_text() == draw.commitment_sha256
    assert public.locator("#population-hash").inner_text() == draw.population_sha256
    assert public.locator("#public-entropy").inner_text() == "3 6 1 / 4 4 2"
    assert public.locator("#seed").inner_text() == draw.seed
    assert public.locator("#server-secret").inner_text() == draw.server_secret
    failed_card = public.locator(f"#selected-{failed.entity.uscc}")
    assert "发现问题" in failed_card.inner_text() and "进货查验记录缺少 3 批次" in failed_card.inner_text()
    for code in failed.inspector_codes:
        assert code in failed_card.inner_text()
    assert Outcome.PASSED.label in public.locator(f"#selected-{passed.entity.uscc}").inner_text()
    assert "fangxin draw verify" in public.content()
    assert public.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling on a phone
    axe_check(public)
    screenshot(public, "journey-inspections-2-public-phone")

    # 8. Anyone re-derives the draw from the downloaded record alone.
    with public.expect_download() as download_info:
        public.get_by_role("link", name="下载抽签记录（JSON）").click()
    path = tmp_path / "record.json"
    download_info.value.save_as(path)
    record = json.loads(path.read_text(encoding="utf-8"))
    assert drawing.verify(record) == []
    assert [entry["uscc"] for entry in record["selected"]] == [failed.entity.uscc, passed.entity.uscc]
    tampered = json.loads(path.read_text(encoding="utf-8"))
    tampered["assignments"][0]["inspectors"].reverse()
    assert drawing.verify(tampered)

    # 9. The results search finds the failed business with its description.
    public.goto("/choucha/results/")
    public.get_by_label("企业名称、统一社会信用代码或抽查计划").fill(failed.entity.name)
    click_and_wait(public, public.get_by_role("button", name="查询"))
    assert "进货查验记录缺少 3 批次" in public.locator(f"#result-{failed.pk}").inner_text()
    axe_check(public)
