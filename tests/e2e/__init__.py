"""Cross-service tests on the real servers (PostgreSQL, Kafka) and the embedded platform."""
