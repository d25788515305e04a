"""The OpenAPI page documents every one-stop endpoint: a description, request and response
examples, declared problems; the settlement call carries the worked example."""

from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings


def test_every_onestop_operation_is_described_with_examples_and_problems() -> None:
    spec = create_app(Settings()).openapi()
    schemas = spec["components"]["schemas"]
    missing = []
    operations = [
        (f"{method} {path}", op)
        for path, ops in spec["paths"].items()
        if path.startswith("/medical-assistance/")
        for method, op in ops.items()
    ]
    assert len(operations) == 11
    for name, op in operations:
        if not op.get("description"):
            missing.append(f"{name}: no description")
        for media in op.get("requestBody", {}).get("content", {}).values():
            ref = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
            if not schemas.get(ref, {}).get("examples"):
                missing.append(f"{name}: no request example")
        if "422" not in op["responses"]:
            missing.append(f"{name}: problems not declared")
    assert missing == []
    answer = schemas["SettlementView"]["examples"][0]
    assert [layer["paid"] for layer in answer["layers"]] == ["53400.00", "18915.00", "14148.00"]
    assert answer["patient_total"] == "13537.00"
