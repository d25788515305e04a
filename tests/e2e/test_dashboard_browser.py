"""The operators' dashboard in a real headless browser (Debian's chromium driven by Playwright)
against the embedded platform: a simulated city month, a dashboard client signing in, every
figure on the page equal to what the services' APIs answer, and the language switch."""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from ltci_embedded.launcher import build, serve
from ltci_embedded.simulate.options import Options
from ltci_embedded.simulate.runner import simulate

CHROMIUM = os.environ.get("LTCI_CHROMIUM", "/usr/bin/chromium")
FIELDS = ("income", "expenses", "liabilities", "outstanding", "cash", "balance")


def _free_base_port() -> int:
    """Five free consecutive ports away from 8000-8004 (a developer's platform)."""
    for _ in range(50):
        base = random.randint(20_000, 40_000)
        try:
            for port in range(base, base + 5):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise RuntimeError("no five free consecutive ports")


@dataclass(frozen=True)
class Platform:
    url: str
    client_id: str
    client_secret: str
    summary: dict[str, Any]


async def _wait_until_up(client: httpx.AsyncClient, task: asyncio.Task[None], bus: Any) -> None:
    for _ in range(400):
        if task.done():
            task.result()
        try:
            if (await client.get("/healthz")).status_code == 200 and bus._open.is_set():
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("the embedded platform did not start")


async def _token(client: httpx.AsyncClient, client_id: str, secret: str) -> str:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    issued = await client.post("/oauth/token", data=form)
    assert issued.status_code == 200, issued.text
    return str(issued.json()["access_token"])


