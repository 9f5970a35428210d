from django.db import models


class ProblemType(models.TextChoices):
    """Problem types (DESIGN.md section 4), multi-label."""

    QUALITY = "quality", "商品质量"
    FALSE_AD = "false_ad", "虚假宣传"
    PRICE = "price", "价格"
    UNFAIR_TERMS = "unfair_terms", "不公平格式条款"
    AFTER_SALES = "after_sales", "售后服务"
    NO_REASON_RETURN = "no_reason_return", "七日无理由退货"
    SAFETY = "safety", "人身财产安全"
    PREPAID = "prepaid", "预付卡"
    PERSONAL_INFO = "personal_info", "个人信息"
    CONTRACT = "contract", "合同与服务"
    OTHER = "other", "其他"


# Sector codes in reference order (data/reference/sectors.csv); names come from the reference data.
SECTOR_CODES = ("ecommerce", "tourism", "food_drug", "info", "transport", "finance", "price", "utilities", "express",
                "culture", "education", "beauty_fitness", "other")
PROBLEM_TYPE_CODES = tuple(ProblemType.values)
