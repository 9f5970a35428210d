"""Default evaluation standards: a common core on the five 放心 dimensions (policy 三) plus each sector's own
items drawn from its paragraph in policy 四. `seed_standards()` publishes version 1 for every sector and level
that has none yet (idempotent); lead departments then revise them as new versions."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fangxin.core import audit
from fangxin.core.actors import Actor
from fangxin.organisation.models import Dimension, Sector

from .choices import DEFAULT_PASS_MARK, ItemKind, StandardStatus, TitleLevel
from .models import Standard, StandardItem

# (dimension, kind, text, points, guidance, evidence)
CORE = [
    ("safety", "scored", "经营场所、设施设备符合国家安全标准，定期排查隐患", 8, "有排查记录得满分，缺一项扣 2 分", "安全检查记录、消防验收或检查合格证明"),
    ("safety", "scored", "制定突发事件应急处置方案并组织演练", 6, "有方案 3 分，年内演练 3 分", "应急预案、演练照片或记录"),
    ("quality", "scored", "进货查验、索证索票，商品和服务来源可追溯", 8, "抽查 5 种商品，缺一份票证扣 2 分", "进货台账、供货商资质"),
    ("quality", "scored", "瑕疵缺陷商品依规处置，落实“三包”和召回", 6, "制度 3 分，执行记录 3 分", "三包制度、处置记录"),
    ("price", "scored", "明码标价、明码实价，执行政府定价和指导价", 8, "价签不全扣 2 分/处", "门店价签照片、收费公示"),
    ("price", "scored", "无价格欺诈、虚构原价、虚假折扣", 6, "年内无价格违法记录得满分", "市场监管部门查询结果"),
    ("service", "scored", "兑现售后承诺，依法修理、更换、退货、退款、赔偿", 8, "抽查售后记录", "售后服务制度、处理记录"),
    ("service", "scored", "不使用不公平格式条款，服务协议公开", 6, "有一条不公平条款扣 3 分", "格式合同、服务协议文本"),
    ("rights", "scored", "落实首问负责、赔偿先付，设立投诉处理岗位", 8, "岗位和制度各 4 分", "首问负责制度、赔偿先付记录"),
    ("rights", "scored", "消费纠纷主动和解，投诉按期办结，消费者满意", 8, "按年度投诉调解成功率和满意率评分", "投诉处理台账"),
    ("rights", "veto", "列入严重违法失信名单或经营异常名录", 0, "列入即否决", "信用查询结果"),
    ("safety", "veto", "年内发生重大消费安全事故", 0, "发生即否决", "安全事故报告"),
    ("rights", "veto", "存在未化解的群体性消费投诉", 0, "存在即否决", "投诉台账"),
    ("rights", "bonus", "获得县级以上诚信经营、质量等表彰", 3, "每项 1 分，最多 3 分", "表彰文件"),
]

# Each sector's own items, from its paragraph in policy 四 (dimension, text, points, evidence).
SECTOR_ITEMS = {
    "ecommerce": [("service", "落实网络购物七日无理由退货", 8, "退货规则页面截图、退货记录"),
                  ("quality", "平台内经营者准入、退出和商品信息审核制度健全", 6, "平台规则、审核记录"),
                  ("rights", "个人信息保护制度健全，不泄露、不滥用消费者信息", 6, "个人信息保护制度")],
    "tourism": [("price", "旅游线路、门票、住宿明码标价，无强迫购物、“不合理低价游”", 8, "线路合同、价格公示"),
                ("safety", "旅游设施和项目安全管理到位，有安全警示", 6, "安全检查记录")],
    "food_drug": [("quality", "落实食品药品进货查验和索证索票，明厨亮灶", 8, "进货台账、后厨照片"),
                  ("safety", "从业人员健康证明齐全，食品留样", 6, "健康证、留样记录")],
    "info": [("service", "资费公开透明，不擅自开通、变更业务", 8, "资费公示、业务办理记录"),
             ("rights", "个人信息和通信秘密保护，防范电信网络诈骗", 6, "保护制度")],
    "transport": [("price", "运价和服务收费公示，无拒载、绕路、乱收费", 8, "收费公示、投诉记录"),
                  ("safety", "车辆和驾驶员资质合格，定期安全检查", 6, "资质证明、检查记录")],
    "finance": [("service", "金融产品风险充分揭示，不误导销售", 8, "产品说明、双录记录"),
                ("rights", "金融消费者信息保护和投诉处理机制健全", 6, "投诉处理制度")],
    "price": [("price", "商品和服务明码标价，结算价格与标价一致", 8, "价签照片、收银抽查"),
              ("price", "促销活动价格真实，无虚构原价", 6, "促销方案")],
    "utilities": [("service", "水电气暖收费标准公开，抄表计量准确", 8, "收费公示、计量检定证书"),
                  ("service", "抢修服务及时，服务承诺公开", 6, "抢修记录、服务承诺")],
    "express": [("service", "快件收寄验视，丢失损毁依规赔偿", 8, "收寄验视记录、赔偿记录"),
                ("rights", "快递面单个人信息保护", 6, "隐私面单使用情况")],
    "culture": [("safety", "场所消防安全、未成年人保护措施到位", 8, "消防检查、未成年人保护制度"),
                ("price", "票价和服务收费公示，无强制消费", 6, "价格公示")],
    "education": [("service", "培训合同使用示范文本，收费和退费规则公开", 8, "培训合同、退费记录"),
                  ("rights", "预收费资金监管，不超期预收费", 6, "资金监管协议")],
    "beauty_fitness": [("rights", "预付卡（储值卡）发行规范，余额可查、可退", 8, "预付卡章程、退卡记录"),
                       ("safety", "从业人员资质和器械、用品合格", 6, "资质证书、产品合格证明")],
}
SCALE = {TitleLevel.COUNTY: 1, TitleLevel.CITY: 1, TitleLevel.REGION: 1}


def items_for(sector_code: str) -> list[tuple]:
    """The common core scaled so that scored items total 100 with the sector's own items."""
    own = [(dim, "scored", text, points, "对照现场检查和材料评分", evidence)
           for dim, text, points, evidence in SECTOR_ITEMS.get(sector_code, [])]
    scored_core = [row for row in CORE if row[1] == "scored"]
    others = [row for row in CORE if row[1] != "scored"]
    own_total = sum(row[3] for row in own)
    core_total = sum(row[3] for row in scored_core)
    factor = Decimal(100 - own_total) / Decimal(core_total)
    rows = [(d, k, t, (Decimal(p) * factor).quantize(Decimal("0.5")), g, e) for d, k, t, p, g, e in scored_core]
    drift = Decimal(100 - own_total) - sum(row[3] for row in rows)
    first = rows[0]
    rows[0] = (first[0], first[1], first[2], first[3] + drift, first[4], first[5])
    return rows + own + others


