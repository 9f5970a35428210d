"""Attachments: checked by content and extension, only while the article can be edited, downloadable by the
public only once the article is published, audited."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fangxin.content import services
from fangxin.content.attachments import MAX_FILES
from fangxin.content.choices import ArticleStatus
from fangxin.core.actors import Actor
from fangxin.core.exceptions import PermissionDenied, ValidationFailed
from fangxin.core.models import AuditRecord
from fangxin.core.tests import samples

from .factories import make_article

pytestmark = pytest.mark.django_db
PDF = samples.PDF


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name="抽检结果.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_add_checks_content_and_limits(users):
    article = make_article(users["county_a"], region="150802")
    author = Actor.for_user(users["county_a"])
    stored = services.attachment_add(actor=author, article=article, upload=pdf())
    assert stored.name == "抽检结果.pdf" and stored.content_type == "application/pdf" and len(stored.sha256) == 64
    assert AuditRecord.objects.filter(action="content.article.attach", object_id=str(article.pk)).exists()
    with pytest.raises(ValidationFailed) as caught:
        services.attachment_add(actor=author, article=article, upload=pdf("病毒.pdf", b"MZ\x90\x00 not a pdf"))
    assert "不符" in caught.value.message
    with pytest.raises(ValidationFailed):
        services.attachment_add(actor=author, article=article, upload=pdf("a.exe", b"MZ"))
    for n in range(MAX_FILES - 1):
        services.attachment_add(actor=author, article=article, upload=pdf(f"{n}.pdf"))
    with pytest.raises(ValidationFailed) as caught:
        services.attachment_add(actor=author, article=article, upload=pdf("more.pdf"))
    assert f"最多 {MAX_FILES} 个" in caught.value.message
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=Actor.for_user(users["county_b"]), article=article, upload=pdf())


def test_submitted_articles_keep_their_attachments_fixed(users):
    article = make_article(users["county_a"], region="150802", status=ArticleStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.attachment_add(actor=Actor.for_user(users["county_a"]), article=article, upload=pdf())


def test_pages_upload_download_and_public_only_when_published(client, users):
    article = make_article(users["county_a"], region="150802")
    client.force_login(users["county_a"])
    client.post(reverse("content:staff_file_add", args=[article.pk]), {"file": pdf()})
    stored = article.attachments.get()
    staff = client.get(reverse("content:staff_file", args=[article.pk, stored.pk]))
    assert staff.status_code == 200 and b"".join(staff.streaming_content) == PDF
    public_url = reverse("content:public_file", args=[article.pk, stored.pk])
    client.logout()
    assert client.get(public_url).status_code == 404  # a draft's file is not public
    services.article_transition(actor=Actor.for_user(users["county_a"]), article=article,
                                to_status=ArticleStatus.SUBMITTED)
    services.article_transition(actor=Actor.for_user(users["office"]), article=article,
                                to_status=ArticleStatus.PUBLISHED)
    page = client.get(reverse("content:public_detail", args=[article.pk])).content.decode()
    assert public_url in page and "抽检结果.pdf" in page
    public = client.get(public_url)
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert "attachment" in public["Content-Disposition"]
    client.force_login(users["county_b"])
    assert client.get(reverse("content:staff_file", args=[article.pk, stored.pk])).status_code == 404


def test_remove(client, users):
    article = make_article(users["county_a"], region="150802")
    stored = services.attachment_add(actor=Actor.for_user(users["county_a"]), article=article, upload=pdf())
    client.force_login(users["county_a"])
    client.post(reverse("content:staff_file_remove", args=[article.pk, stored.pk]))
    assert not article.attachments.exists()
