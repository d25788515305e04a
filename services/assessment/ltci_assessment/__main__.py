"""``python -m ltci_assessment serve|migrate``."""

from ltci_assessment.app import create_app
from ltci_assessment.settings import Settings
from ltci_shared.service_main import run_cli

if __name__ == "__main__":
    run_cli("ltci_assessment", Settings, create_app, default_port=8002)
