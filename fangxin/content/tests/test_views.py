"""The pages and the API: staff write with preview → submit → review with the masking preview; scope (404);
the public phone pages (list, kind filter, search, article, < 150 KB); survey answering with the device cookie
and the rate limit; results after close; the XLSX; the home include."""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fangxin.accounts.services import api_token_create
from fangxin.content import selectors, throttle
from fangxin.content.choices import ArticleKind, ArticleStatus
from fangxin.content.models import Article, Response
from fangxin.content.views_public import DEVICE_COOKIE
from fangxin.core.actors import Actor
from fangxin.organisation.models import Department, Region, Sector

from .factories import answer_all, make_article, make_survey
from .test_articles import CASE
from .test_surveys import close

pytestmark = pytest.mark.django_db
API = "/api/v1"
PAGE_LIMIT = 150 * 1024


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def page_weight(html: bytes) -> int:
    """The page and the same-site scripts and stylesheets it loads (uncompressed), in bytes."""
    total = len(html)
    for path in re.findall(rb'(?:src|href)="/static/([^"]+\.(?:js|css))"', html):
        total += len(Path(finders.find(path.decode())).read_bytes())
    return total


def form_data(**overrides):
    data = {"kind": ArticleKind.TYPICAL_CASE, "title": "过期牛奶退一赔十案", "summary": "临河区某超市销售过期牛奶",
            "body": CASE, "region": Region.objects.get(code="150802").pk,
            "department": Department.objects.get(code="amr").pk, "sector": Sector.objects.get(code="food_drug").pk,
            "action": "save"}
    data.update(overrides)
    return data


def test_write_preview_submit_and_review_in_the_pages(client, users):
    client.force_login(users["county_a"])
    preview = client.post(reverse("content:staff_new"), form_data(action="preview"))
    page = preview.content.decode()
    assert preview.status_code == 200 and "预览" in page and not Article.objects.exists()
    assert "手机号：13947812345" in page  # the list of what publishing masks
    assert "13947812345" not in page.split('id="preview-body"')[1].split("</div>")[0]
    saved = client.post(reverse("content:staff_new"), form_data())
    article = Article.objects.get()
    assert saved.status_code == 302 and saved.url == reverse("content:staff_detail", args=[article.pk])
    detail = client.get(saved.url).content.decode()
    assert "提交审核" in detail and "审核通过并发布" not in detail  # the author cannot review
    client.post(reverse("content:staff_transition", args=[article.pk]), {"to_status": "submitted"})
    assert Article.objects.get().status == ArticleStatus.SUBMITTED

    client.force_login(users["office"])
    queue = client.get(reverse("content:staff_review")).content.decode()
    assert f'id="queue-{article.pk}"' in queue
    detail = client.get(reverse("content:staff_detail", args=[article.pk])).content.decode()
    assert "审核通过并发布" in detail and "退回修改" in detail and "手机号：13947812345" in detail
    refused = client.post(reverse("content:staff_transition", args=[article.pk]), {"to_status": "returned"})
    assert refused.status_code == 422 and "请填写退回理由" in refused.content.decode()
    client.post(reverse("content:staff_transition", args=[article.pk]), {"to_status": "published"})
    assert Article.objects.get().status == ArticleStatus.PUBLISHED

    public = client.get(reverse("content:public_detail", args=[article.pk])).content.decode()
    assert "退一赔十" in public and "13947812345" not in public and "张伟" not in public


def test_staff_pages_are_scoped_and_closed_to_others(client, users):
    article = make_article(users["county_a"], region="150802")
    client.force_login(users["county_b"])
    assert client.get(reverse("content:staff_detail", args=[article.pk])).status_code == 404
    assert client.get(reverse("content:staff_edit", args=[article.pk])).status_code == 404
    client.force_login(users["merchant"])
    assert client.get(reverse("content:staff_list")).status_code == 404
    client.force_login(users["auditor"])
    assert client.get(reverse("content:staff_detail", args=[article.pk])).status_code == 200
    assert client.get(reverse("content:staff_new")).status_code == 404  # read only
    client.logout()
    assert client.get(reverse("content:staff_list")).status_code == 302


def test_edit_form_shows_errors_without_a_500(client, users):
    client.force_login(users["county_a"])
    response = client.post(reverse("content:staff_new"), form_data(title="", body=""))
    assert response.status_code == 422 and not Article.objects.exists()
    other = Region.objects.get(code="150821").pk  # not offered to county A: the form refuses it
    assert client.post(reverse("content:staff_new"), form_data(region=other)).status_code == 422


