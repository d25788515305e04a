"""The schema-driven fuzzer (schemathesis) over every service's OpenAPI: no 5xx, no leaked
resident ID, no cross-tenant read."""
