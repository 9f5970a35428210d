"""The public draw and results pages fit a phone even with the longest outcome label."""

import pytest
from django.urls import reverse

from fangxin.inspections import services
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Inspection
from fangxin.inspections.tests.factories import SYSTEM, make_plan, make_team, run_draw, today

from .conftest import axe_check

pytestmark = pytest.mark.browser
PHONE_WIDTH = 375


def test_public_pages_do_not_scroll_sideways_with_long_outcomes(reference, entities, phone_page):
    make_team()
    draw = run_draw(make_plan())
    inspections = list(Inspection.objects.filter(plan=draw.plan).order_by("seq"))
    for inspection in inspections:
        services.result_record(actor=SYSTEM, inspection=inspection, outcome=Outcome.NOT_FOUND,
                               description="登记地址为空置商铺，电话无人接听", inspected_on=today())
    services.results_publish(actor=SYSTEM, inspections=inspections)
    for url in (reverse("inspections:public_draw", args=[draw.pk]), reverse("inspections:public_results")):
        phone_page.goto(url)
        assert "无法联系" in phone_page.inner_text("main")
        width = phone_page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE_WIDTH, (url, width)
        axe_check(phone_page)
