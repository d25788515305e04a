// Each panel of the dashboard drawn from the API answers it was given (no fetching here).
// Every figure shown carries data-figure (what it is) and data-value (the API's own value).

import { barChart, hbarChart, PALETTE } from "./charts.js";
import { compact, covers, dateTime, fen, rateOf, shiftMonth, shortId, showCount, showMoney, showRate, sumMoney } from "./format.js";
import { label, t } from "./i18n.js";

const FUND_ORDER = ["employee_ltc", "resident_ltc", "medical_assistance", "basic_medical", "critical_illness"];
const FORM_ORDER = ["home_visit", "home_self_care", "home_combined", "family_care", "institutional", "medical_special_care"];
const STATUS_ORDER = ["submitted", "accepted", "scheduled", "assessed", "on_notice", "objected", "final", "rejected", "withdrawn"];
const OPEN = new Set(["submitted", "accepted", "scheduled", "assessed", "on_notice", "objected"]);
const VISIT_STATES = [["verified", "#10b981"], ["pending", "#f59e0b"], ["refused", "#ef4444"], ["rejected", "#991b1b"], ["voided", "#94a3b8"]];

// --- building blocks ---------------------------------------------------------------------------

/** A cell: plain text, or {text, figure, value, num, cls, html}. */
function cell(tag, spec) {
  const td = document.createElement(tag);
  const c = typeof spec === "object" && spec !== null ? spec : { text: spec };
  if (c.node) td.appendChild(c.node);
  else td.textContent = c.text ?? "";
  if (c.num) td.classList.add("num");
  if (c.cls) td.classList.add(...c.cls.split(" "));
  if (c.figure) {
    td.dataset.figure = c.figure;
    td.dataset.value = String(c.value);
  }
  return td;
}

function table(headers, rows, footer = null) {
  const tbl = document.createElement("table");
  const head = tbl.createTHead().insertRow();
  for (const h of headers) head.appendChild(cell("th", h));
  const body = tbl.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const c of row) tr.appendChild(cell("td", c));
  }
  if (footer) {
    const tr = tbl.createTFoot().insertRow();
    for (const c of footer) tr.appendChild(cell("td", c));
  }
  return tbl;
}

const moneyCell = (figure, value) => ({ text: showMoney(value), figure, value, num: true, cls: fen(value) < 0n ? "neg" : "" });
const countCell = (figure, value) => ({ text: showCount(value), figure, value, num: true });
const rateCell = (figure, value) => ({ text: showRate(value), figure, value: value ?? "", num: true });

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = `badge ${kind}`;
  span.textContent = text;
  return span;
}

/** Show the panel's state; true when there is something to draw. */
export function ready(panel, result, empty) {
  const state = panel.querySelector(".state");
  state.classList.remove("error");
  for (const box of panel.querySelectorAll(".chart-box, .table-box, .figures")) box.replaceChildren();
  if (!result) {
    state.textContent = t("state.loading");
    return false;
  }
  if (result.error) {
    const status = result.error.status;
    state.textContent = status === 403 ? t("state.forbidden")
      : status === 404 || status === 405 ? t("state.not_found")
      : t("state.error", { detail: result.error.message || status });
    state.classList.toggle("error", status !== 404 && status !== 405);
    return false;
  }
  if (empty(result.value)) {
    state.textContent = t("state.empty");
    return false;
  }
  state.textContent = "";
  return true;
}

function note(panel, key, values) {
  panel.querySelector(".note").textContent = t(key, values);
}

function setKpi(name, value, shown, small = "") {
  const box = document.querySelector(`[data-kpi="${name}"]`);
  const strong = box.querySelector("strong");
  strong.textContent = shown ?? "—";
  if (value === null || value === undefined) delete strong.dataset.value;
  else strong.dataset.value = String(value);
  box.querySelector("small").textContent = small;
}

// --- key figures ---------------------------------------------------------------------------------

export function latestBalances(funds) {
  const last = new Map();
  for (const row of funds.items) last.set(row.fund, row);
  return [...last.values()];
}

