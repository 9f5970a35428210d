"""The public draw pages (choucha/): what each stage shows, never the server secret before the draw, the selected
businesses and teams after it, published results only, the downloadable record verifying offline, and the page
weight on a phone."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from fangxin.inspections import draw as drawing
from fangxin.inspections import services
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Draw, Inspection

from .factories import SYSTEM, make_plan, make_team, today

pytestmark = pytest.mark.django_db
PAGE_BUDGET = 150 * 1024


@pytest.fixture
def team(entities):
    return make_team()


def test_nothing_public_before_the_freeze(client, team):
    make_plan(name="尚未冻结的计划")
    page = client.get(reverse("inspections:public_draws")).content.decode()
    assert "尚未冻结的计划" not in page and "目前没有公示的抽查" in page


def test_each_stage_of_a_draw_on_the_public_page(client, team):
    plan = make_plan(name="2026 年食品安全双随机抽查")
    draw = services.plan_freeze(actor=SYSTEM, plan=plan)
    listing = client.get(reverse("inspections:public_draws")).content.decode()
    assert "2026 年食品安全双随机抽查" in listing and "已公布承诺值，待录入公开随机数" in listing
    url = reverse("inspections:public_draw", args=[draw.pk])
    page = client.get(url).content.decode()
    assert draw.commitment_sha256 in page and draw.population_sha256 in page
    assert draw.committed_at.astimezone().strftime("%Y-%m-%d") in page
    assert draw.server_secret not in page and "秘密值在抽取时公开" in page
    assert "临河区、五原县；全部行业；全部主体类型；在营的市场主体" in page
    assert "fangxin draw verify" in page
    assert client.get(reverse("inspections:public_record", args=[draw.pk])).status_code == 404

    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="6 2 5 / 1 3 3", witnesses="张三、李四")
    page = client.get(url).content.decode()
    assert "6 2 5 / 1 3 3" in page and "张三、李四" in page and draw.server_secret not in page

    services.draw_run(actor=SYSTEM, plan=plan)
    draw.refresh_from_db()
    page = client.get(url).content.decode()
    assert draw.server_secret in page and draw.seed in page
    assert "抽中的企业和检查组（4 家）" in page
    for inspection in Inspection.objects.filter(plan=plan).prefetch_related("inspectors"):
        assert inspection.entity.name in page and inspection.entity.uscc in page
        for member in inspection.inspectors.all():
            assert member.code in page and member.name in page
    assert "<dt>检查结果</dt>" not in page  # nothing published yet


def test_only_published_results_are_shown(client, team):
    plan = make_plan()
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="1", witnesses="见证人")
    draw = services.draw_run(actor=SYSTEM, plan=plan)
    failed, passed, *_ = Inspection.objects.filter(plan=plan).order_by("seq")
    services.result_record(actor=SYSTEM, inspection=failed, outcome=Outcome.PROBLEMS,
                           description="冷藏柜温度超标，已责令整改", inspected_on=today())
    services.result_record(actor=SYSTEM, inspection=passed, outcome=Outcome.PASSED, description="",
                           inspected_on=today())
    url = reverse("inspections:public_draw", args=[draw.pk])
    assert "冷藏柜温度超标" not in client.get(url).content.decode()
    services.results_publish(actor=SYSTEM, inspections=[failed])
    page = client.get(url).content.decode()
    assert "冷藏柜温度超标，已责令整改" in page and "发现问题" in page
    assert "未发现问题（合格）" not in page  # recorded but not yet published
    services.results_publish(actor=SYSTEM, inspections=[passed])
    assert "未发现问题（合格）" in client.get(url).content.decode()
    listing = client.get(reverse("inspections:public_draws")).content.decode()
    assert "已公示结果 2 家" in listing


def test_the_results_search(client, team):
    plan = make_plan(name="冷链食品专项抽查")
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="2", witnesses="见证人")
    draw = services.draw_run(actor=SYSTEM, plan=plan)
    failed, passed, unpublished, *_ = Inspection.objects.filter(plan=plan).order_by("seq")
    for inspection, outcome, text in ((failed, Outcome.PROBLEMS, "冷藏柜温度超标"), (passed, Outcome.PASSED, ""),
                                      (unpublished, Outcome.PASSED, "")):
        services.result_record(actor=SYSTEM, inspection=inspection, outcome=outcome, description=text,
                               inspected_on=today())
    services.results_publish(actor=SYSTEM, inspections=[failed, passed])
    url = reverse("inspections:public_results")
    page = client.get(url).content.decode()
    assert "共 2 条已公示的抽查结果" in page and unpublished.entity.name not in page
    assert reverse("inspections:public_draw", args=[draw.pk]) in page
    found = client.get(url, {"q": failed.entity.name}).content.decode()
    assert "冷藏柜温度超标" in found and passed.entity.name not in found
    only_passed = client.get(url, {"outcome": Outcome.PASSED}).content.decode()
    assert passed.entity.name in only_passed and failed.entity.name not in only_passed
    assert "共 2 条" in client.get(url, {"q": "冷链食品", "outcome": "bogus"}).content.decode()


def test_the_downloaded_record_verifies_and_a_tampered_one_does_not(client, team, tmp_path):
    plan = make_plan()
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="abc", witnesses="见证人")
    draw = services.draw_run(actor=SYSTEM, plan=plan)
    response = client.get(reverse("inspections:public_record", args=[draw.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    record = json.loads(response.content)
    assert record["algorithm"] == "fangxin-draw-v1" and record["server_secret"] == draw.server_secret
    assert drawing.verify(record) == []
    saved = tmp_path / "draw.json"
    saved.write_bytes(response.content)  # the file as downloaded, through the console command
    out = StringIO()
    call_command("draw", "verify", str(saved), stdout=out)
    assert out.getvalue().strip() == "verified"
    record["public_entropy"] = "abd"
    assert drawing.verify(record)


def test_unknown_draw_is_404(client, db):
    assert client.get(reverse("inspections:public_draw", args=[999])).status_code == 404
    assert client.get(reverse("inspections:public_record", args=[999])).status_code == 404


def test_the_draw_page_stays_light(client, entities):
    from fangxin.merchants.tests.factories import make_entity

    for number in range(120):
        make_entity(county="150802", sector="food_drug", name=f"临河区第{number}号便利店")
    make_team()
    plan = make_plan(counties=["150802"], ratios={"A": "1", "B": "1", "C": "1", "D": "1"})
    services.plan_freeze(actor=SYSTEM, plan=plan)
    services.entropy_enter(actor=SYSTEM, plan=plan, entropy="7", witnesses="见证人")
    draw = services.draw_run(actor=SYSTEM, plan=plan)
    assert Draw.objects.get(pk=draw.pk).record["selected"]
    response = client.get(reverse("inspections:public_draw", args=[draw.pk]))
    assert len(response.content) < PAGE_BUDGET
    assert "第 1 / 2 页" in response.content.decode()  # 122 selected, 100 a page


def test_the_portal_home_links_the_draws_and_the_results(client, db):
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("inspections:public_draws")}"' in page
    assert f'href="{reverse("inspections:public_results")}"' in page
