"""/api/v1/inspections/…: directories, plans, draws and results."""

from ninja import Router

router = Router(tags=["双随机一公开"])
