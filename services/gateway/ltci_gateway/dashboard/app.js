// The operators' dashboard: sign-in, region and month, the services' aggregate APIs read through
// the gateway, and every panel drawn again when the language changes (no refetch).

import * as api from "./api.js";
import { covers, monthDays, shiftMonth, today } from "./format.js";
import { applyStatic, knownRegions, label, language, loadLanguage, setLanguage, t } from "./i18n.js";
import * as sections from "./sections.js";

const REGION_KEY = "ltci.dashboard.region";
const $ = (id) => document.getElementById(id);

const state = {
  region: null,
  month: shiftMonth(today().slice(0, 7), -1),
  fund: null,
  results: {},
  loadedAt: null,
  generation: 0,
};

function context() {
  const { first, last } = monthDays(state.month);
  const now = today();
  return {
    region: state.region,
    month: state.month,
    year: Number(state.month.slice(0, 4)),
    first,
    last,
    asOf: last < now ? last : now,
    today: now,
    fund: state.fund,
  };
}

/** The API calls behind the panels: name → [path, params, list?]. */
function requests(ctx) {
  const region = ctx.region;
  return {
    counts: ["/enrollment/stats/counts", { as_of: ctx.asOf }],
    funds: ["/settlement/stats/funds", { region_code: region, from: shiftMonth(ctx.month, -11), to: ctx.month }],
    eligibilities: ["/assessment/stats/eligibilities", { region_code: region, as_of: ctx.asOf }],
    inCare: ["/settlement/stats/beneficiaries", { region_code: region, as_of: ctx.asOf }],
    applications: ["/assessment/stats/applications", { region_code: region, as_of: ctx.today }],
    visits: ["/care-delivery/stats/visits-per-day", { region_code: region, from: ctx.first, to: ctx.last }],
    queue: ["/care-delivery/stats/exception-queue", { region_code: region }],
    scorecards: ["/care-delivery/scorecards", { period: ctx.month, region_code: region, limit: 200 }, true],
    providers: ["/care-delivery/providers", { limit: 200 }, true],
    alerts: ["/settlement/medical-assistance/high-cost-alerts", { region_code: region, year: ctx.year, limit: 200 }, true],
    assistance: ["/settlement/medical-assistance/statistics", { region_code: region, year: ctx.year }],
  };
}

async function load() {
  if (!api.current() || !state.region) return;
  const generation = ++state.generation;
  const ctx = context();
  const calls = requests(ctx);
  state.results = {};
  render();
  const names = Object.keys(calls);
  const settled = await Promise.allSettled(
    names.map((name) => {
      const [path, params, list] = calls[name];
      return list ? api.all(path, params, 5) : api.get(path, params);
    }),
  );
  if (generation !== state.generation) return; // a newer load started meanwhile
  names.forEach((name, i) => {
    const outcome = settled[i];
    state.results[name] = outcome.status === "fulfilled" ? { value: outcome.value } : { error: outcome.reason };
  });
  document.body.dataset.sources = JSON.stringify(Object.fromEntries(names.map((n) => [n, calls[n].slice(0, 2)])));
  state.loadedAt = new Date();
  render();
  document.body.dataset.loaded = String(generation);
}

function render() {
  const r = state.results;
  const ctx = context();
  sections.renderKpis(r, ctx);
  sections.renderFunds($("p-funds"), r.funds, ctx, (fund) => {
    state.fund = fund;
    render();
  });
  sections.renderBeneficiaries($("p-beneficiaries"), r.eligibilities, r.inCare, ctx);
  sections.renderApplications($("p-applications"), r.applications, ctx);
  sections.renderVisits($("p-visits"), r.visits, ctx);
  sections.renderQueue($("p-exceptions"), r.queue, ctx);
  sections.renderScorecards($("p-scorecards"), r.scorecards, r.providers, ctx);
  sections.renderAlerts($("p-alerts"), r.alerts, ctx);
  sections.renderAssistance($("p-assistance"), r.assistance, r.counts, ctx);
  $("updated").textContent = state.loadedAt
    ? t("toolbar.updated", { time: state.loadedAt.toLocaleTimeString(language() === "en" ? "en-GB" : "zh-CN") })
    : t("state.loading");
  renderRegions();
}

