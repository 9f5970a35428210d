"""The portal home links every public list and publication a consumer may look for."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_links_the_public_lists(client, reference):
    page = client.get(reverse("portal:home")).content.decode()
    for name in ("credit:public_lists", "inspections:public_draws", "inspections:public_results",
                 "campaign:publicity_public", "campaign:announcements", "complaints:file"):
        assert f'href="{reverse(name)}"' in page, name


def test_home_shows_the_statistics_headline_the_latest_articles_and_running_publicity(client, reference, entities):
    from fangxin.complaints.choices import Status
    from fangxin.complaints.tests.factories import make_complaint
    from fangxin.stats.rollups import rebuild

    make_complaint(Status.AGREEMENT)
    make_complaint(Status.ACCEPTED, complainant_phone="13900001111", description="另一件：电视机坏了")
    rebuild()
    page = client.get(reverse("portal:home")).content.decode()
    assert "全市收到投诉 <strong>2</strong> 件，处理率 <strong>50%</strong>" in page
    assert "资讯" in page and reverse("content:public_list") in page
