"""A simulated city month (``ltci simulate``): generated from a seed, sent through the public
API of a running platform (gateway only), then settled and summarised."""

from ltci_embedded.simulate.options import Month, Options
from ltci_embedded.simulate.runner import simulate

__all__ = ["Month", "Options", "simulate"]
