"""The platform's benchmarks: throughput and latency, each beside a raw-hardware reference."""
