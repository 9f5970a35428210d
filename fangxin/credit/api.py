"""/api/v1/credit/…: lists, ledger events and their import."""

from ninja import Router

router = Router(tags=["信用监管"])
