"""ltci_care_delivery."""
