// Exact display of the API's figures: money strings summed in fen (BigInt), never as floats;
// counts and rates formatted for the current language; regions covered as tenancy reads them.

import { language } from "./i18n.js";

/** "1234.5" / "-12.34" → fen as BigInt. */
export function fen(money) {
  const text = String(money ?? "0").trim();
  const negative = text.startsWith("-");
  const [whole, part = ""] = text.replace(/^[-+]/, "").split(".");
  const value = BigInt(whole || "0") * 100n + BigInt((part + "00").slice(0, 2));
  return negative ? -value : value;
}

/** Fen (BigInt) → "1234.50" (the API's own form). */
export function money(fenValue) {
  const negative = fenValue < 0n;
  const abs = negative ? -fenValue : fenValue;
  const text = `${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
  return negative ? `-${text}` : text;
}

export function sumMoney(values) {
  return money(values.reduce((total, v) => total + fen(v), 0n));
}

function group(digits) {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A money string shown with thousands separators: "1234567.80" → "1,234,567.80". */
export function showMoney(value) {
  const text = money(fen(value));
  const negative = text.startsWith("-");
  const [whole, part] = text.replace("-", "").split(".");
  return `${negative ? "-" : ""}${group(whole)}.${part}`;
}

export function showCount(value) {
  return value === null || value === undefined ? "—" : group(String(value));
}

/** A share "0.0537" → "5.37%" (exact: the decimal string's point moved two places). */
export function showRate(value) {
  if (value === null || value === undefined || value === "") return "—";
  const text = String(value);
  const negative = text.startsWith("-");
  const [whole, part = ""] = text.replace(/^[-+]/, "").split(".");
  const basis = BigInt(whole || "0") * 10000n + BigInt((part + "0000").slice(0, 4));
  const shown = `${basis / 100n}.${String(basis % 100n).padStart(2, "0")}%`;
  return negative ? `-${shown}` : shown;
}

/** flagged / visits rounded half-up to four places, as the API's own rate strings are. */
export function rateOf(part, whole) {
  if (!whole) return null;
  const scaled = (BigInt(part) * 20000n + BigInt(whole)) / (2n * BigInt(whole));
  return `${scaled / 10000n}.${String(scaled % 10000n).padStart(4, "0")}`;
}

/** Compact axis labels: 12000 → "1.2万" / "12k". */
export function compact(value) {
  const abs = Math.abs(value);
  const sign = value < 0 ? "-" : "";
  const trim = (n) => String(Number(n.toFixed(1)));
  if (language() === "zh") {
    if (abs >= 1e8) return `${sign}${trim(abs / 1e8)}亿`;
    if (abs >= 1e4) return `${sign}${trim(abs / 1e4)}万`;
    return `${sign}${trim(abs)}`;
  }
  if (abs >= 1e9) return `${sign}${trim(abs / 1e9)}B`;
  if (abs >= 1e6) return `${sign}${trim(abs / 1e6)}M`;
  if (abs >= 1e3) return `${sign}${trim(abs / 1e3)}k`;
  return `${sign}${trim(abs)}`;
}

/** The shared reading of region codes: a city 3209xx is covered by 320900, a province by 32. */
export function covers(granted, code) {
  if (!granted || granted === code) return true;
  if (!code || granted.length !== 6 || code.length !== 6) return false;
  if (granted.endsWith("0000")) return code.slice(0, 2) === granted.slice(0, 2);
  if (granted.endsWith("00")) return code.slice(0, 4) === granted.slice(0, 4);
  return false;
}

export function shortId(id) {
  const text = String(id ?? "");
  return text.length > 13 ? `${text.slice(0, 8)}…${text.slice(-4)}` : text;
}

export function monthDays(month) {
  const [year, m] = month.split("-").map(Number);
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(last).padStart(2, "0")}` };
}

export function shiftMonth(month, delta) {
  const [year, m] = month.split("-").map(Number);
  const index = year * 12 + (m - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
}

export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export function dateTime(iso) {
  if (!iso) return "—";
  return String(iso).replace("T", " ").slice(0, 16);
}