// --- regions -------------------------------------------------------------------------------------

let regionCodes = [];

function renderRegions() {
  const select = $("region");
  const chosen = state.region;
  select.replaceChildren();
  for (const code of regionCodes) {
    const option = document.createElement("option");
    option.value = code;
    const name = label("region", code);
    option.textContent = name === code ? code : `${name} (${code})`;
    option.selected = code === chosen;
    select.appendChild(option);
  }
}

/** Regions to offer: the policy regions known here and any the ledger or enrollment hold. */
async function discoverRegions() {
  const known = knownRegions();
  const weight = new Map(known.map((code) => [code, 0]));
  const [funds, counts] = await Promise.allSettled([
    api.get("/settlement/stats/funds", { to: today().slice(0, 7) }),
    api.get("/enrollment/stats/counts", { as_of: today() }),
  ]);
  if (funds.status === "fulfilled") {
    for (const row of funds.value.items) weight.set(row.region_code, (weight.get(row.region_code) || 0) + 1);
  }
  if (counts.status === "fulfilled") {
    for (const line of counts.value.by_scheme_and_region) {
      const city = [...weight.keys()].find((code) => covers(code, line.region_code));
      if (city) weight.set(city, weight.get(city) + line.persons);
    }
  }
  regionCodes = [...weight.keys()].sort((a, b) => weight.get(b) - weight.get(a) || a.localeCompare(b));
  let saved = null;
  try {
    saved = window.localStorage.getItem(REGION_KEY);
  } catch {
    saved = null;
  }
  state.region = regionCodes.includes(saved) ? saved : regionCodes[0];
  renderRegions();
}

// --- session -------------------------------------------------------------------------------------

function showBoard(session) {
  $("login").hidden = true;
  $("board").hidden = false;
  $("logout").hidden = false;
  const who = $("who");
  who.hidden = false;
  who.textContent = t("toolbar.signed_in", { client: session.clientId, role: session.role });
  const warning = $("role-warning");
  warning.hidden = session.role === "dashboard" || session.role === "admin";
  warning.textContent = t("login.role", { role: session.role });
}

function showLogin(message = "") {
  state.generation++;
  $("board").hidden = true;
  $("logout").hidden = true;
  $("who").hidden = true;
  $("login").hidden = false;
  const error = $("login-error");
  error.hidden = !message;
  error.textContent = message;
  $("client-secret").value = "";
}

async function signIn(event) {
  event.preventDefault();
  const button = $("login-submit");
  button.disabled = true;
  button.textContent = t("login.busy");
  try {
    const session = await api.login($("client-id").value.trim(), $("client-secret").value);
    $("client-secret").value = "";
    await start(session);
  } catch (error) {
    const detail = error.status === 0 ? t("login.offline") : error.message;
    showLogin(t("login.failed", { detail }));
  } finally {
    button.disabled = false;
    button.textContent = t("login.submit");
  }
}

async function start(session) {
  showBoard(session);
  $("month").value = state.month;
  await discoverRegions();
  await load();
}

function wire() {
  $("login-form").addEventListener("submit", signIn);
  $("lang").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    const session = api.current();
    if (session && !$("board").hidden) showBoard(session);
    render();
  });
  $("logout").addEventListener("click", () => {
    api.logout();
    showLogin();
  });
  $("refresh").addEventListener("click", load);
  $("region").addEventListener("change", (event) => {
    state.region = event.target.value;
    try {
      window.localStorage.setItem(REGION_KEY, state.region);
    } catch {
      /* not kept */
    }
    load();
  });
  $("month").addEventListener("change", (event) => {
    if (/^\d{4}-\d{2}$/.test(event.target.value)) {
      state.month = event.target.value;
      load();
    }
  });
}

let resizing = null;

function main() {
  window.addEventListener("resize", () => {
    window.clearTimeout(resizing);
    resizing = window.setTimeout(() => !$("board").hidden && render(), 150);
  });
  loadLanguage();
  applyStatic();
  wire();
  const session = api.restore(() => showLogin(t("login.expired")));
  if (session) start(session);
  else showLogin();
}

main();
