"""Every API error is `{"error": {"code", "message", "details"}}` with a stable code and a Chinese message."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import DataError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from fangxin.core.exceptions import FangxinError

logger = logging.getLogger("fangxin.api")


class ErrorBody(Schema):
    code: str
    message: str
    details: dict = {}


class ErrorOut(Schema):
    error: ErrorBody


def error_response(api, request, status: int, code: str, message: str, details: dict | None = None):
    return api.create_response(request, {"error": {"code": code, "message": message, "details": details or {}}},
                               status=status)


HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
              409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many_requests"}


def install(api) -> None:
    @api.exception_handler(FangxinError)
    def domain_error(request, exc: FangxinError):
        return error_response(api, request, exc.status, exc.code, exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        fields = [{"loc": [str(part) for part in error.get("loc", [])], "message": error.get("msg", "")}
                  for error in exc.errors]
        return error_response(api, request, 422, "invalid", "请求参数有误，请检查后重试。", {"fields": fields})

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return error_response(api, request, 401, "unauthenticated", "需要登录或有效的 API 令牌。")

    @api.exception_handler(AuthorizationError)
    def unauthorized(request, exc):
        return error_response(api, request, 403, "forbidden", "您没有进行此操作的权限。")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(api, request, 404, "not_found", "未找到该记录。")

    @api.exception_handler(DjangoPermissionDenied)
    def forbidden(request, exc):
        return error_response(api, request, 403, "forbidden", "您没有进行此操作的权限。")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        return error_response(api, request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), str(exc))

    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def unstorable(request, exc: Exception):
        # Input the database refuses (PostgreSQL: a NUL character in a string, a number out of range; SQLite: an
        # integer beyond 64 bits, e.g. in an id list) is the client's error, not ours; the write it was part of
        # has been rolled back by its transaction.
        logger.info("database refused API input: %s", exc)
        return error_response(api, request, 422, "invalid", "请求中含有无法保存的字符或数值，请检查后重试。")

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        logger.exception("unhandled API error", exc_info=exc)
        return error_response(api, request, 500, "server_error", "服务器内部错误，操作未完成，请稍后重试。")
