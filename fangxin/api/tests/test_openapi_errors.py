"""The OpenAPI document names the error answers (schemathesis checks every status code against it)."""

import pytest


@pytest.mark.django_db
def test_every_operation_documents_the_error_envelope(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "403", "404", "409", "422", "429"):
                schema = responses[status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
            assert ("401" in responses) == bool(operation.get("security")), (method, path)
            assert ("413" in responses) == ("requestBody" in operation), (method, path)


@pytest.mark.django_db
def test_a_documented_error_is_what_the_api_answers(client):
    response = client.get("/api/v1/complaints/TS000")
    assert response.status_code == 401
    assert set(response.json()["error"]) >= {"code", "message"}


def _models(annotation, found: set) -> None:
    """Every pydantic model reachable from an annotation (fields, unions, lists)."""
    import inspect

    from pydantic import BaseModel

    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for argument in getattr(annotation, "__args__", None) or ():
        _models(argument, found)


def test_no_two_schemas_share_a_component_name():
    """The document keys schemas by class name: two `EventOut`s would silently describe one operation's answer
    with the other's fields (schemathesis found /tools/deadline documented with the complaint deadline's)."""
    from fangxin.api.api import api

    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*(operation.response_models or {}).values(), *(operation.models or [])]:
                    _models(model, found)
    names: dict[str, set] = {}
    for model in found:
        names.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert not clashes, clashes
