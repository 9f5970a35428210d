"""Businesses (市场主体). `entity(ctx, i)` is a pure function of the seed and the index, so complaints can
reconstruct the business they name without holding the registry in memory."""

import bisect
from dataclasses import dataclass
from datetime import timedelta

from fangxin.core import uscc as uscc_rules
from fangxin.merchants.choices import EntityType, OperatingStatus
from fangxin.merchants.demo import GIVEN, NAME_WORDS, PLATFORMS, ROADS, SHOP_WORDS, SURNAMES
from fangxin.merchants.models import MarketEntity

from .context import Context, aware

# Shares of the registry by sector (per mille): retail, food and services dominate a real registry.
SECTOR_WEIGHTS = {"ecommerce": 60, "tourism": 40, "food_drug": 260, "info": 40, "transport": 50, "finance": 10,
                  "price": 150, "utilities": 5, "express": 25, "culture": 30, "education": 30,
                  "beauty_fitness": 90, "other": 210}
TYPE_WEIGHTS = [(EntityType.INDIVIDUAL, 640), (EntityType.COMPANY, 300), (EntityType.COOPERATIVE, 30),
                (EntityType.BRANCH, 30)]
STATUS_WEIGHTS = [(OperatingStatus.OPERATING, 930), (OperatingStatus.SUSPENDED, 20), (OperatingStatus.CANCELLED, 35),
                  (OperatingStatus.REVOKED, 15)]
FIELDS = ["id", "uscc", "name", "entity_type", "legal_representative", "address", "region", "sector",
          "online_platform", "online_shop_url", "operating_status", "contact_phone", "created_at", "updated_at"]


@dataclass(slots=True)
class Business:
    """A business's fields without the cost of a model instance (the registry is millions of them)."""

    pk: int
    uscc: str
    name: str
    entity_type: str
    legal_representative: str
    address: str
    region: object
    sector: object
    online_platform: str
    online_shop_url: str
    operating_status: str
    contact_phone: str
    created_at: object

    def as_model(self) -> MarketEntity:
        """An unsaved instance with the same primary key, for code that takes a MarketEntity (complaints)."""
        return MarketEntity(pk=self.pk, uscc=self.uscc, name=self.name, entity_type=self.entity_type,
                            legal_representative=self.legal_representative, address=self.address, region=self.region,
                            sector=self.sector, online_platform=self.online_platform,
                            online_shop_url=self.online_shop_url, operating_status=self.operating_status,
                            contact_phone=self.contact_phone)


@dataclass(slots=True)
class EntityRow:
    index: int
    entity: Business
    rng_state: object  # the entity's generator after its own fields: enrollment and credit draws continue it


def encode(number: int, alphabet: str, width: int) -> str:
    digits = []
    for _ in range(width):
        number, rest = divmod(number, len(alphabet))
        digits.append(alphabet[rest])
    return "".join(reversed(digits))


def pick(rng, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def entity(ctx: Context, index: int) -> EntityRow:
    rng = ctx.rng("entity", index)
    county = ctx.counties[bisect.bisect_right(ctx.county_cum, rng.random() * ctx.county_cum[-1])]
    sector = rng.choices(ctx.sectors, weights=[SECTOR_WEIGHTS.get(s.code, 10) for s in ctx.sectors])[0]
    entity_type = pick(rng, TYPE_WEIGHTS)
    head = {EntityType.INDIVIDUAL: "92", EntityType.COOPERATIVE: "93"}.get(entity_type, "91")
    # the index in the nine body characters: unique by construction, no lookup needed
    code = uscc_rules.complete(head + county.code + encode(index, uscc_rules.ALPHABET, 9))
    name = f"{county.name}{rng.choice(NAME_WORDS)}{rng.choice(NAME_WORDS)}{rng.choice(SHOP_WORDS.get(sector.code, ['商行']))}"
    online_platform = online_url = ""
    if sector.code == "ecommerce":
        online_platform, online_url = rng.choice(PLATFORMS), f"https://shop.example.cn/{code[-10:].lower()}"
    opened = ctx.today - timedelta(days=rng.randint(30, 365 * 12))
    stamp = aware(opened, rng.randint(0, 540))
    item = Business(
        ctx.ids.entity + index, code, name[:120], entity_type,
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        f"{ctx.city_names[county.pk]}{county.name}{rng.choice(ROADS)}{rng.randint(1, 400)}号",
        county, sector, online_platform, online_url, pick(rng, STATUS_WEIGHTS),
        "1" + rng.choice("3578") + str(rng.randint(100000000, 999999999)), stamp)
    return EntityRow(index, item, rng)


def row(item: Business) -> tuple:
    return (item.pk, item.uscc, item.name, item.entity_type, item.legal_representative, item.address, item.region.pk,
            item.sector.pk, item.online_platform, item.online_shop_url, item.operating_status, item.contact_phone,
            item.created_at, item.created_at)