def seed_standards(*, actor: Actor) -> int:
    """Publish version 1 of the default standard for every sector and level that has none (idempotent)."""
    dimensions = {d.code: d for d in Dimension.objects.all()}
    created = 0
    for sector in Sector.objects.exclude(code="other").prefetch_related("lead_departments"):
        owner = sector.lead_departments.order_by("id").first()
        for level in TitleLevel.values:
            if Standard.objects.filter(sector=sector, level=level).exists() or owner is None:
                continue
            with transaction.atomic():
                standard = Standard.objects.create(
                    sector=sector, level=level, version=1, status=StandardStatus.PUBLISHED, published_at=timezone.now(),
                    title=f"{sector.name}放心消费示范单位评价标准（{TitleLevel(level).label}）",
                    pass_mark=Decimal(DEFAULT_PASS_MARK[level]), owner=owner, note="默认标准（系统初始）")
                StandardItem.objects.bulk_create([
                    StandardItem(standard=standard, dimension=dimensions[dim], seq=seq, kind=ItemKind(kind),
                                 text=text, points=Decimal(points), guidance=guidance, evidence=evidence)
                    for seq, (dim, kind, text, points, guidance, evidence) in enumerate(items_for(sector.code), 1)])
                audit.record(actor=actor, action="campaign.standard.seed", obj=standard,
                             changes={"version": [None, 1], "status": [None, StandardStatus.PUBLISHED]})
                created += 1
    return created
