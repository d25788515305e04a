"""HTTP routes of the assessment service, one router gathering the route modules."""

from fastapi import APIRouter

from ltci_assessment.entrypoints import applications_api, eligibility_api, registry_api

router = APIRouter()
router.include_router(registry_api.router)
router.include_router(eligibility_api.router)
router.include_router(applications_api.router)
