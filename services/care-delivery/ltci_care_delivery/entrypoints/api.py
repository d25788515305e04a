"""HTTP routes of the care-delivery service, one router per area."""

from ltci_care_delivery.entrypoints import (
    api_care,
    api_family,
    api_quality,
    api_registry,
    api_visits,
)

# Routes are matched in this order, one by one: visit ingest (the hot path) first. No path
# of one router can match another router's route, so the order changes nothing else.
routers = [
    api_visits.router,
    api_registry.providers_router,
    api_registry.caregivers_router,
    api_care.router,
    api_family.router,
    api_quality.router,
]
