"""City rules as data: versioned policy packs per region, validated on load."""

from ltci_shared.policy.assessment import AssessmentPolicy
from ltci_shared.policy.assistance import AssistancePolicy
from ltci_shared.policy.benefits import BenefitPolicy
from ltci_shared.policy.book import (
    SECTIONS,
    InvalidPolicyPack,
    PackError,
    PolicyBook,
    PolicyNotInForce,
    Region,
)
from ltci_shared.policy.contributions import ContributionPolicy

__all__ = [
    "SECTIONS",
    "AssessmentPolicy",
    "AssistancePolicy",
    "BenefitPolicy",
    "ContributionPolicy",
    "InvalidPolicyPack",
    "PackError",
    "PolicyBook",
    "PolicyNotInForce",
    "Region",
]
