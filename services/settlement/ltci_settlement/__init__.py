"""ltci_settlement."""
