"""Demo market entities: deterministic for a seed, spread over every county and sector."""

import random

from fangxin.core import uscc as uscc_rules
from fangxin.organisation.choices import RegionLevel
from fangxin.organisation.models import Region, Sector

from .choices import EntityType
from .models import MarketEntity
from .services import entity_create

SHOP_WORDS = {
    "ecommerce": ["网购商城", "电商旗舰店", "直播优选", "电视购物"],
    "tourism": ["国际旅行社", "大酒店", "景区管理处", "宾馆"],
    "food_drug": ["华联超市", "大药房", "生鲜超市", "家常菜馆", "烧烤城"],
    "info": ["手机通讯店", "宽带营业厅", "数码城"],
    "transport": ["汽车修理厂", "驾驶员培训学校", "出租汽车公司", "客运站"],
    "finance": ["农商银行支行", "财产保险营业部", "证券营业部"],
    "price": ["百货商场", "购物中心", "日用百货店"],
    "utilities": ["燃气有限公司", "供水公司营业厅", "供电营业所"],
    "express": ["快递服务部", "物流速递网点", "快递驿站"],
    "culture": ["KTV", "网吧", "影城", "文化艺术中心"],
    "education": ["培训学校", "教育咨询中心", "幼儿园"],
    "beauty_fitness": ["健身会所", "美容美发店", "瑜伽馆", "美容院"],
    "other": ["家具城", "婚纱摄影", "家政服务部", "汽车销售公司"],
}
NAME_WORDS = ["鑫源", "华联", "金川", "河套", "利民", "恒泰", "兴隆", "永盛", "宏达", "万家", "乐购", "天骄",
              "塞上", "瑞丰", "阳光", "佳和", "德润", "新世纪", "富民", "祥和", "晨光", "宜家", "绿野", "锦华"]
ROADS = ["胜利北路", "新华街", "建设路", "团结路", "五一街", "解放街", "光明路", "永济路", "朔方路", "乌兰布和路"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文海峰宏亮斌"


def demo_uscc(rng: random.Random, county_code: str, entity_type: str) -> str:
    head = "92" if entity_type == EntityType.INDIVIDUAL else "91"
    body = "".join(rng.choice(uscc_rules.ALPHABET) for _ in range(9))
    return uscc_rules.complete(head + county_code + body)


DEMO_ENTITY_COUNT = 5000
PLATFORMS = ["淘宝", "京东", "拼多多", "抖音小店", "微信小程序"]


def load(*, rng: random.Random, actor, count: int = DEMO_ENTITY_COUNT, stdout=None) -> int:
    """Create `count` entities round-robin over counties and sectors; existing ones are kept."""
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"))
    sectors = list(Sector.objects.order_by("seq"))
    created, existing = 0, set(MarketEntity.objects.values_list("uscc", flat=True))
    for index in range(count):
        county, sector = counties[index % len(counties)], sectors[index % len(sectors)]
        entity_type = EntityType.INDIVIDUAL if index % 3 == 0 else EntityType.COMPANY
        code = demo_uscc(rng, county.code, entity_type)
        name = f"{county.name}{rng.choice(NAME_WORDS)}{rng.choice(SHOP_WORDS.get(sector.code, ['商行']))}"
        address = f"巴彦淖尔市{county.name}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        owner = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        online = {}
        if sector.code == "ecommerce":
            online = {"online_platform": rng.choice(PLATFORMS),
                      "online_shop_url": f"https://shop.example.cn/{code[-8:].lower()}"}
        if code in existing:
            continue
        entity_create(actor=actor, uscc=code, name=name, region=county, sector=sector, entity_type=entity_type,
                      legal_representative=owner, address=address, **online)
        created += 1
    if stdout is not None and created:
        stdout.write(f"演示市场主体：新增 {created} 家")
    return created
