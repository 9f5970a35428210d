"""A stored file gone from storage answers 404, and a GET on a POST-only page gets a Chinese page, not a blank."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from fangxin.core.actors import Actor
from fangxin.core.tests import samples
from fangxin.credit import repair
from fangxin.credit.models import RepairEvidence
from fangxin.credit.services import credit_event_record

pytestmark = pytest.mark.django_db
PNG = samples.PNG


def test_a_missing_evidence_file_is_a_404_not_a_500(client, users, entities, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    event = credit_event_record(actor=Actor.system("t"), entity=entities["a_food"], kind="penalty",
                                occurred_on=date(2026, 3, 1), detail="罚款",
                                source_ref="penalty:t", document_number="临罚1", authority="临河区市场监督管理局")
    request = repair.repair_submit(actor=Actor.for_user(users["merchant"]), entity=entities["a_food"],
                                    event=event, statement="已缴纳罚款并完成整改，附缴款凭证。",
                                    files=[ContentFile(PNG, name="凭证.png")])
    stored = RepairEvidence.objects.get(request=request)
    stored.file.storage.delete(stored.file.name)
    client.force_login(users["county_a"])
    response = client.get(reverse("credit:repair_evidence", args=[request.pk, stored.pk]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_get_on_a_post_only_address_gets_a_page(client, users, entities):
    client.force_login(users["county_a"])
    response = client.get(reverse("credit:penalty_new", args=[entities["a_food"].uscc]))
    assert response.status_code == 405 and "请从页面上的按钮操作" in response.content.decode()
    assert "POST" in response["Allow"]
