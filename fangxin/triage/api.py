"""POST /api/v1/triage/classify and /api/v1/triage/mask, for staff and department integrations."""

from ninja import Field, Router, Schema

from fangxin.api.auth import STAFF_AUTH
from fangxin.core.exceptions import PermissionDenied

from . import classifier, masking, selectors

router = Router(tags=["投诉分诊"])
MAX_TEXT = 100_000


class TextIn(Schema):
    text: str = Field(..., max_length=MAX_TEXT, description="投诉文本（最长 100,000 字）")


class TriageDepartmentOut(Schema):
    code: str
    name: str


class ExtractedOut(Schema):
    amounts: list[dict]
    dates: list[dict]
    order_numbers: list[str]
    phones: list[dict]
    business_names: list[str]


class TriageOut(Schema):
    sector: str
    sector_name: str
    problem_types: list[str]
    problem_type_names: list[str]
    department: str
    department_name: str
    lead_departments: list[TriageDepartmentOut]
    confidence: float
    evidence: list[str]
    extracted: ExtractedOut
    model_version: int
    registry_matches: list[dict]


class SpanOut(Schema):
    start: int
    end: int
    type: str


class MaskOut(Schema):
    text: str
    spans: list[SpanOut]


def _staff(request):
    if not selectors.can_read_triage(request.auth):
        raise PermissionDenied("只有工作人员可以使用分诊接口。")


@router.post("/triage/classify", response=TriageOut, auth=STAFF_AUTH,
             summary="投诉分诊：行业、问题类型、牵头部门、置信度与依据，以及金额、日期、订单号、电话和经营者候选")
def classify(request, payload: TextIn):
    _staff(request)
    result = classifier.classify(payload.text)
    data = result.as_dict()
    data["registry_matches"] = classifier.extract_registry_matches(result, user=request.auth)
    return data


@router.post("/triage/mask", response=MaskOut, auth=STAFF_AUTH, summary="遮盖个人信息（手机号、座机、身份证号、银行卡号、邮箱、姓名、详细地址）")
def mask(request, payload: TextIn):
    _staff(request)
    result = masking.mask(payload.text)
    return {"text": result.text, "spans": result.spans_as_dicts()}
