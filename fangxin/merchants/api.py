from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from fangxin.api.auth import STAFF_AUTH

from . import selectors

router = Router(tags=["市场主体"])


class EntityOut(Schema):
    uscc: str
    name: str
    entity_type: str
    legal_representative: str
    address: str
    region_code: str
    region_name: str
    sector_code: str
    operating_status: str

    @staticmethod
    def resolve_region_code(entity):
        return entity.region.code

    @staticmethod
    def resolve_region_name(entity):
        return entity.region.name

    @staticmethod
    def resolve_sector_code(entity):
        return entity.sector.code


class EntityFilter(Schema):
    q: str = ""
    region: str = ""
    sector: str = ""


@router.get("/entities", response=list[EntityOut], auth=STAFF_AUTH, summary="管辖范围内的市场主体")
@paginate(PageNumberPagination, page_size=50)
def entity_list(request, filters: Query[EntityFilter]):
    return selectors.entity_list(user=request.auth, query=filters.q, region_code=filters.region,
                                 sector_code=filters.sector)


@router.get("/entities/{uscc}", response=EntityOut, auth=STAFF_AUTH, summary="一个市场主体（范围外与不存在同样返回 404）")
def entity_detail(request, uscc: str):
    return selectors.entity_get(user=request.auth, uscc=uscc)
