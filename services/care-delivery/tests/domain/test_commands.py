"""Every OpenAPI example is a valid request, and commands refuse what they must."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ltci_care_delivery.domain import commands, visit_commands

MODELS: list[type[BaseModel]] = [
    commands.AdmitProvider,
    commands.ReviewProvider,
    commands.SignAgreement,
    commands.GradeProvider,
    commands.ChangeProviderStatus,
    commands.RegisterCaregiver,
    commands.AddEmployment,
    commands.UpdateCertification,
    commands.CreateCarePlan,
    commands.EndCarePlan,
    commands.ReportStay,
    commands.DischargeStay,
    commands.StartDeviceRental,
    commands.EndDeviceRental,
    visit_commands.LogVisit,
    visit_commands.VisitBatch,
    visit_commands.ResolveException,
    visit_commands.VoidVisit,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_examples_are_valid_requests(model: type[BaseModel]) -> None:
    examples: list[dict[str, Any]] = model.model_config["json_schema_extra"]["examples"]  # type: ignore[index,call-overload]
    assert examples
    for example in examples:
        model.model_validate(example)


@pytest.mark.parametrize(
    ("model", "body"),
    [
        (commands.CreateCarePlan, {"ends_on": "2026-01-01", "starts_on": "2026-02-01"}),
        (commands.ReportStay, {"admitted_on": "2026-03-10", "discharged_on": "2026-03-01"}),
        (commands.SignAgreement, {"valid_from": "2026-02-01", "valid_until": "2026-01-01"}),
    ],
)
def test_periods_must_not_end_before_they_start(
    model: type[BaseModel], body: dict[str, Any]
) -> None:
    example = model.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index,call-overload]
    with pytest.raises(ValidationError):
        model.model_validate({**example, **body})


def test_a_manual_capture_needs_a_reason_code() -> None:
    capture = {"at": "2026-03-02T09:00:00+08:00", "method": "manual"}
    with pytest.raises(ValidationError):
        visit_commands.Capture.model_validate(capture)
    visit_commands.Capture.model_validate({**capture, "manual_reason": "phone_dead"})
