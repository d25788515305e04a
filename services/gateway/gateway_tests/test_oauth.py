"""The token endpoint (client credentials), revocation, and what the gateway refuses."""

from __future__ import annotations

import base64

import httpx
import pytest

from .support import ADMIN_SECRET, admin_headers, bearer, client_token, register, token


async def test_client_credentials_give_a_short_lived_bearer_token(
    gateway: httpx.AsyncClient,
) -> None:
    form = {"grant_type": "client_credentials", "client_id": "admin", "client_secret": ADMIN_SECRET}
    response = await gateway.post("/oauth/token", data=form)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 600
    header = body["access_token"].split(".")[0]
    assert b'"alg":"EdDSA"' in base64.urlsafe_b64decode(header + "==")


async def test_http_basic_client_authentication_works_too(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=httpx.BasicAuth("admin", ADMIN_SECRET),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            {"grant_type": "password", "client_id": "admin", "client_secret": "x"},
            400,
            "unsupported_grant_type",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "admin", "client_secret": "wrong"},
            401,
            "invalid_client",
        ),
        (
            {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
            401,
            "invalid_client",
        ),
        ({"grant_type": "client_credentials", "client_id": "admin"}, 401, "invalid_client"),
        (
            {"grant_type": "client_credentials", "client_id": "a b/c", "client_secret": "x"},
            401,
            "invalid_client",
        ),
    ],
)
async def test_bad_token_requests_are_problems_with_an_oauth_error(
    gateway: httpx.AsyncClient, form: dict[str, str], status: int, error: str
) -> None:
    response = await gateway.post("/oauth/token", data=form)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"] == error


@pytest.mark.parametrize(
    "credentials",
    [b"Basic \xe9\xe9", b"Basic %%%", b"Basic " + base64.b64encode(b"\xff:\xfe")],
)
async def test_malformed_basic_credentials_are_an_invalid_client(
    gateway: httpx.AsyncClient, credentials: bytes
) -> None:
    """Non-ASCII (a header arrives as latin-1), not base64, not UTF-8: 401, never a 500."""
    response = await gateway.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": credentials},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


async def test_the_token_endpoint_wants_a_form_not_json(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        "/oauth/token", json={"grant_type": "client_credentials", "client_id": "admin"}
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_only_admins_manage_clients(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    tpa = await client_token(gateway, admin, role="tpa", regions=["320900"])
    refused = await gateway.post(
        "/admin/clients", json={"name": "x", "role": "admin"}, headers=bearer(tpa)
    )
    assert refused.status_code == 403 and refused.json()["type"] == "/problems/role_not_allowed"
    assert (await gateway.get("/admin/clients")).status_code == 401


@pytest.mark.parametrize(
    "spec",
    [
        {"role": "tpa"},
        {"role": "tpa", "regions": ["3209"]},
        {"role": "provider"},
        {"role": "tpa", "regions": ["320900"], "provider_id": "p1"},
        {"role": "admin", "regions": ["320900"]},
        {"role": "root"},
        {"role": "tpa", "regions": ["320900"], "disabled": True},
    ],
)
async def test_tenancy_must_fit_the_role(
    gateway: httpx.AsyncClient, spec: dict[str, object]
) -> None:
    admin = await admin_headers(gateway)
    response = await gateway.post("/admin/clients", json={"name": "x", **spec}, headers=admin)
    assert response.status_code == 422, response.text


async def test_the_secret_is_shown_once_and_stored_hashed(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    created = await register(gateway, admin, role="provider", provider_id="prov-1")
    shown = await gateway.get(f"/admin/clients/{created['client_id']}", headers=admin)
    assert "client_secret" not in shown.json() and "secret_hash" not in shown.json()
    listed = await gateway.get("/admin/clients?role=provider", headers=admin)
    assert [c["client_id"] for c in listed.json()["items"]] == [created["client_id"]]
    assert created["client_secret"] not in listed.text


async def test_a_new_secret_revokes_the_tokens_issued_before(gateway: httpx.AsyncClient) -> None:
    admin = await admin_headers(gateway)
    created = await register(gateway, admin, role="dashboard")
    old = await token(gateway, created["client_id"], created["client_secret"])
    assert (await gateway.get("/admin/keys", headers=bearer(old))).status_code == 403
    renewed = await gateway.post(f"/admin/clients/{created['client_id']}/secret", headers=admin)
    assert renewed.status_code == 200
    replayed = await gateway.get("/admin/keys", headers=bearer(old))
    assert replayed.status_code == 401 and replayed.json()["type"] == "/problems/token_revoked"
    wrong = {"grant_type": "client_credentials", "client_id": created["client_id"]}
    old_secret = await gateway.post(
        "/oauth/token", data={**wrong, "client_secret": created["client_secret"]}
    )
    assert old_secret.status_code == 401
    fresh = await token(gateway, created["client_id"], renewed.json()["client_secret"])
    assert (await gateway.get("/admin/keys", headers=bearer(fresh))).status_code == 403


async def test_a_disabled_client_gets_no_token_and_its_tokens_stop(
    gateway: httpx.AsyncClient,
) -> None:
    admin = await admin_headers(gateway)
    created = await register(gateway, admin, role="tpa", regions=["320900"])
    issued = await token(gateway, created["client_id"], created["client_secret"])
    change = await gateway.patch(
        f"/admin/clients/{created['client_id']}", json={"disabled": True}, headers=admin
    )
    assert change.status_code == 200 and change.json()["disabled"] is True
    assert (await gateway.get("/admin/keys", headers=bearer(issued))).status_code == 401
    form = {
        "grant_type": "client_credentials",
        **{k: created[k] for k in ("client_id", "client_secret")},
    }
    assert (await gateway.post("/oauth/token", data=form)).status_code == 401


async def test_a_revoked_token_is_refused_when_replayed(gateway: httpx.AsyncClient) -> None:
    issued = await token(gateway, "admin", ADMIN_SECRET)
    assert (await gateway.get("/admin/keys", headers=bearer(issued))).status_code == 200
    form = {"token": issued, "client_id": "admin", "client_secret": ADMIN_SECRET}
    assert (await gateway.post("/oauth/revoke", data=form)).status_code == 200
    replayed = await gateway.get("/admin/keys", headers=bearer(issued))
    assert replayed.status_code == 401 and replayed.json()["type"] == "/problems/token_revoked"
    assert replayed.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    other = await token(gateway, "admin", ADMIN_SECRET)
    assert (await gateway.get("/admin/keys", headers=bearer(other))).status_code == 200
