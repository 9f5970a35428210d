"""/api/v1/stats/…: the campaign goals' indicators from the rollup tables."""

from ninja import Router

router = Router(tags=["统计分析"])