export function renderKpis(r, ctx) {
  const ok = (name) => r[name] && !r[name].error ? r[name].value : null;
  const counts = ok("counts");
  const insured = counts ? counts.by_scheme_and_region.filter((l) => covers(ctx.region, l.region_code)).reduce((n, l) => n + l.persons, 0) : null;
  setKpi("insured", insured, counts ? showCount(insured) : null, counts ? t("kpi.insured_note", { date: counts.as_of }) : "");
  const elig = ok("eligibilities");
  setKpi("beneficiaries", elig?.persons, elig ? showCount(elig.persons) : null, elig ? t("kpi.beneficiaries_note") : "");
  const apps = ok("applications");
  setKpi("applications", apps?.open, apps ? showCount(apps.open) : null, apps ? t("kpi.applications_note", { assessing: apps.assessing, overdue: apps.overdue }) : "");
  const visits = ok("visits");
  const total = visits ? visits.items.reduce((n, d) => n + d.visits, 0) : null;
  const flagged = visits ? visits.items.reduce((n, d) => n + d.flagged_visits, 0) : 0;
  setKpi("visits", total, visits ? showCount(total) : null, visits ? t("kpi.visits_note", { rate: showRate(rateOf(flagged, total)) }) : "");
  const queue = ok("queue");
  setKpi("exceptions", queue?.total_open, queue ? showCount(queue.total_open) : null, queue ? t("kpi.exceptions_note") : "");
  const funds = ok("funds");
  const balance = funds ? sumMoney(latestBalances(funds).map((row) => row.balance)) : null;
  setKpi("balance", balance, funds ? showMoney(balance) : null, funds ? t("kpi.balance_note", { month: ctx.month }) : "");
  const ma = ok("assistance");
  setKpi("alerts", ma?.open_alerts, ma ? showCount(ma.open_alerts) : null, ma ? t("kpi.alerts_note", { year: ctx.year }) : "");
}

// --- funds ------------------------------------------------------------------------------------------

export function renderFunds(panel, result, ctx, choose) {
  note(panel, "section.funds_note");
  const tabs = panel.querySelector(".tabs");
  tabs.replaceChildren();
  if (!ready(panel, result, (v) => v.items.length === 0)) return;
  const funds = [...new Set(result.value.items.map((r) => r.fund))].sort((a, b) => rank(FUND_ORDER, a) - rank(FUND_ORDER, b));
  const fund = funds.includes(ctx.fund) ? ctx.fund : funds[0];
  for (const code of funds) {
    const button = document.createElement("button");
    button.type = "button";
    button.role = "tab";
    button.dataset.fund = code;
    button.setAttribute("aria-selected", String(code === fund));
    button.textContent = label("fund", code);
    button.addEventListener("click", () => choose(code));
    tabs.appendChild(button);
  }
  const rows = result.value.items.filter((r) => r.fund === fund);
  const months = Array.from({ length: 12 }, (_, i) => shiftMonth(ctx.month, i - 11));
  const byMonth = new Map(rows.map((r) => [r.period, r]));
  let carried = null;
  const balances = months.map((m) => {
    if (byMonth.has(m)) carried = Number(byMonth.get(m).balance);
    else if (carried === null) carried = earlierBalance(rows, m);
    return carried;
  });
  barChart(panel.querySelector(".chart-box"), {
    categories: months,
    series: [
      { label: t("legend.income"), color: PALETTE[0], values: months.map((m) => Number(byMonth.get(m)?.income ?? 0)) },
      { label: t("legend.liabilities"), color: PALETTE[1], values: months.map((m) => Number(byMonth.get(m)?.liabilities ?? 0)) },
    ],
    line: { label: t("legend.balance"), color: "#059669", values: balances, format: (v) => compact(v) },
    format: (v, exact) => (exact ? showMoney(v.toFixed(2)) : compact(v)),
  });
  const fields = ["income", "expenses", "liabilities", "outstanding", "cash", "balance"];
  const headers = [t("fund.period"), ...fields.map((f) => ({ text: t(`fund.${f}`), num: true }))];
  const body = [...rows].reverse().map((r) => [r.period, ...fields.map((f) => moneyCell(`fund:${r.fund}:${r.period}:${f}`, r[f]))]);
  panel.querySelector(".table-box").appendChild(table(headers, body));
}

function earlierBalance(rows, month) {
  const before = rows.filter((r) => r.period < month);
  return before.length ? Number(before[before.length - 1].balance) : null;
}

function rank(order, code) {
  const i = order.indexOf(code);
  return i < 0 ? order.length : i;
}

// --- beneficiaries ----------------------------------------------------------------------------------

