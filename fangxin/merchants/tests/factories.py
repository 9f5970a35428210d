import itertools

from fangxin.core import uscc
from fangxin.core.actors import Actor
from fangxin.merchants.services import entity_create
from fangxin.organisation.models import Region, Sector

_serial = itertools.count(1)


def make_uscc(county: str = "150802") -> str:
    return uscc.complete(f"91{county}MA{next(_serial):07d}")


def make_entity(*, county: str = "150802", sector: str = "food_drug", name: str | None = None, **fields):
    code = fields.pop("uscc", None) or make_uscc(county)
    return entity_create(actor=Actor.system("test"), uscc=code, name=name or f"测试商户{code[-6:]}",
                         region=Region.objects.get(code=county), sector=Sector.objects.get(code=sector),
                         address=fields.pop("address", "巴彦淖尔市临河区新华街 1 号"), **fields)
