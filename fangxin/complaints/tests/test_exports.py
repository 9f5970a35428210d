"""The queue export: personal data masked by default, in full only when asked."""

import io

from django.utils import timezone
from openpyxl import load_workbook

from fangxin.complaints import exports, selectors
from fangxin.complaints.choices import Status
from fangxin.complaints.tests.factories import make_complaint


def read(data: bytes) -> list[dict]:
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_masked_by_default(users):
    make_complaint(description="我的电话 13800001234，请联系我。", demand="退款，打 13800001234")
    rows = selectors.queue(users["county_a"], "all")
    data = exports.complaints_xlsx(rows)
    (row,) = read(data)
    assert row["联系电话"] == "138****1234" and row["投诉人"] == "张*"
    assert "13800001234" not in row["投诉内容"] and "13800001234" not in row["投诉请求"]
    assert b"13800001234" not in data


def test_full_when_asked(users):
    make_complaint()
    (row,) = read(exports.complaints_xlsx(selectors.queue(users["auditor"], "all"), include_personal=True))
    assert row["联系电话"] == "13800001234" and row["投诉人"] == "张三"


def test_columns_carry_the_deadline_and_outcome(users):
    make_complaint(Status.AGREEMENT)
    open_one = make_complaint(description="另一件：洗衣机漏水。")
    rows = {r["投诉编号"]: r for r in read(exports.complaints_xlsx(selectors.queue(users["county_a"], "all")))}
    agreed = next(r for no, r in rows.items() if no != open_one.tracking_no)
    assert agreed["状态"] == "调解成功" and agreed["挽回经济损失（元）"] == 559.9
    assert agreed["办结日期"].date() == timezone.localdate()
    waiting = rows[open_one.tracking_no]
    assert waiting["当前期限"] == "作出受理决定" and isinstance(waiting["剩余工作日"], int)
