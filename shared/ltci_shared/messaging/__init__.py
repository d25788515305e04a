"""Reliable messaging: transactional outbox and relay, idempotent consumers, the two bus adapters."""
