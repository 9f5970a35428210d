"""The workbench menu groups a long menu by capability; a short one (a merchant's) stays one row."""

import pytest
from django.urls import reverse

from fangxin.workbench.navigation import groups_for, items_for

pytestmark = pytest.mark.django_db


def test_staff_menu_is_grouped_by_capability_and_keeps_every_entry(users):
    groups = dict(groups_for(users["office"]))
    assert {"投诉举报", "信用监管", "双随机抽查", "示范单位", "创建单位"} <= set(groups)
    assert [item.label for item in groups["双随机抽查"]][:1] == ["双随机抽查"]
    assert sorted(i.url_name for g in groups.values() for i in g) == sorted(i.url_name for i in items_for(users["office"]))


def test_a_merchant_menu_is_one_unnamed_group(users):
    groups = groups_for(users["merchant"])
    assert len(groups) == 1 and groups[0][0] == ""


def test_the_page_shows_the_group_headings(client, users):
    client.force_login(users["county_a"])
    page = client.get(reverse("workbench:home")).content.decode()
    assert '<span class="nav-group-label">信用监管</span>' in page and '<h2 class="card-group-title">投诉举报</h2>' in page
