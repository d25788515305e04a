"""Event consumers of the assessment service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_assessment.service_layer.read_models import ReadModels
from ltci_shared.messaging.consumer import Handler
from ltci_shared.policy import PolicyBook

READ_MODELS = "assessment-read-models"


def consumers(book: PolicyBook) -> Mapping[str, Mapping[str, Handler]]:
    """The consumers, bound to the policy book loaded at start-up (regions decide coverage)."""
    models = ReadModels(book)
    return {
        READ_MODELS: {
            "PersonEnrolled": models.on_person_enrolled,
            "MembershipChanged": models.on_membership_changed,
            "EnrollmentEnded": models.on_enrollment_ended,
            "PersonUpdated": models.on_person_updated,
        },
    }
