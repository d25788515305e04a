"""``python -m ltci_gateway serve|migrate``."""

from ltci_gateway.app import create_app
from ltci_gateway.settings import Settings
from ltci_shared.service_main import run_cli

if __name__ == "__main__":
    run_cli("ltci_gateway", Settings, create_app, default_port=8000)
