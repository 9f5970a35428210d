"""/api/v1/credit/…: grades and their explanation, joint-punishment rules, credit repair."""

from ninja import Router

router = Router(tags=["信用等级与联合惩戒"])