@pytest.fixture(scope="module")
async def platform(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Platform]:
    """The embedded platform with a small simulated city month and a dashboard client."""
    data_dir = tmp_path_factory.mktemp("dashboard") / "var"
    base = _free_base_port()
    embedded = build(data_dir, "127.0.0.1", base)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(embedded, "127.0.0.1", stop))
    url = f"http://127.0.0.1:{base}"
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            await _wait_until_up(client, task, embedded.bus)
            summary = await simulate(Options(url=url, data_dir=data_dir, progress=False))
            admin = json.loads(embedded.admin_credentials.read_text())
            token = await _token(client, admin["client_id"], admin["client_secret"])
            made = await client.post(
                "/admin/clients",
                json={"name": "运营看板 (browser test)", "role": "dashboard"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert made.status_code == 201, made.text
            dashboard = made.json()
        yield Platform(url, dashboard["client_id"], dashboard["client_secret"], summary)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing: scripts/_browser.sh installs it"
    async with async_playwright() as p:
        launched = await p.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        await launched.close()


class Console:
    """Errors the page logged or threw (none expected)."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))


async def _signed_in(browser: Browser, platform: Platform) -> tuple[Page, Console]:
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    console = Console(page)
    await page.goto(f"{platform.url}/dashboard/")
    await page.fill("#client-id", platform.client_id)
    await page.fill("#client-secret", platform.client_secret)
    await page.click("#login-submit")
    await page.wait_for_selector("body[data-loaded]", timeout=60_000)
    return page, console


class Api:
    """The services' own answers, asked with the dashboard client's token."""

    def __init__(self, client: httpx.AsyncClient, sources: dict[str, list[Any]]) -> None:
        self.client, self.sources = client, sources

    async def get(self, name: str, **extra: Any) -> Any:
        path, params = self.sources[name]
        response = await self.client.get(path, params={**params, **extra})
        assert response.status_code == 200, f"{path}: {response.text}"
        return response.json()

    async def pages(self, name: str) -> list[Any]:
        items, cursor = [], None
        while True:
            body = await self.get(name, **({"cursor": cursor} if cursor else {}))
            items += body["items"]
            cursor = body["next_cursor"]
            if not cursor:
                return items


async def _figures(page: Page) -> dict[str, tuple[str, str]]:
    """Every figure on the page: data-figure → (data-value, the text shown)."""
    found: list[list[str]] = await page.eval_on_selector_all(
        "[data-figure][data-value]",
        "els => els.map(e => [e.dataset.figure, e.dataset.value, e.textContent.trim()])",
    )
    return {key: (value, text) for key, value, text in found}


def _shown(figures: dict[str, tuple[str, str]], key: str) -> str:
    """The figure's value, after checking the text shown says the same."""
    assert key in figures, f"the page shows no figure {key}"
    value, text = figures[key]
    plain = text.replace(",", "")
    if plain.endswith("%"):
        assert Decimal(plain[:-1]) == Decimal(value) * 100, (key, value, text)
    else:
        assert plain == value, (key, value, text)
    return value


def _rate(part: int, whole: int) -> str:
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _covers(granted: str, code: str) -> bool:
    if granted == code:
        return True
    if granted.endswith("0000"):
        return code[:2] == granted[:2]
    return granted.endswith("00") and code[:4] == granted[:4]


async def _check_kpis(figures: dict[str, tuple[str, str]], api: Api, region: str) -> None:
    counts = await api.get("counts")
    insured = sum(
        line["persons"]
        for line in counts["by_scheme_and_region"]
        if _covers(region, line["region_code"])
    )
    assert _shown(figures, "kpi:insured") == str(insured) and insured > 0
    eligible = await api.get("eligibilities")
    assert _shown(figures, "kpi:beneficiaries") == str(eligible["persons"])
    assert eligible["persons"] > 0, "the simulated month has beneficiaries"
    apps = await api.get("applications")
    assert _shown(figures, "kpi:applications") == str(apps["open"])
    visits = await api.get("visits")
    assert _shown(figures, "kpi:visits") == str(sum(d["visits"] for d in visits["items"]))
    queue = await api.get("queue")
    assert _shown(figures, "kpi:exceptions") == str(queue["total_open"])
    funds = await api.get("funds")
    latest = {row["fund"]: Decimal(row["balance"]) for row in funds["items"]}
    assert Decimal(_shown(figures, "kpi:balance")) == sum(latest.values(), Decimal(0))
    assistance = await api.get("assistance")
    assert _shown(figures, "kpi:alerts") == str(assistance["open_alerts"])


async def _check_funds(page: Page, api: Api) -> None:
    funds = await api.get("funds")
    assert funds["items"], "the month-end run posted to the ledger"
    for fund in sorted({row["fund"] for row in funds["items"]}):
        await page.click(f'#p-funds .tabs button[data-fund="{fund}"]')
        figures = await _figures(page)
        for row in (r for r in funds["items"] if r["fund"] == fund):
            for field in FIELDS:
                key = f"fund:{fund}:{row['period']}:{field}"
                assert _shown(figures, key) == row[field]


async def _check_care(figures: dict[str, tuple[str, str]], api: Api) -> None:
    eligible = await api.get("eligibilities")
    for line in eligible["items"]:
        assert _shown(figures, f"elig:{line['grade']}") == str(line["persons"])
    assert _shown(figures, "elig:total") == str(eligible["persons"])
    in_care = await api.get("inCare")
    for line in in_care["items"]:
        key = f"care:{line['grade']}:{line['service_form']}"
        assert _shown(figures, key) == str(line["persons"])
    assert _shown(figures, "care:total") == str(in_care["persons"]) and in_care["persons"] > 0
    apps = await api.get("applications")
    for name in ("open", "assessing", "overdue"):
        assert _shown(figures, f"app:{name}") == str(apps[name])
    for line in apps["items"]:
        key = f"app:{line['status']}:{line['kind']}"
        assert _shown(figures, key) == str(line["applications"])
        assert _shown(figures, f"{key}:overdue") == str(line["overdue"])


async def _check_visits(figures: dict[str, tuple[str, str]], api: Api) -> None:
    visits = await api.get("visits")
    for day in visits["items"]:
        assert _shown(figures, f"visits:{day['date']}:visits") == str(day["visits"])
        assert _shown(figures, f"visits:{day['date']}:flagged") == str(day["flagged_visits"])
        if day["exception_rate"] is not None:
            assert _shown(figures, f"visits:{day['date']}:rate") == day["exception_rate"]
    total = sum(d["visits"] for d in visits["items"])
    flagged = sum(d["flagged_visits"] for d in visits["items"])
    assert _shown(figures, "visits:total") == str(total) and total > 0
    assert Decimal(_shown(figures, "visits:total:rate")) == Decimal(_rate(flagged, total))
    queue = await api.get("queue")
    for line in queue["by_code"]:
        key = f"exc:{line['code']}:{str(line['refused']).lower()}"
        assert _shown(figures, key) == str(line["open"])
    if queue["total_open"]:
        assert _shown(figures, "exc:total") == str(queue["total_open"])
    cards = await api.pages("scorecards")
    assert cards, "the simulated providers have scorecards"
    for card in cards:
        for field in ("visits", "verified", "persons_served", "complaints", "open_exceptions"):
            key = f"card:{card['provider_id']}:{field}"
            assert _shown(figures, key) == str(card[field])
        if card["exception_rate"] is not None:
            key = f"card:{card['provider_id']}:exception_rate"
            assert _shown(figures, key) == card["exception_rate"]


async def _check_assistance(figures: dict[str, tuple[str, str]], api: Api) -> None:
    stats = await api.get("assistance")
    by_class: dict[str, dict[str, Decimal]] = {}
    for row in stats["rows"]:
        key = "none" if row["recipient_class"] is None else str(row["recipient_class"])
        acc = by_class.setdefault(key, {"settlements": Decimal(0), "total": Decimal(0)})
        acc["settlements"] += row["settlements"]
        acc["total"] += Decimal(row["total"])
    for key, acc in by_class.items():
        assert Decimal(_shown(figures, f"ma:{key}:settlements")) == acc["settlements"]
        assert Decimal(_shown(figures, f"ma:{key}:total")) == acc["total"]
    for alert in await api.pages("alerts"):
        key = f"alert:{alert['alert_id']}:self_pay_at_alert"
        assert _shown(figures, key) == alert["self_pay_at_alert"]
    counts = await api.get("counts")
    for line in counts["by_category"]:
        assert _shown(figures, f"recip:{line['category']}") == str(line["persons"])


async def test_the_dashboard_shows_the_services_own_figures(
    platform: Platform, browser: Browser
) -> None:
    page, console = await _signed_in(browser, platform)
    assert await page.inner_text("h1") == "长期护理保险运营看板", "Chinese by default"
    sources = json.loads(await page.eval_on_selector("body", "b => b.dataset.sources"))
    region = sources["funds"][1]["region_code"]
    assert region == platform.summary["region"].split()[0], "the region with data is chosen"
    assert sources["visits"][1]["from"][:7] == platform.summary["month"]
    async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
        token = await _token(client, platform.client_id, platform.client_secret)
        client.headers["Authorization"] = f"Bearer {token}"
        api = Api(client, sources)
        figures = await _figures(page)
        await _check_kpis(figures, api, region)
        await _check_care(figures, api)
        await _check_visits(figures, api)
        await _check_assistance(figures, api)
        await _check_funds(page, api)
    assert await page.locator(".state.error").count() == 0, "every panel loaded"
    assert console.errors == []


async def test_the_language_switch_changes_labels_and_persists(
    platform: Platform, browser: Browser
) -> None:
    page, console = await _signed_in(browser, platform)
    funds_title = page.locator("#p-funds h2")
    assert await funds_title.inner_text() == "基金收入、负债与结余"
    await page.click("#lang")
    assert await page.inner_text("h1") == "LTCI Operations Dashboard"
    assert await funds_title.inner_text() == "Fund income, liabilities and balance"
    assert await page.get_attribute("html", "lang") == "en"
    assert "Insured persons" in await page.inner_text("#kpis")
    await page.reload()  # the choice and the session survive a reload of the tab
    await page.wait_for_selector("body[data-loaded]", timeout=60_000)
    assert await page.inner_text("h1") == "LTCI Operations Dashboard"
    assert await page.locator("#login").is_hidden()
    await page.click("#lang")
    assert await page.inner_text("h1") == "长期护理保险运营看板"
    assert await funds_title.inner_text() == "基金收入、负债与结余"
    assert await page.evaluate("localStorage.getItem('ltci.dashboard.lang')") == "zh"
    assert console.errors == []


async def test_a_wrong_secret_is_refused_on_the_page(platform: Platform, browser: Browser) -> None:
    page = await browser.new_page()
    await page.goto(f"{platform.url}/dashboard/")
    await page.fill("#client-id", platform.client_id)
    await page.fill("#client-secret", "not-the-secret-of-this-client")
    await page.click("#login-submit")
    error = page.locator("#login-error")
    await error.wait_for(state="visible")
    assert (await error.inner_text()).startswith("登录失败")
    assert await page.locator("#board").is_hidden()
    assert await page.evaluate("sessionStorage.getItem('ltci.dashboard.token')") is None