export function renderBeneficiaries(panel, elig, inCare, ctx) {
  note(panel, "section.beneficiaries_note", { date: ctx.asOf });
  const pair = elig && inCare ? (elig.error ? elig : inCare.error ? inCare : { value: { elig: elig.value, care: inCare.value } }) : null;
  if (!ready(panel, pair, (v) => v.elig.persons === 0 && v.care.persons === 0)) return;
  const { elig: e, care: c } = pair.value;
  const grades = [...new Set([...e.items.map((i) => i.grade), ...c.items.map((i) => i.grade)])].sort((a, b) => a - b);
  const forms = [...new Set(c.items.map((i) => i.service_form))].sort((a, b) => rank(FORM_ORDER, a) - rank(FORM_ORDER, b));
  const inCareOf = (g, f) => c.items.find((i) => i.grade === g && i.service_form === f)?.persons ?? 0;
  const eligibleOf = (g) => e.items.find((i) => i.grade === g)?.persons ?? 0;
  barChart(panel.querySelector(".chart-box"), {
    categories: grades.map((g) => label("grade", g)),
    series: forms.map((f, k) => ({ label: label("form", f), color: PALETTE[k % PALETTE.length], values: grades.map((g) => inCareOf(g, f)) })),
    stacked: true,
    line: { label: t("legend.eligible"), color: "#0f172a", values: grades.map(eligibleOf), format: (v) => compact(v), sameAxis: true },
    format: (v) => compact(v),
    height: 240,
  });
  const headers = [t("col.grade"), { text: t("col.eligible"), num: true }, ...forms.map((f) => ({ text: label("form", f), num: true }))];
  const rows = grades.map((g) => [
    label("grade", g),
    countCell(`elig:${g}`, eligibleOf(g)),
    ...forms.map((f) => countCell(`care:${g}:${f}`, inCareOf(g, f))),
  ]);
  const footer = [
    t("col.total"),
    countCell("elig:total", e.persons),
    ...forms.map((f) => countCell(`care:total:${f}`, c.items.filter((i) => i.service_form === f).reduce((n, i) => n + i.persons, 0))),
  ];
  const box = panel.querySelector(".table-box");
  box.appendChild(table(headers, rows, footer));
  const inCareTotal = document.createElement("p");
  inCareTotal.className = "muted";
  inCareTotal.append(`${t("col.in_care")}: `);
  const strong = document.createElement("strong");
  strong.dataset.figure = "care:total";
  strong.dataset.value = String(c.persons);
  strong.textContent = showCount(c.persons);
  inCareTotal.appendChild(strong);
  box.appendChild(inCareTotal);
}

// --- applications -------------------------------------------------------------------------------------

export function renderApplications(panel, result, ctx) {
  note(panel, "section.applications_note", { date: ctx.today });
  if (!ready(panel, result, (v) => v.items.length === 0)) return;
  const v = result.value;
  const figures = panel.querySelector(".figures");
  for (const [figure, title, value, cls] of [
    ["app:open", t("kpi.applications"), v.open, ""],
    ["app:assessing", t("fig.assessing"), v.assessing, ""],
    ["app:overdue", t("col.overdue"), v.overdue, "late"],
  ]) {
    const div = document.createElement("div");
    if (cls) div.className = cls;
    const span = document.createElement("span");
    span.textContent = title;
    const strong = document.createElement("strong");
    strong.dataset.figure = figure;
    strong.dataset.value = String(value);
    strong.textContent = showCount(value);
    div.append(span, strong);
    figures.appendChild(div);
  }
  const statuses = STATUS_ORDER.filter((s) => v.items.some((i) => i.status === s));
  hbarChart(
    panel.querySelector(".chart-box"),
    statuses.map((s) => ({
      label: label("status", s),
      value: v.items.filter((i) => i.status === s).reduce((n, i) => n + i.applications, 0),
      color: OPEN.has(s) ? PALETTE[0] : "#94a3b8",
    })),
    showCount,
  );
  const sorted = [...v.items].sort((a, b) => rank(STATUS_ORDER, a.status) - rank(STATUS_ORDER, b.status));
  const rows = sorted.map((i) => [
    label("status", i.status),
    label("kind", i.kind),
    countCell(`app:${i.status}:${i.kind}`, i.applications),
    countCell(`app:${i.status}:${i.kind}:overdue`, i.overdue),
  ]);
  const headers = [t("col.status"), t("col.kind"), { text: t("col.count"), num: true }, { text: t("col.overdue"), num: true }];
  panel.querySelector(".table-box").appendChild(table(headers, rows));
}

// --- visits --------------------------------------------------------------------------------------------

