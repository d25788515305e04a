"""ltci_assessment."""
