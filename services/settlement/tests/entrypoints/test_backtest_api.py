"""The back-test endpoint: an invalid proposal is a 422 listing every error (never loaded,
never a 500), bad ranges are refused, the OpenAPI page's example runs, and behind tokens a
TPA back-tests its own regions only while providers and dashboards are refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ltci_settlement.app import create_app
from ltci_settlement.entrypoints.backtest_schemas import BacktestRequest
from ltci_settlement.settings import Settings
from ltci_shared.auth.matrix import TokenSigner

SIGNER = TokenSigner()
PATH = "/what-if/backtests"


def example() -> dict[str, Any]:
    """The request example the OpenAPI page shows (Yancheng, home visits at 70 元/h)."""
    found: dict[str, Any] = BacktestRequest.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index,call-overload]
    return found


def problems(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["errors"]}


async def test_an_invalid_proposal_lists_every_error(harness: Any) -> None:
    body = example()
    proposed = dict(body["proposed"])
    forms = [dict(f) for f in proposed["forms"]]
    forms[0]["rate"] = 80.5  # a float
    forms[1]["fund_ratio"] = "1.5"  # above 1
    forms[1]["rates"] = "65.00"  # an unknown key (a typo)
    proposed.pop("visit_verification")
    bad = {**body, "proposed": {**proposed, "forms": forms}}
    found = problems(await harness.client.post(PATH, json=bad))
    assert set(found) == {
        "body.proposed.forms.0.rate",
        "body.proposed.forms.1.fund_ratio",
        "body.proposed.forms.1.rates",
        "body.proposed.visit_verification",
    }
    assert "float" in found["body.proposed.forms.0.rate"]

    twice = {**body, "proposed": {**proposed, "forms": [forms[2], forms[2]]}}
    twice["proposed"]["visit_verification"] = body["proposed"]["visit_verification"]
    assert "each service form appears once" in str(
        problems(await harness.client.post(PATH, json=twice))
    )

    # valid for the model, refused before use: an assumed path naming nothing, and a ratio
    # too long for the fund's share to be computed exactly
    long_ratio = [{**forms[2], "fund_ratio": "0." + "3" * 70}, *body["proposed"]["forms"][:2]]
    unknown = {
        **body,
        "proposed": {**body["proposed"], "assumed": ["forms", "nothing.here"], "forms": long_ratio},
    }
    response = await harness.client.post(PATH, json=unknown)
    assert response.json()["type"] == "/problems/invalid_policy_version"
    assert problems(response) == {
        "body.proposed.assumed.1": "no value at 'nothing.here'",
        "body.proposed.forms.0.fund_ratio": "at most 6 decimals",
    }


async def test_ranges_and_regions_are_checked(harness: Any) -> None:
    body = example()
    cases = [
        ({"from_period": "2026-04", "to_period": "2026-03"}, "invalid_backtest_range"),
        ({"from_period": "2025-01", "to_period": "2026-01"}, "invalid_backtest_range"),  # 13
        ({"from_period": "2026-13", "to_period": "2026-13"}, "invalid_period"),
        ({"region_code": "999999"}, "unknown_region"),
    ]
    for change, name in cases:
        response = await harness.client.post(PATH, json={**body, **change})
        assert (response.status_code, response.json()["type"]) == (422, f"/problems/{name}")
    twelve = {**body, "from_period": "2025-04", "to_period": "2026-03"}
    out = (await harness.client.post(PATH, json=twelve)).json()
    assert [m["period"] for m in out["by_month"]][::11] == ["2025-04", "2026-03"]
    assert out["limits"] == {"max_months": 12, "max_lines": 50000}


async def test_the_openapi_page_documents_the_endpoint_with_a_runnable_example(
    harness: Any,
) -> None:
    schema = (await harness.client.get("/openapi.json")).json()
    operation = schema["paths"][PATH]["post"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    shown = schema["components"]["schemas"]["BacktestRequest"]["examples"][0]
    rates = {f["form"]: f["rate"] for f in shown["proposed"]["forms"]}
    assert (shown["region_code"], rates["home_visit"]) == ("320900", "70.00")
    response = await harness.client.post(PATH, json=shown)
    assert response.status_code == 200, response.text
    assert response.json()["proposed_version"] == "320900/benefits@2026-01-01~proposed"


@pytest.fixture
async def secured(pg_url: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(database_url=pg_url, auth_mode="required"), migrate=True)
    async with app.router.lifespan_context(app):
        app.state.token_verifier = SIGNER.verifier()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://settlement") as client:
            yield client


def _as(role: str, **claims: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {SIGNER.token(role, **claims)}"}


async def test_a_tpa_back_tests_its_own_regions_only(secured: httpx.AsyncClient) -> None:
    body = {**example(), "region_code": "320902"}
    own = await secured.post(PATH, json=body, headers=_as("tpa", regions=["320900"]))
    assert own.status_code == 200, own.text
    other = await secured.post(PATH, json=body, headers=_as("tpa", regions=["320500"]))
    assert (other.status_code, other.json()["type"]) == (403, "/problems/outside_tenancy")
    for role, claims in (("provider", {"provider_id": "prov-1"}), ("dashboard", {})):
        refused = await secured.post(PATH, json=body, headers=_as(role, **claims))
        assert (refused.status_code, refused.json()["type"]) == (
            403,
            "/problems/role_not_allowed",
        )
    assert (await secured.post(PATH, json=body, headers=_as("admin"))).status_code == 200
    assert (await secured.post(PATH, json=body)).status_code == 401
