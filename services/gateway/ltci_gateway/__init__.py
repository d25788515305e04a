"""ltci_gateway."""