def test_public_list_filter_search_and_size(client, users):
    case = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", title="预付卡退费典型案例",
                        body=CASE)
    warning = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802",
                           kind=ArticleKind.WARNING, title="中秋月饼消费警示", body="购买月饼注意保质期。")
    draft = make_article(users["county_a"], region="150802", title="尚未发布的草稿")
    page = client.get(reverse("content:public_list")).content
    assert b"content/content.css" in page and page_weight(page) < PAGE_LIMIT
    text = page.decode()
    assert case.title in text and warning.title in text and draft.title not in text
    kind_page = client.get(reverse("content:public_kind", args=["jingshi"])).content.decode()
    assert warning.title in kind_page and case.title not in kind_page
    found = client.get(reverse("content:public_list") + "?q=月饼").content.decode()
    assert warning.title in found and case.title not in found
    assert client.get(reverse("content:public_kind", args=["nothing"])).status_code == 404
    assert client.get(reverse("content:public_detail", args=[draft.pk])).status_code == 404
    detail = client.get(reverse("content:public_detail", args=[case.pk])).content
    assert page_weight(detail) < PAGE_LIMIT and b"13947812345" not in detail


def test_public_page_never_carries_script_or_remote_images(client, users):
    body = "<script>alert(1)</script>\n\n[点我](javascript:alert(1))\n\n![广告](https://ads.example/a.png)"
    article = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", body=body)
    page = client.get(reverse("content:public_detail", args=[article.pk])).content.decode()
    assert "<script>alert" not in page and 'href="javascript' not in page and "ads.example" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "[图片：广告]" in page


def test_home_include_and_selector(client, users):
    article = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", title="放心消费公告")
    html = render_to_string("content/_home_latest.html", {"latest_articles": selectors.latest_for_home()})
    assert "放心消费公告" in html and reverse("content:public_detail", args=[article.pk]) in html
    assert "暂无资讯" in render_to_string("content/_home_latest.html", {"latest_articles": []})


def test_answer_a_survey_once_per_device(client, users):
    survey = make_survey()
    q1, q2 = survey.questions.all()
    url = reverse("content:survey", args=[survey.pk])
    first = client.get(url)
    assert first.status_code == 200 and DEVICE_COOKIE in first.cookies and "5 分 · 很满意" in first.content.decode()
    missing = client.post(url, {f"q{q1.pk}": "5"})
    assert missing.status_code == 422 and "请回答第 2 题" in missing.content.decode()
    assert 'value="5" checked' in missing.content.decode()  # what was ticked is kept
    done = client.post(url, {f"q{q1.pk}": "5", f"q{q2.pk}": "2", "comment": "电话 13804781234 联系我"})
    assert done.status_code == 302 and done.url == reverse("content:survey_thanks", args=[survey.pk])
    again = client.get(url).content.decode()
    assert "您已参加过本次调查" in again and "<form method=\"post\" novalidate" not in again
    assert client.post(url, {f"q{q1.pk}": "1", f"q{q2.pk}": "1"}).status_code == 200  # the answered page
    assert Response.objects.count() == 1 and "13804781234" not in Response.objects.get().comment
    client.cookies.pop(DEVICE_COOKIE)
    fresh = client.post(url, {f"q{q1.pk}": "4", f"q{q2.pk}": "1"})  # no cookie yet: refused, cookie set
    assert fresh.status_code == 422 and "Cookie" in fresh.content.decode() and DEVICE_COOKIE in fresh.cookies
    assert client.post(url, {f"q{q1.pk}": "4", f"q{q2.pk}": "1"}).status_code == 302
    assert Response.objects.count() == 2


def test_answers_are_rate_limited_per_address(client, users, monkeypatch):
    monkeypatch.setattr(throttle, "ANSWERS_PER_HOUR", 2)
    survey = make_survey()
    q1, q2 = survey.questions.all()
    url = reverse("content:survey", args=[survey.pk])
    for n in range(2):
        client.cookies[DEVICE_COOKIE] = f"device-{n}-abcdefghijklmnop"
        assert client.post(url, {f"q{q1.pk}": "4", f"q{q2.pk}": "1"}).status_code == 302
    client.cookies[DEVICE_COOKIE] = "device-3-abcdefghijklmnop"
    limited = client.post(url, {f"q{q1.pk}": "4", f"q{q2.pk}": "1"})
    assert limited.status_code == 429 and "提交过于频繁" in limited.content.decode()
    assert Response.objects.count() == 2


