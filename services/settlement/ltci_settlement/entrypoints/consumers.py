"""Event consumers of the settlement service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_settlement.service_layer import holdback, read_models
from ltci_shared.messaging.consumer import BatchHandler, Handler

# One object for both types, so a run mixing them is applied in one call (in order).
_visits = BatchHandler(read_models.on_visit_logged, read_models.on_visits_logged)

CONSUMERS: Mapping[str, Mapping[str, Handler]] = {
    "settlement-read-models": {
        "PersonEnrolled": read_models.on_person_enrolled,
        "EnrollmentEnded": read_models.on_enrollment_ended,
        "MembershipChanged": read_models.on_membership_changed,
        "ContributionPosted": read_models.on_contribution_posted,
        "AssessmentCompleted": read_models.on_assessment_completed,
        "EligibilityGranted": read_models.on_eligibility_granted,
        "EligibilityRevoked": read_models.on_eligibility_revoked,
        "EligibilityChanged": read_models.on_eligibility_changed,
        "CarePlanActivated": read_models.on_care_plan_activated,
        "CarePlanEnded": read_models.on_care_plan_ended,
        "FamilyCareCertified": read_models.on_family_care_certified,
        "StayReported": read_models.on_stay_reported,
        "ServiceVisitLogged": _visits,
        "VisitCorrected": _visits,
        "VisitVoided": read_models.on_visit_voided,
        "DeviceRentalChanged": read_models.on_rental_changed,
        "AssistanceCategoryChanged": read_models.on_assistance_category_changed,
        "ScorecardIssued": holdback.on_scorecard_issued,
    },
}
