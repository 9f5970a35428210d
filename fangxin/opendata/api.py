"""/api/v1/ routes of the opendata app."""

from ninja import Router

router = Router(tags=["opendata"])
