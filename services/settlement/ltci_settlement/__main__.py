"""``python -m ltci_settlement serve|migrate``."""

from ltci_settlement.app import create_app
from ltci_settlement.settings import Settings
from ltci_shared.service_main import run_cli

if __name__ == "__main__":
    run_cli("ltci_settlement", Settings, create_app, default_port=8004)
