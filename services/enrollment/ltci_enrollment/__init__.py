"""ltci_enrollment."""
