"""Event consumers of the care-delivery service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_care_delivery.service_layer import read_models
from ltci_shared.messaging.consumer import Handler

CONSUMERS: Mapping[str, Mapping[str, Handler]] = {
    "care-delivery-read-models": {
        "PersonEnrolled": read_models.on_person_enrolled,
        "PersonUpdated": read_models.on_person_updated,
        "EnrollmentEnded": read_models.on_enrollment_ended,
        "EligibilityGranted": read_models.on_eligibility_granted,
        "EligibilityChanged": read_models.on_eligibility_changed,
        "EligibilityRevoked": read_models.on_eligibility_revoked,
    },
}
