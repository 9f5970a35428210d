from django.db import models


class RegionLevel(models.TextChoices):
    REGION = "region", "自治区"
    CITY = "city", "盟市"
    COUNTY = "county", "旗县区"
    TOWN = "town", "苏木乡镇（街道）"
    VILLAGE = "village", "嘎查村（社区）"


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"
