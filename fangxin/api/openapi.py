"""The OpenAPI document names the error answers too, so that clients (and schemathesis) know every status code.

Every operation can answer with the error envelope of `errors.py` (`{"error": {"code", "message", "details"}}`):
400 (a domain rule), 403 (permission), 404 (missing or out of scope), 409 (state conflict), 422 (invalid input)
and 429 (rate limit); an operation with a security requirement also 401, one with a request body also 413.
"""

from ninja import NinjaAPI

ERROR_SCHEMA = {
    "title": "ErrorOut", "type": "object", "required": ["error"],
    "properties": {"error": {
        "title": "ErrorBody", "type": "object", "required": ["code", "message"],
        "properties": {"code": {"title": "Code", "type": "string"},
                       "message": {"title": "Message", "type": "string"},
                       "details": {"title": "Details", "type": "object", "default": {}}},
    }},
}
ERRORS = {400: "请求不符合业务规则", 403: "没有权限", 404: "不存在或不在您的范围内", 409: "状态冲突（例如不允许的状态流转）",
          422: "参数有误", 429: "请求过于频繁"}
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def document_errors(schema: dict) -> dict:
    schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            codes = dict(ERRORS)
            if operation.get("security"):
                codes[401] = "需要登录或有效的 API 令牌"
            if "requestBody" in operation:
                codes[413] = "请求体过大"
            responses = operation.setdefault("responses", {})
            for status, description in sorted(codes.items()):
                responses.setdefault(status, {"description": description,
                                              "content": {"application/json": {"schema": ERROR_REF}}})
    return schema


class FangxinAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))
