from datetime import datetime

from ninja import Router, Schema

from fangxin.core.exceptions import NotFound

from . import selectors

router = Router(tags=["参考数据"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


class DepartmentOut(Schema):
    code: str
    name: str


class SectorOut(Schema):
    code: str
    seq: int
    name: str
    lead: list[str]
    cooperating: list[str]


class DimensionOut(Schema):
    code: str
    name: str
    summary: str


class CommitmentOut(Schema):
    version: int
    title: str
    body: str
    published_at: datetime | None


@router.get("/regions", response=list[RegionOut], auth=None, summary="行政区划")
def regions(request):
    from .models import Region

    return [RegionOut(code=r.code, name=r.name, level=r.level, parent_code=r.parent.code if r.parent else None)
            for r in Region.objects.select_related("parent").order_by("path")]


@router.get("/departments", response=list[DepartmentOut], auth=None, summary="职能部门")
def departments(request):
    return list(selectors.department_list())


@router.get("/sectors", response=list[SectorOut], auth=None, summary="重点行业及牵头、配合单位")
def sectors(request):
    return [SectorOut(code=s.code, seq=s.seq, name=s.name,
                      lead=[d.code for d in s.lead_departments.all()],
                      cooperating=[d.code for d in s.cooperating_departments.all()])
            for s in selectors.sector_list()]


@router.get("/dimensions", response=list[DimensionOut], auth=None, summary="五个放心维度")
def dimensions(request):
    return list(selectors.dimension_list())


@router.get("/commitment", response=CommitmentOut, auth=None, summary="现行统一承诺")
def commitment(request):
    current = selectors.current_commitment()
    if current is None:
        raise NotFound("统一承诺尚未发布。")
    return current
