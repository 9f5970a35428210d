"""The staff pages of review, publicity and award: scope, the two sign-offs through the page, conflicts,
publicity with objections, the award's preconditions, titles and certificates."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from fangxin.accounts.tests.factories import make_user
from fangxin.campaign.titles import services
from fangxin.campaign.titles.choices import ApplicationStatus, ItemKind, ObjectionStatus, TitleStatus
from fangxin.campaign.titles.models import ConflictDeclaration, Publicity, Review, Title
from fangxin.campaign.titles.tests.factories import (
    SYSTEM,
    award,
    full_marks,
    make_application,
    open_cycle,
    sign_both,
    standard_for,
)
from fangxin.core.actors import Actor
from fangxin.core.tests import samples

PNG = samples.PNG


@pytest.fixture
def application(users, entities):
    open_cycle()
    return make_application(entities["a_food"])


def text_of(response) -> str:
    return response.content.decode("utf-8")


def as_user(client, users, name):
    client.force_login(users[name])
    return client


def review_data(application, *, share=0.9, decision="approve", opinion="材料齐全，同意推荐。", **extra):
    data = {"decision": decision, "opinion": opinion}
    for item in application.standard.items.all():
        if item.kind == ItemKind.VETO:
            continue
        data[f"score_{item.seq}"] = str(round(float(item.points) * share, 1))
        data[f"comment_{item.seq}"] = f"第{item.seq}项核实"
    data.update(extra)
    return data


def post_review(client, application, **kwargs):
    return client.post(reverse("campaign:application_review", args=[application.pk]), review_data(application, **kwargs))


def passed(users, entities, entity_key="a_food"):
    open_cycle()
    return sign_both(make_application(entities[entity_key]), users["department"], users["association"])


def in_publicity(users, application, starts_on=None):
    return services.publicity_open(actor=Actor.for_user(users["association"]), cycle=application.cycle,
                                   level=application.level, region=application.region, starts_on=starts_on)


def end_publicity(publicity):
    Publicity.objects.filter(pk=publicity.pk).update(starts_on=date(2000, 1, 3),
                                                     ends_on=timezone.localdate() - timedelta(days=1))


def objection(application, **overrides):
    values = dict(name="张三", contact_phone="13912345678", content="该店上月出售过期食品，不应评为示范单位。")
    values.update(overrides)
    return services.objection_file(actor=Actor.system("public"), application=application, **values)


# --- applications: scope and queue ---------------------------------------------------------------------

def test_the_department_sees_the_application_waiting_for_its_sign_off(client, users, application):
    response = as_user(client, users, "department").get(reverse("campaign:applications"))
    text = text_of(response)
    assert response.status_code == 200
    assert "待我评审" in text and "临河区华联超市" in text
    assert reverse("campaign:application_detail", args=[application.pk]) in text


def test_a_signed_application_leaves_the_reviewers_queue_but_stays_in_all(client, users, application):
    services.review_sign(actor=Actor.for_user(users["department"]), application=application,
                         scores=full_marks(application.standard), decision="approve", opinion="同意")
    as_user(client, users, "department")
    assert "临河区华联超市" not in text_of(client.get(reverse("campaign:applications")))
    assert "临河区华联超市" in text_of(client.get(reverse("campaign:applications"), {"tab": "all"}))


def test_the_list_filters_by_county_and_status(client, users, entities, application):
    other = make_application(entities["b_food"])
    as_user(client, users, "association")
    url = reverse("campaign:applications")
    text = text_of(client.get(url, {"tab": "all", "county": "150821"}))
    assert "五原县华联生鲜超市" in text and "临河区华联超市" not in text
    text = text_of(client.get(url, {"tab": "all", "status": "passed"}))
    assert "没有符合条件的申报" in text
    text = text_of(client.get(url, {"tab": "all", "year": str(other.cycle.year), "level": "county",
                                    "sector": "food_drug"}))
    assert "五原县华联生鲜超市" in text and "临河区华联超市" in text


def test_county_b_cannot_see_a_linhe_application(client, users, application):
    as_user(client, users, "county_b")
    assert client.get(reverse("campaign:application_detail", args=[application.pk])).status_code == 404
    assert "临河区华联超市" not in text_of(client.get(reverse("campaign:applications")))
    response = client.post(reverse("campaign:application_review", args=[application.pk]), review_data(application))
    assert response.status_code == 404


def test_merchants_and_anonymous_users_do_not_reach_the_staff_pages(client, users, application):
    url = reverse("campaign:application_detail", args=[application.pk])
    assert client.get(url).status_code == 302  # to the login page
    as_user(client, users, "merchant")
    assert client.get(url).status_code == 404
    assert client.get(reverse("campaign:publicities")).status_code == 404


def test_the_menu_lists_the_pages(client, users):
    text = text_of(as_user(client, users, "department").get(reverse("campaign:applications")))
    for label in ("示范单位评审", "示范单位公示", "示范单位称号"):
        assert label in text


# --- the application page and the review form -----------------------------------------------------------

def test_the_page_shows_self_assessment_and_a_review_form_with_one_input_per_item(client, users, application):
    text = text_of(as_user(client, users, "department").get(
        reverse("campaign:application_detail", args=[application.pk])))
    items = list(application.standard.items.all())
    for item in items:
        if item.kind == ItemKind.VETO:
            assert f'name="veto_{item.seq}"' in text and f'name="score_{item.seq}"' not in text
        else:
            assert f'name="score_{item.seq}"' in text and f'max="{item.points}"' in text
        assert f'name="comment_{item.seq}"' in text
    assert str(application.self_total) in text and application.self_scores["1"] in text
    assert application.standard.title in text
    assert "签署评审意见" in text and "声明利益冲突" in text
    assert "提交申报" in text  # the timeline


def test_county_staff_read_the_application_without_a_review_form(client, users, application):
    text = text_of(as_user(client, users, "county_a").get(
        reverse("campaign:application_detail", args=[application.pk])))
    assert "临河区华联超市" in text and "签署评审意见" not in text and 'name="score_1"' not in text


def test_both_sign_offs_through_the_page_pass_the_application(client, users, application):
    as_user(client, users, "department")
    response = post_review(client, application, share=0.9)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REVIEWING
    review = Review.objects.get(application=application)
    assert review.role == "lead_department" and review.comments["1"] == "第1项核实"
    text = text_of(client.get(reverse("campaign:application_detail", args=[application.pk])))
    assert "行业牵头部门已于" in text and "签署评审意见</button>" not in text

    as_user(client, users, "association")
    post_review(client, application, share=0.9)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PASSED
    page = text_of(client.get(reverse("campaign:application_detail", args=[application.pk])))
    assert f"{application.agreed_score} 分" in page and "评审通过" in page
    assert "消费者协会：同意" in page and "行业牵头部门：同意" in page


def test_a_score_above_the_items_points_is_refused_with_a_message(client, users, application):
    first = application.standard.items.filter(kind=ItemKind.SCORED).first()
    as_user(client, users, "department")
    response = post_review(client, application, **{f"score_{first.seq}": str(first.points + 5)})
    text = text_of(response)
    assert response.status_code == 422
    assert f"第 {first.seq} 项得分" in text and "超出范围" in text
    assert f'value="{first.points + 5}"' in text  # what was typed is kept
    assert not Review.objects.filter(application=application).exists()


def test_a_missing_decision_is_a_form_error(client, users, application):
    as_user(client, users, "department")
    response = post_review(client, application, decision="")
    assert response.status_code == 422 and "请检查标出的项目" in text_of(response)
    assert not Review.objects.exists()


def test_a_marked_veto_item_fails_the_application(client, users, application):
    veto = application.standard.items.filter(kind=ItemKind.VETO).first()
    as_user(client, users, "department")
    post_review(client, application, **{f"veto_{veto.seq}": "on"})
    as_user(client, users, "association")
    post_review(client, application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.FAILED
    assert "否决" in text_of(client.get(reverse("campaign:application_detail", args=[application.pk])))


def test_a_conflicted_reviewer_gets_the_message_and_cannot_post(client, users, application):
    as_user(client, users, "department")
    url = reverse("campaign:application_detail", args=[application.pk])
    response = client.post(reverse("campaign:conflict_declare", args=[application.pk]), {"reason": "配偶在该单位任职"})
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(reviewer=users["department"], entity=application.entity).exists()
    text = text_of(client.get(url))
    assert "您已声明与该单位存在利益冲突，不能评审其申报。" in text
    assert 'name="score_1"' not in text and "签署评审意见</button>" not in text
    response = post_review(client, application)
    assert "利益冲突" in text_of(response) and response.status_code == 403
    assert not Review.objects.exists()


def test_a_conflict_needs_a_reason(client, users, application):
    as_user(client, users, "association")
    response = client.post(reverse("campaign:conflict_declare", args=[application.pk]), {"reason": ""})
    assert response.status_code == 422 and "请填写与该单位的关系说明" in text_of(response)
    assert not ConflictDeclaration.objects.exists()


def test_county_staff_cannot_sign(client, users, application):
    as_user(client, users, "county_a")
    response = post_review(client, application)
    assert response.status_code == 403 and "只有行业牵头部门和消费者协会可以评审" in text_of(response)
    assert not Review.objects.exists()


def test_evidence_files_download_for_staff_in_scope(client, users, entities):
    open_cycle()
    from fangxin.campaign.tests.factories import make_enrollment

    make_enrollment(entities["a_food"])
    application = services.application_submit(
        actor=SYSTEM, entity=entities["a_food"], level="county", self_scores=full_marks(standard_for(entities["a_food"])),
        files=[SimpleUploadedFile("台账.png", PNG, content_type="image/png")])
    stored = application.evidence.get()
    url = reverse("campaign:application_evidence", args=[application.pk, stored.pk])
    as_user(client, users, "department")
    assert "台账.png" in text_of(client.get(reverse("campaign:application_detail", args=[application.pk])))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert as_user(client, users, "county_b").get(url).status_code == 404


# --- publicity ---------------------------------------------------------------------------------------------

def test_the_publicity_page_counts_waiting_candidates_and_the_association_opens_it(client, users, entities):
    application = passed(users, entities)
    as_user(client, users, "association")
    text = text_of(client.get(reverse("campaign:publicities")))
    assert "临河区" in text and "1 家" in text and "发布公示" in text
    today = timezone.localdate()
    response = client.post(reverse("campaign:publicity_new"),
                           {"level": "county", "region": "150802", "starts_on": today.isoformat()})
    publicity = Publicity.objects.get()
    assert response.status_code == 302 and response.url == reverse("campaign:publicity_detail", args=[publicity.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PUBLICITY and application.publicity == publicity
    text = text_of(client.get(response.url))
    assert "临河区华联超市" in text and str(application.agreed_score) in text and "公示中" in text


def test_opening_a_publicity_without_candidates_or_rights_gives_a_message(client, users, entities):
    passed(users, entities)
    as_user(client, users, "association")
    response = client.post(reverse("campaign:publicity_new"),
                           {"level": "city", "region": "150800", "starts_on": timezone.localdate().isoformat()},
                           follow=True)
    assert "没有评审通过、待公示的候选单位" in text_of(response)
    as_user(client, users, "county_a")
    response = client.post(reverse("campaign:publicity_new"),
                           {"level": "county", "region": "150802", "starts_on": timezone.localdate().isoformat()},
                           follow=True)
    assert "候选名单由消费者协会和联席会议办公室发布" in text_of(response)
    assert not Publicity.objects.exists()


def test_a_region_outside_the_users_scope_is_refused(client, users, entities):
    passed(users, entities)
    outside = make_user("assoc_b", "consumer_association", region="150821")
    client.force_login(outside)
    response = client.post(reverse("campaign:publicity_new"),
                           {"level": "county", "region": "150802", "starts_on": timezone.localdate().isoformat()},
                           follow=True)
    assert "须在您的管辖范围内" in text_of(response)
    assert not Publicity.objects.exists()


def test_objections_show_contact_details_to_staff_and_an_upheld_one_removes_the_candidate(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    filed = objection(application, evidence=SimpleUploadedFile("照片.png", PNG, content_type="image/png"))
    as_user(client, users, "association")
    url = reverse("campaign:publicity_detail", args=[publicity.pk])
    text = text_of(client.get(url))
    assert filed.reference_no in text and "13912345678" in text and "张三" in text
    assert "提交答复" in text and "还有 1 件异议未答复" in text
    evidence = client.get(reverse("campaign:objection_evidence", args=[filed.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == PNG

    response = client.post(reverse("campaign:objection_answer", args=[filed.pk]),
                           {f"o{filed.pk}-upheld": "1", f"o{filed.pk}-answer": "经核查属实，取消候选资格。"})
    assert response.status_code == 302 and response.url == url
    filed.refresh_from_db()
    application.refresh_from_db()
    assert filed.status == ObjectionStatus.UPHELD
    assert application.status == ApplicationStatus.REMOVED
    text = text_of(client.get(url))
    assert "异议成立，取消" in text and "经核查属实" in text and "提交答复" not in text


def test_an_answer_needs_a_conclusion_and_text(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    filed = objection(application)
    as_user(client, users, "association")
    response = client.post(reverse("campaign:objection_answer", args=[filed.pk]), {f"o{filed.pk}-answer": ""},
                           follow=True)
    assert "请选择答复结论并填写答复内容" in text_of(response)
    filed.refresh_from_db()
    assert filed.status == ObjectionStatus.PENDING
    assert publicity.pk == filed.application.publicity_id


def test_contact_details_stay_out_of_reach_of_county_b(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    filed = objection(application)
    as_user(client, users, "county_b")
    assert client.get(reverse("campaign:publicity_detail", args=[publicity.pk])).status_code == 404
    response = client.post(reverse("campaign:objection_answer", args=[filed.pk]),
                           {f"o{filed.pk}-upheld": "1", f"o{filed.pk}-answer": "越权答复"})
    assert response.status_code == 404
    assert client.get(reverse("campaign:objection_evidence", args=[filed.pk])).status_code == 404


def test_the_award_before_the_period_ends_is_refused_with_a_message(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    as_user(client, users, "association")
    url = reverse("campaign:publicity_detail", args=[publicity.pk])
    text = text_of(client.get(url))
    assert f"公示期至 {publicity.ends_on:%Y-%m-%d}" in text and "disabled" in text
    response = client.post(reverse("campaign:publicity_award", args=[publicity.pk]), follow=True)
    assert f"公示期至 {publicity.ends_on:%Y-%m-%d}，期满后才能授牌。" in text_of(response)
    assert not Title.objects.exists()


def test_the_award_waits_for_every_objection_to_be_answered(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    filed = objection(application)
    end_publicity(publicity)
    as_user(client, users, "office")
    text = text_of(client.get(reverse("campaign:publicity_detail", args=[publicity.pk])))
    assert "还有 1 件异议未答复" in text and "期满后" not in text
    response = client.post(reverse("campaign:publicity_award", args=[publicity.pk]), follow=True)
    assert "还有 1 件异议未答复，答复后才能授牌。" in text_of(response)
    assert not Title.objects.exists()
    services.objection_answer(actor=Actor.for_user(users["office"]), objection=filed, upheld=False,
                              answer="经核查，该店已依法处理，异议不成立。")
    response = client.post(reverse("campaign:publicity_award", args=[publicity.pk]), follow=True)
    title = Title.objects.get()
    text = text_of(response)
    assert "已授牌 1 家" in text and title.certificate_no in text
    assert response.redirect_chain[-1][0].startswith(reverse("campaign:titles"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.AWARDED


def test_county_staff_see_no_award_button(client, users, entities):
    application = passed(users, entities)
    publicity = in_publicity(users, application)
    end_publicity(publicity)
    as_user(client, users, "county_a")
    text = text_of(client.get(reverse("campaign:publicity_detail", args=[publicity.pk])))
    assert "授牌由消费者协会和联席会议办公室办理" in text and 'id="award-button"' not in text
    response = client.post(reverse("campaign:publicity_award", args=[publicity.pk]), follow=True)
    assert "授牌由消费者协会和联席会议办公室办理" in text_of(response)
    assert not Title.objects.exists()


# --- titles and certificates -------------------------------------------------------------------------------

@pytest.fixture
def title(users, entities):
    return award(passed(users, entities), users["office"])


def test_the_titles_page_lists_status_and_certificate_number(client, users, title):
    as_user(client, users, "county_a")
    text = text_of(client.get(reverse("campaign:titles")))
    assert title.certificate_no in text and "有效" in text
    assert reverse("campaign:certificate", args=[title.pk]) in text
    assert title.certificate_no not in text_of(as_user(client, users, "county_b").get(reverse("campaign:titles")))


def test_revoked_and_expired_titles_read_so(client, users, title, entities):
    services.title_revoke(actor=SYSTEM, title=title, reason="列入严重违法失信名单")
    as_user(client, users, "office")
    text = text_of(client.get(reverse("campaign:titles")))
    assert "已撤销" in text and "列入严重违法失信名单" in text
    Title.objects.filter(pk=title.pk).update(status=TitleStatus.VALID, valid_until=date(2001, 12, 31))
    text = text_of(client.get(reverse("campaign:titles"), {"status": "expired"}))
    assert "已到期" in text and title.certificate_no in text
    assert title.certificate_no not in text_of(client.get(reverse("campaign:titles"), {"status": "valid"}))


def test_the_certificate_downloads_for_staff_in_scope_and_the_bound_merchant(client, users, title):
    url = reverse("campaign:certificate", args=[title.pk])
    for name in ("county_a", "office", "merchant"):
        response = as_user(client, users, name).get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        assert title.certificate_no in response["Content-Disposition"]


def test_the_certificate_is_a_404_for_everyone_else(client, users, entities, title):
    url = reverse("campaign:certificate", args=[title.pk])
    assert client.get(url).status_code == 302
    assert as_user(client, users, "county_b").get(url).status_code == 404
    stranger = make_user("merchant_b", "merchant", entities=[entities["b_food"]])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert as_user(client, users, "county_a").get(reverse("campaign:certificate", args=[title.pk + 99])).status_code == 404
