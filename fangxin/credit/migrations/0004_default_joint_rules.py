"""The default joint-punishment rules (policy 五(四) and the issue's examples). The joint-meeting office edits them
afterwards on workbench/credit/rules/; this seed only runs once, on an empty table."""

from decimal import Decimal

from django.db import migrations

DEFAULT_RULES = [
    {"name": "严重违法失信名单主体不得参加创建", "condition_kind": "list", "condition_value": "serious",
     "effects": ["block_enrollment", "block_title_application", "title_review"],
     "basis": "列入严重违法失信名单的，不得参加放心消费创建，不得申报示范单位，已获称号的进入复核",
     "position": 10},
    {"name": "经营异常名录主体不得申报示范单位", "condition_kind": "list", "condition_value": "abnormal",
     "effects": ["block_title_application", "title_review"],
     "basis": "列入经营异常名录期间，不得申报放心消费示范单位，已获称号和创建资格的进入复核", "position": 20},
    {"name": "D 级主体提高抽查比例", "condition_kind": "grade", "condition_value": "D",
     "effects": ["raise_inspection_ratio"], "inspection_ratio": Decimal("0.30"),
     "basis": "信用等级为 D 级的，双随机抽查比例提高到 30%", "position": 30},
    {"name": "C 级主体公开提示", "condition_kind": "grade", "condition_value": "C",
     "effects": ["profile_warning"], "warning_text": "该经营者信用等级为 C 级（失信风险），请谨慎消费并保留购物凭证。",
     "basis": "信用等级为 C 级的，在公开信息页提示消费者", "position": 40},
]


def seed(apps, schema_editor):
    JointRule = apps.get_model("credit", "JointRule")
    if JointRule.objects.exists():
        return
    for rule in DEFAULT_RULES:
        JointRule.objects.create(**rule)


class Migration(migrations.Migration):
    dependencies = [("credit", "0003_rules_and_repair")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
