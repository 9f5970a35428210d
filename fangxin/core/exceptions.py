"""Domain exceptions. Each carries a stable code (for the API) and a Chinese message (for people).

Views turn them into a form error or a message; the API turns them into
`{"error": {"code": ..., "message": ..., "details": ...}}` with the HTTP status below.
"""

from django.http import Http404


class FangxinError(Exception):
    code = "error"
    status = 400
    default_message = "操作失败。"

    def __init__(self, message: str | None = None, *, code: str | None = None, details: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details or {}
        super().__init__(self.message)


class ValidationFailed(FangxinError):
    code = "invalid"
    status = 422
    default_message = "提交的内容有误。"


class TransitionNotAllowed(FangxinError):
    code = "transition_not_allowed"
    status = 409
    default_message = "当前状态下不能进行此操作。"


class PermissionDenied(FangxinError):
    """Raised for an action on an object the user can see but may not change."""

    code = "forbidden"
    status = 403
    default_message = "您没有进行此操作的权限。"


class NotFound(FangxinError, Http404):
    """Missing and forbidden objects both raise this, so neither can be told from the other.
    It is an Http404 too: a page view lets it propagate and Django answers with the 404 page."""

    code = "not_found"
    status = 404
    default_message = "未找到该记录。"


class Conflict(FangxinError):
    code = "conflict"
    status = 409
    default_message = "记录已存在或已被修改。"