export function renderVisits(panel, result, ctx) {
  note(panel, "section.visits_note", { month: ctx.month });
  if (!ready(panel, result, (v) => v.items.every((d) => d.visits === 0))) return;
  const days = result.value.items;
  barChart(panel.querySelector(".chart-box"), {
    categories: days.map((d) => d.date.slice(5)),
    series: VISIT_STATES.map(([k, color]) => ({ label: t(`visit.${k}`), color, values: days.map((d) => d[k]) })),
    stacked: true,
    line: {
      label: t("legend.rate"),
      color: "#b45309",
      values: days.map((d) => (d.exception_rate === null ? null : Number(d.exception_rate) * 100)),
      format: (v, exact) => `${exact ? v.toFixed(2) : Number(v.toFixed(1))}%`,
    },
    format: (v) => compact(v),
  });
  const headers = [t("col.date"), ...["col.visits", "col.verified", "col.flagged", "col.exception_rate"].map((k) => ({ text: t(k), num: true }))];
  const rows = days.map((d) => [
    d.date,
    countCell(`visits:${d.date}:visits`, d.visits),
    countCell(`visits:${d.date}:verified`, d.verified),
    countCell(`visits:${d.date}:flagged`, d.flagged_visits),
    rateCell(`visits:${d.date}:rate`, d.exception_rate),
  ]);
  const sum = (k) => days.reduce((n, d) => n + d[k], 0);
  const footer = [
    t("visits.total"),
    countCell("visits:total", sum("visits")),
    countCell("visits:total:verified", sum("verified")),
    countCell("visits:total:flagged", sum("flagged_visits")),
    rateCell("visits:total:rate", rateOf(sum("flagged_visits"), sum("visits"))),
  ];
  panel.querySelector(".table-box").appendChild(table(headers, rows, footer));
}

// --- exception queue --------------------------------------------------------------------------------

export function renderQueue(panel, result) {
  note(panel, "section.exceptions_note");
  if (!ready(panel, result, (v) => v.total_open === 0)) return;
  const v = result.value;
  hbarChart(
    panel.querySelector(".chart-box"),
    v.by_code.map((c) => ({ label: label("exception", c.code), value: c.open, color: c.refused ? "#ef4444" : "#f59e0b" })),
    showCount,
  );
  const rows = v.by_code.map((c) => [
    label("exception", c.code),
    { node: badge(c.refused ? t("yes") : t("no"), c.refused ? "refused" : "") },
    countCell(`exc:${c.code}:${c.refused}`, c.open),
  ]);
  const headers = [t("col.code"), t("col.refused"), { text: t("col.open"), num: true }];
  panel.querySelector(".table-box").appendChild(table(headers, rows, [t("col.total"), "", countCell("exc:total", v.total_open)]));
}

// --- provider scorecards ----------------------------------------------------------------------------

export function renderScorecards(panel, result, providers, ctx) {
  note(panel, "section.scorecards_note", { month: ctx.month });
  if (!ready(panel, result, (v) => v.length === 0)) return;
  const names = new Map((providers && !providers.error ? providers.value : []).map((p) => [p.provider_id, p.name]));
  const cards = [...result.value].sort((a, b) => b.visits - a.visits || a.provider_id.localeCompare(b.provider_id));
  const headers = [
    t("col.provider"),
    ...["col.visits", "col.verified", "col.persons_served", "col.exception_rate", "col.on_time", "col.score", "col.complaints", "col.open_exceptions"].map((k) => ({ text: t(k), num: true })),
  ];
  const rows = cards.map((c) => {
    const who = document.createElement("span");
    who.textContent = names.get(c.provider_id) || shortId(c.provider_id);
    who.title = c.provider_id;
    const key = (f) => `card:${c.provider_id}:${f}`;
    return [
      { node: who },
      countCell(key("visits"), c.visits),
      countCell(key("verified"), c.verified),
      countCell(key("persons_served"), c.persons_served),
      rateCell(key("exception_rate"), c.exception_rate),
      rateCell(key("on_time_rate"), c.on_time_rate),
      { text: c.average_score ?? "—", figure: key("average_score"), value: c.average_score ?? "", num: true },
      countCell(key("complaints"), c.complaints),
      countCell(key("open_exceptions"), c.open_exceptions),
    ];
  });
  panel.querySelector(".table-box").appendChild(table(headers, rows));
}

// --- high-cost warnings -------------------------------------------------------------------------------

