"""Expected failures of the assessment service, each with a stable problem name.

PersonNotInsured (409)      ApplicationAlreadyOpen (409)   ReapplyTooSoon (409)
NotEnoughAssessors (409)    AssessorNotQualified (409)     AssessorConflicted (409)
AssessorNotDifferent (409)  AssessorsNotAssigned (409)     ObjectionWindowClosed (409)
DateOutOfOrder (422)        UnknownRegion (422)            plus lifecycle and grading errors
"""

from __future__ import annotations

from ltci_shared.errors import Conflict, InvalidInput


class PersonNotInsured(Conflict):
    name = "person_not_insured"
    title = "Person not insured on the date"


class ApplicationAlreadyOpen(Conflict):
    name = "application_already_open"
    title = "The person already has an open application"


class ReapplyTooSoon(Conflict):
    name = "reapply_too_soon"
    title = "Within the waiting period after the last decision"


class NotEnoughAssessors(Conflict):
    name = "not_enough_assessors"
    title = "Not enough qualified assessors without conflicts"


class AssessorNotQualified(Conflict):
    name = "assessor_not_qualified"
    title = "Assessor not qualified, not valid or not of the region"


class AssessorConflicted(Conflict):
    name = "assessor_conflicted"
    title = "Assessor works for the person's care provider"


class AssessorNotDifferent(Conflict):
    name = "assessor_not_different"
    title = "The expert panel must not include the on-site assessors"


class AssessorsNotAssigned(Conflict):
    name = "assessors_not_assigned"
    title = "The assessors are not the ones assigned"


class ObjectionWindowClosed(Conflict):
    name = "objection_window_closed"
    title = "Objection outside the public-notice window"


class OrganisationAlreadyRegistered(Conflict):
    name = "organisation_already_registered"
    title = "Organisation already registered"


class DateOutOfOrder(InvalidInput):
    name = "date_out_of_order"
    title = "Date out of order"


class UnknownRegion(InvalidInput):
    name = "unknown_region"
    title = "No policy pack for the region"
