"""The article workflow: who writes, who reviews, the transition table (property-based), masking at publish,
scope, the audit trail, and the selectors the portal home and the annual report use."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangxin.accounts.models import User
from fangxin.accounts.tests.factories import make_user
from fangxin.content import selectors, services
from fangxin.content.choices import ArticleKind, ArticleStatus
from fangxin.content.flows import ARTICLE_FLOW, REASON_REQUIRED
from fangxin.content.models import Article
from fangxin.core.actors import Actor
from fangxin.core.exceptions import NotFound, PermissionDenied, TransitionNotAllowed, ValidationFailed
from fangxin.core.models import AuditRecord

from .factories import article_input, make_article

pytestmark = pytest.mark.django_db
CASE = ("2026 年 3 月，消费者张伟（电话 13947812345）在临河区某超市购买的牛奶已过保质期。"
        "经调解，超市退一赔十。联系人：王芳，身份证 150802199001011239。")


def actor(user):
    return Actor.for_user(user)


@pytest.fixture
def head(users):
    """The unit head of the food and drug administration (department fda)."""
    user = make_user("fda_head", "department_staff", region="150800", department="fda")
    User.objects.filter(pk=user.pk).update(is_unit_head=True)
    return User.objects.get(pk=user.pk)


def test_author_submits_office_publishes_with_personal_information_masked(users):
    article = make_article(users["county_a"], status=ArticleStatus.SUBMITTED, body=CASE, region="150802",
                           title="消费者购买过期牛奶获赔案")
    assert article.published_body == ""
    published = services.article_transition(actor=actor(users["office"]), article=article,
                                             to_status=ArticleStatus.PUBLISHED)
    assert published.status == ArticleStatus.PUBLISHED and published.reviewed_by == "office"
    for secret in ("13947812345", "150802199001011239", "张伟", "王芳"):
        assert secret not in published.published_body + published.published_title
    assert "临河区某超市" in published.published_body and "退一赔十" in published.published_body
    assert published.body == CASE  # the original stays for the record, staff only
    assert selectors.public_article(published.pk) == published
    actions = list(AuditRecord.objects.filter(object_id=str(article.pk), action__startswith="content.article")
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["content.article.create", "content.article.submitted", "content.article.published"]
    assert [e.label for e in published.events.all()] == ["撰写", "提交审核", "审核通过并发布"]


def test_reviewer_is_never_the_author(users):
    article = make_article(users["office"], status=ArticleStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=actor(users["office"]), article=article, to_status=ArticleStatus.PUBLISHED)
    other_office = make_user("office2", "joint_office", region="150800", department="amr")
    services.article_transition(actor=actor(other_office), article=article, to_status=ArticleStatus.PUBLISHED)


def test_department_unit_head_reviews_own_department_only(users, head):
    ours = make_article(users["department"], status=ArticleStatus.SUBMITTED, kind=ArticleKind.EDUCATION,
                        department="fda", title="食品安全普法：如何识别过期食品")
    theirs = make_article(users["county_a"], status=ArticleStatus.SUBMITTED, department="amr", region="150802")
    assert list(selectors.review_queue(head)) == [ours]
    assert set(selectors.review_queue(users["office"])) == {ours, theirs}
    assert not selectors.review_queue(users["county_b"]).exists()  # plain staff review nothing
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=actor(head), article=theirs, to_status=ArticleStatus.PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.article_transition(actor=actor(users["county_b"]), article=ours, to_status=ArticleStatus.PUBLISHED)
    services.article_transition(actor=actor(head), article=ours, to_status=ArticleStatus.PUBLISHED)


def test_return_needs_a_reason_and_the_author_edits_and_resubmits(users):
    article = make_article(users["county_a"], status=ArticleStatus.SUBMITTED, region="150802")
    with pytest.raises(ValidationFailed) as caught:
        services.article_transition(actor=actor(users["office"]), article=article, to_status=ArticleStatus.RETURNED)
    assert caught.value.details == {"field": "reason"}
    returned = services.article_transition(actor=actor(users["office"]), article=article,
                                           to_status=ArticleStatus.RETURNED, reason="请写明处理结果")
    assert returned.reason == "请写明处理结果" and returned.editable
    services.article_save(actor=actor(users["county_a"]), article=returned,
                          data=article_input(region="150802", body="超市已退一赔十。"))
    again = services.article_transition(actor=actor(users["county_a"]), article=returned,
                                        to_status=ArticleStatus.SUBMITTED)
    assert again.status == ArticleStatus.SUBMITTED and again.reason == "" and again.body == "超市已退一赔十。"


def test_withdraw_takes_the_article_off_the_portal(users):
    article = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, reviewer=users["office"],
                           region="150802")
    assert selectors.latest_for_home() == [article]
    withdrawn = services.article_transition(actor=actor(users["office"]), article=article,
                                            to_status=ArticleStatus.WITHDRAWN, reason="案情表述有误")
    assert withdrawn.published_body == "" and withdrawn.reason == "案情表述有误"
    assert selectors.latest_for_home() == []
    with pytest.raises(NotFound):
        selectors.public_article(article.pk)


def test_submitted_and_published_articles_cannot_be_edited(users):
    article = make_article(users["county_a"], status=ArticleStatus.SUBMITTED, region="150802")
    with pytest.raises(PermissionDenied):
        services.article_save(actor=actor(users["county_a"]), article=article, data=article_input(region="150802"))


def test_validation_and_scope(users):
    with pytest.raises(ValidationFailed) as caught:
        services.article_save(actor=actor(users["county_a"]), data=article_input(region="150802", title=" "))
    assert caught.value.details == {"field": "title"}
    with pytest.raises(PermissionDenied):  # county A writes for county B
        services.article_save(actor=actor(users["county_a"]), data=article_input(region="150821"))
    for role in ("merchant", "auditor", "sysadmin"):
        with pytest.raises(PermissionDenied):
            services.article_save(actor=actor(users[role]), data=article_input())


def test_staff_see_their_region_and_their_department(users):
    a = make_article(users["county_a"], region="150802", title="临河区文章")
    b = make_article(users["county_b"], region="150821", title="五原县文章")
    city = make_article(users["department"], department="fda", kind=ArticleKind.EDUCATION, title="药监普法")
    assert set(selectors.articles_visible(users["county_a"])) == {a}
    assert set(selectors.articles_visible(users["office"])) == {a, b, city}
    assert set(selectors.articles_visible(users["department"])) == {city}
    assert set(selectors.articles_visible(users["auditor"])) == {a, b, city}
    assert not selectors.articles_visible(users["merchant"]).exists()
    with pytest.raises(NotFound):
        selectors.article_get(users["county_a"], b.pk)


def test_typical_cases_for_the_annual_report(users):
    case = make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", body=CASE)
    make_article(users["county_a"], status=ArticleStatus.PUBLISHED, region="150802", kind=ArticleKind.WARNING)
    make_article(users["county_a"], status=ArticleStatus.SUBMITTED, region="150802")
    year = case.published_at.year
    assert selectors.typical_cases(year) == [case]
    assert selectors.typical_cases(year - 1) == []
    assert "13947812345" not in selectors.typical_cases(year, 1)[0].published_body


ROLES = ("author", "colleague", "office", "county_b")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(ArticleStatus.values), st.booleans()),
                      max_size=8))
def test_workflow_follows_the_table_and_only_reviewers_review(users, steps):
    people = {"author": users["department"], "office": users["office"], "county_b": users["county_b"],
              "colleague": User.objects.get_or_create(
                  username="fda_colleague", defaults={"role": "department_staff", "department_id":
                                                      users["department"].department_id,
                                                      "region_id": users["department"].region_id})[0]}
    article = make_article(people["author"], department="fda", body=CASE)
    current = ArticleStatus.DRAFT
    for who, target, with_reason in steps:
        user = people[who]
        try:
            services.article_transition(actor=actor(user), article=article, to_status=target,
                                        reason="理由" if with_reason else "")
        except TransitionNotAllowed:
            assert not ARTICLE_FLOW.can(current, target)
        except PermissionDenied:
            reviewing = target in (ArticleStatus.PUBLISHED, ArticleStatus.RETURNED, ArticleStatus.WITHDRAWN)
            assert (reviewing and who != "office") or (not reviewing and who in ("office", "county_b"))
        except ValidationFailed:
            assert target in REASON_REQUIRED and not with_reason
        else:
            assert ARTICLE_FLOW.can(current, target)
            if target in (ArticleStatus.PUBLISHED, ArticleStatus.RETURNED, ArticleStatus.WITHDRAWN):
                assert who == "office"
            current = target
        stored = Article.objects.get(pk=article.pk)
        assert stored.status == current
        # the public copy exists exactly while published, and never carries the phone number
        assert bool(stored.published_body) == (current == ArticleStatus.PUBLISHED)
        assert "13947812345" not in stored.published_body
        assert selectors.public_articles().filter(pk=article.pk).exists() == (current == ArticleStatus.PUBLISHED)
