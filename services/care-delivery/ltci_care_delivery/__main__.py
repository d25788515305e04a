"""``python -m ltci_care_delivery serve|migrate``."""

from ltci_care_delivery.app import create_app
from ltci_care_delivery.settings import Settings
from ltci_shared.service_main import run_cli

if __name__ == "__main__":
    run_cli("ltci_care_delivery", Settings, create_app, default_port=8003)
