import pytest

from fangxin.complaints.choices import Status
from fangxin.complaints.tests.factories import make_complaint


@pytest.mark.parametrize("state", [s for s in Status.values if s not in (
    "operator", "operator_offered", "operator_settled", "report_received", "case_opened", "case_not_opened")])
def test_each_state_reachable(entities, state):
    complaint = make_complaint(state)
    assert complaint.status == state
