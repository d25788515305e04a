"""ltci_shared."""
