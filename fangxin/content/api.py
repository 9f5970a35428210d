"""/api/v1/ routes of the content app."""

from ninja import Router

router = Router(tags=["content"])
