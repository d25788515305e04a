"""Event consumers of the assessment service: consumer name → {event type: handler}."""

from collections.abc import Mapping

from ltci_shared.messaging.consumer import Handler

CONSUMERS: Mapping[str, Mapping[str, Handler]] = {}
