"""Integration events: the CloudEvents envelope and the versioned payload contracts."""

from ltci_shared.events.base import EVENT_TYPES, IntegrationEvent, event_class
from ltci_shared.events.envelope import Envelope

__all__ = ["EVENT_TYPES", "Envelope", "IntegrationEvent", "event_class"]
