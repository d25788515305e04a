"""The OpenAPI page documents every endpoint, with request examples and declared problems."""

from ltci_enrollment.app import create_app
from ltci_enrollment.settings import EnrollmentSettings


def test_every_operation_is_described_and_every_request_body_has_examples() -> None:
    spec = create_app(EnrollmentSettings()).openapi()
    schemas = spec["components"]["schemas"]
    missing = []
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            if not op.get("description"):
                missing.append(f"{method} {path}: no description")
            for media in op.get("requestBody", {}).get("content", {}).values():
                name = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                if not (media.get("examples") or schemas.get(name, {}).get("examples")):
                    missing.append(f"{method} {path}: no request example")
            if method in ("post", "patch") and "422" not in op["responses"]:
                missing.append(f"{method} {path}: problems not declared")
    assert missing == []