export function renderAlerts(panel, result, ctx) {
  note(panel, "section.alerts_note", { year: ctx.year });
  if (!ready(panel, result, (v) => v.length === 0)) return;
  const alerts = [...result.value].sort((a, b) => (a.status === "open" ? 0 : 1) - (b.status === "open" ? 0 : 1) || b.created_at.localeCompare(a.created_at));
  const headers = [t("col.alert"), t("col.person"), { text: t("col.threshold"), num: true }, { text: t("col.self_pay"), num: true }, t("col.status"), t("col.created")];
  const rows = alerts.map((a) => [
    { text: shortId(a.alert_id), cls: "id" },
    { text: shortId(a.person_id), cls: "id" },
    moneyCell(`alert:${a.alert_id}:threshold`, a.threshold),
    moneyCell(`alert:${a.alert_id}:self_pay_at_alert`, a.self_pay_at_alert),
    { node: badge(t(`alert.${a.status}`), a.status === "open" ? "open" : "done") },
    dateTime(a.created_at),
  ]);
  panel.querySelector(".table-box").appendChild(table(headers, rows));
}

// --- medical assistance -------------------------------------------------------------------------------

const LAYERS = [["basic", "col.basic"], ["critical_illness", "col.critical"], ["assistance", "col.assistance"], ["patient", "col.patient"]];

export function byClass(stats, month) {
  const classes = new Map();
  for (const row of stats.rows) {
    const key = row.recipient_class === null ? "none" : String(row.recipient_class);
    const acc = classes.get(key) || { settlements: 0, persons: 0, amounts: { total: [], basic: [], critical_illness: [], assistance: [], patient: [] } };
    acc.settlements += row.settlements;
    if (row.period === month) acc.persons += row.persons;
    for (const k of Object.keys(acc.amounts)) acc.amounts[k].push(row[k]);
    classes.set(key, acc);
  }
  return [...classes.entries()].sort(([a], [b]) => (a === "none" ? 99 : Number(a)) - (b === "none" ? 99 : Number(b)))
    .map(([key, acc]) => ({ key, settlements: acc.settlements, persons: acc.persons, ...Object.fromEntries(Object.entries(acc.amounts).map(([k, v]) => [k, sumMoney(v)])) }));
}

export function renderAssistance(panel, result, counts, ctx) {
  note(panel, "section.assistance_note", { year: ctx.year });
  renderRecipients(panel.querySelector(".recipients"), counts);
  if (!ready(panel, result, (v) => v.rows.length === 0)) return;
  const classes = byClass(result.value, ctx.month);
  const name = (key) => (key === "none" ? t("class.none") : t("class.n", { n: key }));
  barChart(panel.querySelector(".chart-box"), {
    categories: classes.map((c) => name(c.key)),
    series: LAYERS.map(([k, title], i) => ({ label: t(title), color: PALETTE[i], values: classes.map((c) => Number(c[k])) })),
    stacked: true,
    format: (v, exact) => (exact ? showMoney(v.toFixed(2)) : compact(v)),
    height: 230,
  });
  const headers = [t("col.class"), { text: t("col.settlements"), num: true }, { text: t("col.persons_month", { month: ctx.month }), num: true }, { text: t("col.total_cost"), num: true }, ...LAYERS.map(([, title]) => ({ text: t(title), num: true }))];
  const rows = classes.map((c) => [
    name(c.key),
    countCell(`ma:${c.key}:settlements`, c.settlements),
    countCell(`ma:${c.key}:persons`, c.persons),
    moneyCell(`ma:${c.key}:total`, c.total),
    ...LAYERS.map(([k]) => moneyCell(`ma:${c.key}:${k}`, c[k])),
  ]);
  const total = (k) => sumMoney(classes.map((c) => c[k]));
  const footer = [t("col.total"), countCell("ma:all:settlements", classes.reduce((n, c) => n + c.settlements, 0)), "", moneyCell("ma:all:total", total("total")), ...LAYERS.map(([k]) => moneyCell(`ma:all:${k}`, total(k)))];
  panel.querySelector(".table-box").appendChild(table(headers, rows, footer));
}

function renderRecipients(box, counts) {
  box.replaceChildren();
  const state = document.createElement("p");
  state.className = "state";
  if (!counts || counts.error || counts.value.by_category.length === 0) {
    state.textContent = !counts ? t("state.loading") : counts.error ? t("state.error", { detail: counts.error.message }) : t("state.empty");
    box.appendChild(state);
    return;
  }
  const sorted = [...counts.value.by_category].sort((a, b) => b.persons - a.persons || a.category.localeCompare(b.category));
  const rows = sorted.map((c) => [label("category", c.category), countCell(`recip:${c.category}`, c.persons)]);
  box.appendChild(table([t("col.category"), { text: t("col.persons"), num: true }], rows));
}

