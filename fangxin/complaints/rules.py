"""The two national rule sets as data (complaint-rules.md). Installed by migration 0002; editable in the admin.

The numbered reasons follow the official texts as gathered on 2026-11-27 (order 121 art. 16 and 23;
the 2019 measures art. 15 and 24); check them against the official text before relying on them.
"""

from datetime import date

from .choices import DayUnit, ReasonKind

RULE_SETS = [
    {
        "code": "samr-2019", "name": "《市场监督管理投诉举报处理暂行办法》（2019 年，2022 年修正）",
        "in_force_from": None, "in_force_until": date(2026, 4, 14),
        "accept_days": 7, "accept_unit": DayUnit.WORKDAY,
        "mediation_days": 45, "mediation_unit": DayUnit.WORKDAY, "end_notice_days": None,
        "refusal_article": "第十五条", "end_article": "第二十四条",
        "refusals": [
            "投诉事项不属于市场监督管理部门职责，或者本行政机关不具有处理权限",
            "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会或者依法成立的其他调解组织已经受理或者处理过同一消费者权益争议",
            "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在消费者权益争议",
            "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年",
            "未提供投诉人姓名、电话、地址，被投诉人名称或者地址，具体投诉请求以及消费者权益争议事实等材料",
            "法律、法规、规章规定不予受理的其他情形",
        ],
        "end_grounds": [
            "投诉人撤回投诉或者双方自行和解",
            "投诉人与被投诉人对委托承担检定、检验、检测、鉴定工作的技术机构或者费用承担无法协商一致",
            "投诉人或者被投诉人无正当理由不参加调解，或者被投诉人明确拒绝调解",
            "经组织调解，投诉人或者被投诉人明确表示无法达成调解协议",
            "自投诉受理之日起四十五个工作日内投诉人和被投诉人未能达成调解协议",
            "市场监督管理部门受理投诉后，发现存在不予受理情形",
            "法律、法规、规章规定的应当终止调解的其他情形",
        ],
    },
    {
        "code": "samr-121", "name": "《市场监督管理投诉举报处理办法》（国家市场监督管理总局令第 121 号）",
        "in_force_from": date(2026, 4, 15), "in_force_until": None,
        "accept_days": 7, "accept_unit": DayUnit.WORKDAY,
        "mediation_days": 60, "mediation_unit": DayUnit.CALENDAR, "end_notice_days": 7,
        "refusal_article": "第十六条", "end_article": "第二十三条",
        "refusals": [
            "投诉事项不属于市场监督管理部门职责，或者本行政机关不具有处理权限",
            "法院、仲裁机构、市场监督管理部门或者其他行政机关、消费者协会或者依法成立的其他调解组织已经受理或者处理过同一消费者权益争议",
            "不是为生活消费需要购买、使用商品或者接受服务，或者不能证明与被投诉人之间存在消费者权益争议",
            "除法律另有规定外，投诉人知道或者应当知道自己的权益受到被投诉人侵害之日起超过三年",
            "未提供规定的材料，或者提供虚假材料",
            "冒用他人身份投诉，或者拒绝配合身份核验",
            "法律、法规、规章规定不予受理的其他情形",
        ],
        "end_grounds": [
            "投诉人撤回投诉或者双方自行和解",
            "投诉人或者被投诉人无正当理由拒绝或者不参加调解",
            "投诉人或者被投诉人明确表示无法达成调解协议",
            "投诉人与被投诉人对检定、检验、检测、鉴定的机构或者费用承担无法协商一致",
            "自投诉受理之日起六十日内未能达成调解协议",
            "受理投诉后发现存在不予受理情形",
            "投诉人或者被投诉人死亡或者丧失民事行为能力",
            "法律、法规、规章规定的应当终止调解的其他情形",
        ],
    },
]


def install(RuleSet, RuleReason) -> None:
    """Create or update both rule sets and their numbered reasons (models passed in for migrations)."""
    for spec in RULE_SETS:
        fields = {key: spec[key] for key in ("name", "in_force_from", "in_force_until", "accept_days", "accept_unit",
                                             "mediation_days", "mediation_unit", "end_notice_days")}
        rule_set, _ = RuleSet.objects.update_or_create(code=spec["code"], defaults=fields)
        for kind, key, article in ((ReasonKind.REFUSAL, "refusals", spec["refusal_article"]),
                                   (ReasonKind.END_GROUND, "end_grounds", spec["end_article"])):
            for number, text in enumerate(spec[key], start=1):
                RuleReason.objects.update_or_create(rule_set=rule_set, kind=str(kind), number=number,
                                                    defaults={"text": text, "article": article})
