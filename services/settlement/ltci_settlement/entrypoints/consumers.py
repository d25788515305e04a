"""Event consumers of the settlement service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_settlement.service_layer import read_models
from ltci_shared.messaging.consumer import Handler

CONSUMERS: Mapping[str, Mapping[str, Handler]] = {
    "settlement-read-models": {
        "PersonEnrolled": read_models.on_person_enrolled,
        "EnrollmentEnded": read_models.on_enrollment_ended,
    },
}
