"""Composition root of the settlement service."""

from fastapi import FastAPI

from ltci_settlement.adapters.policy import policy_book
from ltci_settlement.adapters.tables import metadata
from ltci_settlement.entrypoints import backtest_api, statement_page, stats_api
from ltci_settlement.entrypoints.access import ACCESS
from ltci_settlement.entrypoints.api import router
from ltci_settlement.entrypoints.consumers import CONSUMERS
from ltci_settlement.entrypoints.onestop_api import router as onestop_router
from ltci_settlement.entrypoints.payments_api import router as payments_router
from ltci_settlement.entrypoints.settlement_api import router as settlement_router
from ltci_settlement.settings import Settings
from ltci_shared.auth import protect
from ltci_shared.messaging.inprocess import InProcessBus
from ltci_shared.web import service_app


def create_app(
    settings: Settings | None = None, *, bus: InProcessBus | None = None, migrate: bool = False
) -> FastAPI:
    settings = settings or Settings()

    def on_startup(app: FastAPI) -> None:
        app.state.settings = settings
        app.state.policy_book = policy_book()  # validated once; an invalid pack stops start-up

    return service_app(
        package="ltci_settlement",
        settings=settings,
        metadata=metadata,
        routers=[
            protect(
                [
                    router,
                    settlement_router,
                    onestop_router,
                    stats_api.router,
                    backtest_api.router,
                    payments_router,
                    statement_page.router,
                ],
                ACCESS,
            )
        ],
        consumers=CONSUMERS,
        bus=bus,
        migrate=migrate,
        on_startup=on_startup,
        title="LTCI settlement service",
        description="Claims adjudication under the policy packs, the double-entry fund ledger, "
        "statements (JSON, CSV, printable), provider payment batches and reconciliation, quality "
        "holdback release, back-testing a proposed pack, one-stop medical-assistance settlement.",
    )
