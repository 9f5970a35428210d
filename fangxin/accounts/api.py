from ninja import Router, Schema

from fangxin.api.auth import STAFF_AUTH

from .scope import scope_of

router = Router(tags=["账号"])


class MeOut(Schema):
    username: str
    name: str
    role: str
    role_label: str
    region_code: str | None
    department_code: str | None
    sees_everything: bool


@router.get("/me", response=MeOut, auth=STAFF_AUTH, summary="当前调用者及其可见范围")
def me(request):
    principal = request.auth
    return {
        "username": principal.username,
        "name": principal.display_name,
        "role": principal.role,
        "role_label": principal.get_role_display(),
        "region_code": principal.region.code if principal.region_id else None,
        "department_code": principal.department.code if principal.department_id else None,
        "sees_everything": scope_of(principal).everything,
    }
