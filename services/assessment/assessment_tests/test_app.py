"""The assessment service starts, migrates its database and answers its operational endpoints."""

from pathlib import Path

import httpx

from ltci_assessment.app import create_app
from ltci_assessment.settings import Settings


async def test_health_readiness_and_openapi(tmp_path: Path) -> None:
    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db"), migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c,
    ):
        assert (await c.get("/healthz")).json() == {
            "status": "ok",
            "service": "assessment",
            "checks": {},
        }
        assert (await c.get("/readyz")).json()["checks"] == {"database": "ok"}
        assert (await c.get("/openapi.json")).json()["info"]["title"] == "LTCI assessment service"


async def test_the_lifecycle_also_runs_on_sqlite_for_the_embedded_mode(tmp_path: Path) -> None:
    from .support import SEVERE, Driver, enrolled, feed, outbox

    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/a.db"), migrate=True)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c,
    ):
        await feed(app, enrolled())
        driver = Driver(app, c)
        await driver.registry()
        final = await driver.to_final(await driver.apply(), SEVERE)
        assert (final["status"], final["grade"], final["eligible"]) == ("final", 3, True)
        assert [e["grade"] for e in await outbox(app, "EligibilityGranted")] == [3]
