"""Event consumers of the care-delivery service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_shared.messaging.consumer import Handler

CONSUMERS: Mapping[str, Mapping[str, Handler]] = {}
