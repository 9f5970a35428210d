"""Demo-like data for the open-data and report tests, with personal data planted wherever staff or the public can
type free text: complaint texts, list reasons, announcement bodies, inspection notes."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fangxin.campaign.titles.models import Announcement
from fangxin.campaign.titles.tests.factories import award, make_application, open_cycle, sign_both
from fangxin.complaints.choices import Status
from fangxin.complaints.tests.factories import make_complaint
from fangxin.core.actors import Actor
from fangxin.credit import services as credit_services
from fangxin.inspections import services as inspection_services
from fangxin.inspections.choices import Outcome
from fangxin.inspections.models import Inspection
from fangxin.inspections.tests.factories import make_plan, make_team

SYSTEM = Actor.system("test")
PLANTED = {
    "mobile": "13912345678", "landline": "0478-8123456", "id_card": "150802199001011239",
    "email": "wangxm@example.com", "bank_card": "6222020200112233446", "name": "王小明",
}
PLANTED_TEXT = (f"消费者王小明（身份证号 {PLANTED['id_card']}）反映，联系电话 {PLANTED['mobile']}，"
                f"座机 {PLANTED['landline']}，邮箱 {PLANTED['email']}，银行卡号 6222020200112233446。")


@pytest.fixture
def planted(reference, entities, users):
    """Complaints in several states (this month and last year's), a title, a revocation announcement, a credit list
    entry and a published inspection result, each with personal data in its free text."""
    today = timezone.localdate()
    states = (Status.RECEIVED, Status.ACCEPTED, Status.AGREEMENT, Status.MEDIATION_ENDED, Status.REFUSED)
    for number, state in enumerate(states, start=1):  # distinct texts: identical submissions are merged
        make_complaint(state, complainant_name="王小明", complainant_phone=PLANTED["mobile"],
                       description=f"第{number}件：{PLANTED_TEXT}", purchased_on=today - timedelta(days=3))
    open_cycle()
    application = sign_both(make_application(entities["a_food"]), users["department"], users["association"])
    title = award(application, users["office"])
    Announcement.objects.create(entity=entities["b_food"], title="关于撤销某超市放心消费创建单位资格的公告",
                                body="经核查，该单位存在欺诈行为。" + PLANTED_TEXT, published_on=today)
    credit_services.list_enter(actor=SYSTEM, entity=entities["b_tourism"], kind="abnormal", reason_code="AB-1",
                               reason="未按期公示年报；" + PLANTED_TEXT, authority="巴彦淖尔市市场监督管理局",
                               document_number="巴市监异〔2026〕1号", entered_on=today)
    make_team()
    plan = make_plan(name="2026 年食品经营者双随机抽查")
    inspection_services.plan_freeze(actor=SYSTEM, plan=plan)
    inspection_services.entropy_enter(actor=SYSTEM, plan=plan, entropy="3-1-4", witnesses="见证人甲")
    inspection_services.draw_run(actor=SYSTEM, plan=plan)
    first, second, *_ = Inspection.objects.filter(plan=plan).order_by("seq")
    inspection_services.result_record(actor=SYSTEM, inspection=first, outcome=Outcome.PROBLEMS,
                                      description="冷藏柜温度超标，店主" + PLANTED_TEXT, inspected_on=today)
    inspection_services.result_record(actor=SYSTEM, inspection=second, outcome=Outcome.PASSED, description="",
                                      inspected_on=today)
    inspection_services.results_publish(actor=SYSTEM, inspections=[first, second])
    return {"title": title, "plan": plan, "today": today, "month": date(today.year, today.month, 1)}
