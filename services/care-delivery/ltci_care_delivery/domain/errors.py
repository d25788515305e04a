"""Named domain errors of the care-delivery service (rendered as problem+json by one handler)."""

from __future__ import annotations

from ltci_shared.errors import Conflict, DomainError, InvalidInput, NotFound


class PayloadTooLarge(DomainError):
    status, name, title = 413, "payload_too_large", "Payload too large"


class ProviderNotFound(NotFound):
    name, title = "provider_not_found", "Provider not found"


class ProviderAlreadyAdmitted(Conflict):
    name, title = "provider_already_admitted", "Provider already admitted"


class ProviderStateConflict(Conflict):
    name, title = "provider_state_conflict", "Provider state does not allow this"


class FormNotInPolicy(InvalidInput):
    name, title = "form_not_in_policy", "Service form not paid by the region's policy"


class AreaOutsideRegion(InvalidInput):
    name, title = "area_outside_region", "Service area outside the provider's region"


class CaregiverNotFound(NotFound):
    name, title = "caregiver_not_found", "Caregiver not found"


class CaregiverAlreadyRegistered(Conflict):
    name, title = "caregiver_already_registered", "Caregiver already registered"


class PersonNotKnown(NotFound):
    name, title = "person_not_known", "Person not known to care delivery"


class PersonNotEligible(Conflict):
    name, title = "person_not_eligible", "Person not eligible"


class UnknownPackage(InvalidInput):
    name, title = "unknown_package", "Unknown service package"


class AgreementNotCovering(Conflict):
    name, title = "agreement_not_covering", "Provider agreement does not cover this"


class InstitutionalPlanExists(Conflict):
    name, title = "institutional_plan_exists", "An institutional plan is already active"


class PlanNotFound(NotFound):
    name, title = "plan_not_found", "Care plan not found"


class PlanAlreadyEnded(Conflict):
    name, title = "plan_already_ended", "Care plan already ended"


class StayNotFound(NotFound):
    name, title = "stay_not_found", "Stay not found"


class StayOverlaps(Conflict):
    name, title = "stay_overlaps", "Stay overlaps another stay of the person"


class StayAlreadyDischarged(Conflict):
    name, title = "stay_already_discharged", "Stay already discharged"


class UnknownDevice(InvalidInput):
    name, title = "unknown_device", "Device not in the catalogue"


class DeviceCategoryTaken(Conflict):
    name, title = "device_category_taken", "A device of this category is already rented"


class DeviceMinimumTerm(Conflict):
    name, title = "device_minimum_term", "Rental shorter than the minimum term"


class RentalNotFound(NotFound):
    name, title = "rental_not_found", "Device rental not found"


class RentalAlreadyEnded(Conflict):
    name, title = "rental_already_ended", "Device rental already ended"


class VisitNotFound(NotFound):
    name, title = "visit_not_found", "Visit not found"


class VisitRejected(InvalidInput):
    """A visit refused at the door (not stored); ``name`` is set per instance via ``code``."""

    name, title = "visit_rejected", "Visit rejected"


class VisitIdReused(Conflict):
    name, title = "external_visit_id_reused", "Provider visit id reused with other content"


class VisitStateConflict(Conflict):
    name, title = "visit_state_conflict", "Visit state does not allow this"


class ExceptionNotFound(NotFound):
    name, title = "visit_exception_not_found", "Visit exception not found"


class ExceptionAlreadyResolved(Conflict):
    name, title = "visit_exception_already_resolved", "Visit exception already resolved"


class ExceptionNotOverridable(Conflict):
    name, title = "visit_exception_not_overridable", "This exception refuses the visit"


class EmploymentNotFound(NotFound):
    name, title = "employment_not_found", "Caregiver does not work for this provider"


class EmploymentAlreadyEnded(Conflict):
    name, title = "employment_already_ended", "Caregiver's work for this provider already ended"


class FamilyCaregiverNotFound(NotFound):
    name, title = "family_caregiver_not_found", "Family caregiver not found"


class FamilyCaregiverAlreadyRegistered(Conflict):
    name, title = "family_caregiver_already_registered", "Family caregiver already registered"


class FamilyCaregiverRequired(InvalidInput):
    name, title = "family_caregiver_required", "A family-care plan names its family caregiver"


class FamilyCaregiverNotCertified(Conflict):
    name, title = "family_caregiver_not_certified", "Family caregiver's training not valid"


class NotFamilyCarePlan(Conflict):
    name, title = "not_family_care_plan", "Not a family-care plan"


class FamilyCarePeriodNotOver(Conflict):
    name, title = "period_not_over", "The month is not over yet"


class FamilyCareAlreadyCertified(Conflict):
    name, title = "family_care_already_certified", "The month is already certified"


class NothingToCertify(Conflict):
    name, title = "nothing_to_certify", "The plan covered no payable day in the month"


class CareDaysExceedCovered(InvalidInput):
    name, title = "care_days_exceed_covered", "More care days than the plan covered"


class RatingNotAllowed(Conflict):
    name, title = "rating_not_allowed", "Nothing to rate for this person, provider and month"


class AlreadyRated(Conflict):
    name, title = "already_rated", "Already rated"


class InvalidPeriod(InvalidInput):
    name, title = "invalid_period", "Invalid period or date range"


class ScorecardPeriodNotOver(Conflict):
    name, title = "scorecard_period_not_over", "The month is not over yet"


class NoScorecardPolicy(Conflict):
    name, title = "no_scorecard_policy", "The region's benefits pack gives no scorecard weights"


class NothingToScore(Conflict):
    name, title = "nothing_to_score", "No visits or ratings to score in the month"