def test_results_are_published_after_close(client, users):
    survey = make_survey()
    answer_all(survey, [[5, 1], [4, 1], [2, 3]])
    url = reverse("content:survey", args=[survey.pk])
    assert "调查结果" not in client.get(url).content.decode()
    assert client.get(f"{API}/content/surveys/{survey.pk}/results").status_code == 404
    close(survey)
    page = client.get(url).content.decode()
    assert '<strong id="response-count">3</strong>' in page and "平均 <strong>3.67</strong> 分" in page
    assert "满意率（4、5 分）<strong>67%</strong>" in page
    listing = client.get(reverse("content:surveys")).content.decode()
    assert survey.title in listing
    results = client.get(f"{API}/content/surveys/{survey.pk}/results").json()
    assert results["responses"] == 3 and results["questions"][0]["average"] == pytest.approx(11 / 3)
    assert [o["count"] for o in results["questions"][1]["options"]] == [2, 0, 1]


def test_staff_define_publish_results_and_xlsx(client, users):
    today = timezone.localdate()
    client.force_login(users["office"])
    data = {"title": "2026 年供电服务满意度调查", "sector": Sector.objects.get(code="utilities").pk,
            "region": Region.objects.get(code="150800").pk, "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=30)).isoformat(),
            "questions": "评分｜总体满意度\n单选｜停电前是否通知｜是｜否", "allow_comment": "on"}
    bad = client.post(reverse("content:staff_survey_new"), {**data, "questions": "单选｜只有一个｜是"})
    assert bad.status_code == 422 and "第 1 行" in bad.content.decode()
    created = client.post(reverse("content:staff_survey_new"), data)
    assert created.status_code == 302
    survey = selectors.surveys_visible(users["office"]).get()
    client.post(reverse("content:staff_survey_publish", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.is_published
    answer_all(survey, [[5, 1], [3, 2]], comment="希望缩短抢修时间")
    page = client.get(reverse("content:staff_survey", args=[survey.pk])).content.decode()
    assert "希望缩短抢修时间" in page and '<strong id="response-count">2</strong>' in page
    xlsx = client.get(reverse("content:staff_survey_export", args=[survey.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book["概况"]["B2"].value == "2026 年供电服务满意度调查"
    client.force_login(users["county_b"])  # a city survey is outside a county's scope
    assert client.get(reverse("content:staff_survey", args=[survey.pk])).status_code == 404


def test_api_public_and_staff(client, users):
    published = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", body=CASE,
                             title="API 典型案例")
    listing = client.get(f"{API}/content/articles?kind=typical_case").json()
    assert [a["id"] for a in listing["items"]] == [published.pk]
    assert client.get(f"{API}/content/articles?kind=nope").status_code == 422
    detail = client.get(f"{API}/content/articles/{published.pk}").json()
    assert "13947812345" not in detail["body_markdown"] and "<p>" in detail["body_html"]

    _, plain = api_token_create(actor=Actor.system("test"), name="对接", department=Department.objects.get(code="fda"),
                                region=Region.objects.get(code="150800"))
    headers = {"Authorization": f"Bearer {plain}"}
    payload = {"kind": "education", "title": "药品安全普法", "body": "## 要点\n\n凭处方购买处方药。",
               "region": "150800", "department": "fda"}
    created = client.post(f"{API}/content/staff/articles", payload, content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    pk = created.json()["id"]
    wrong = client.post(f"{API}/content/staff/articles/{pk}/transition", {"to": "published"},
                        content_type="application/json", headers=headers)
    assert wrong.status_code == 409 and wrong.json()["error"]["details"]["allowed"] == ["submitted"]
    submitted = client.post(f"{API}/content/staff/articles/{pk}/transition", {"to": "submitted"},
                            content_type="application/json", headers=headers)
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert client.post(f"{API}/content/staff/articles", payload, content_type="application/json").status_code == 401


def test_api_survey_answer(client, users):
    survey = make_survey()
    q1, q2 = survey.questions.all()
    listing = client.get(f"{API}/content/surveys").json()
    assert listing["items"][0]["questions"][1]["options"] == ["每次都有", "有时有", "从来没有"]
    body = {"device": "api-device-0123456789", "answers": {str(q1.pk): 5, str(q2.pk): 1}}
    assert client.post(f"{API}/content/surveys/{survey.pk}/answers", body,
                       content_type="application/json").status_code == 201
    again = client.post(f"{API}/content/surveys/{survey.pk}/answers", body, content_type="application/json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"
