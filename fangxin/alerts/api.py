"""/api/v1/alerts/…: early warnings and prepaid-card declarations."""

from ninja import Router

router = Router(tags=["预警"])
