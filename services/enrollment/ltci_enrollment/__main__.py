"""``python -m ltci_enrollment serve|migrate``."""

from ltci_enrollment.app import create_app
from ltci_enrollment.settings import EnrollmentSettings
from ltci_shared.service_main import run_cli

if __name__ == "__main__":
    run_cli("ltci_enrollment", EnrollmentSettings, create_app, default_port=8001)
