// Small inline SVG charts (no library): vertical bars (grouped or stacked) with an optional line
// on a second axis, and horizontal bars. Numbers here only place shapes; tables show the figures.

const SVG = "http://www.w3.org/2000/svg";
export const PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#0ea5e9", "#64748b"];

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

function titled(node, text) {
  el("title", {}, node).textContent = text;
  return node;
}

/** Round tick values spanning [min, max] (min ≤ 0 ≤ max for bars). */
export function niceTicks(min, max, count = 4) {
  if (!(max > min)) max = min + 1;
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const norm = rough / magnitude;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * magnitude;
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks = [];
  for (let v = low; v <= high + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** Draw at the container's own pixel width, so text keeps its size (760 when not laid out). */
function widthOf(container) {
  const width = Math.floor(container.getBoundingClientRect().width);
  return width >= 240 ? width : 760;
}

function legend(container, entries) {
  const box = document.createElement("div");
  box.className = "legend";
  for (const entry of entries) {
    const item = document.createElement("span");
    item.className = `legend-item ${entry.kind || "bar"}`;
    const swatch = document.createElement("i");
    swatch.style.background = entry.color;
    item.append(swatch, document.createTextNode(entry.label));
    box.appendChild(item);
  }
  container.appendChild(box);
}

function extent(series, stacked) {
  let low = 0;
  let high = 0;
  const n = series[0]?.values.length ?? 0;
  for (let i = 0; i < n; i++) {
    if (stacked) {
      let up = 0;
      let down = 0;
      for (const s of series) (s.values[i] >= 0 ? (up += s.values[i]) : (down += s.values[i]));
      high = Math.max(high, up);
      low = Math.min(low, down);
    } else {
      for (const s of series) {
        high = Math.max(high, s.values[i]);
        low = Math.min(low, s.values[i]);
      }
    }
  }
  return [low, high];
}

/**
 * Vertical bars per category. ``series``: [{label, values, color}]; ``line``: {label, values,
 * color, format} drawn on a right-hand axis; ``format`` formats the left axis and tooltips.
 */
export function barChart(container, options) {
  const { categories, series, stacked = false, line = null, format = String } = options;
  container.replaceChildren();
  const width = options.width || widthOf(container);
  const height = options.height || 260;
  legend(container, [
    ...series.map((s) => ({ label: s.label, color: s.color })),
    ...(line ? [{ label: line.label, color: line.color, kind: "line" }] : []),
  ]);
  const m = { top: 12, right: line && !line.sameAxis ? 56 : 16, bottom: 34, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const svg = el("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    preserveAspectRatio: "xMidYMid meet",
  });
  let [low, high] = extent(series, stacked);
  if (line?.sameAxis) {
    const values = line.values.filter((v) => v !== null && v !== undefined);
    low = Math.min(low, ...values);
    high = Math.max(high, ...values);
  }
  const ticks = niceTicks(low, high);
  const y0 = ticks[0];
  const y1 = ticks[ticks.length - 1];
  const y = (v) => m.top + plotH - ((v - y0) / (y1 - y0)) * plotH;
  for (const tick of ticks) {
    el("line", { x1: m.left, x2: m.left + plotW, y1: y(tick), y2: y(tick), class: tick === 0 ? "axis" : "grid" }, svg);
    el("text", { x: m.left - 8, y: y(tick) + 4, class: "tick", "text-anchor": "end" }, svg).textContent = format(tick);
  }
  const band = plotW / Math.max(categories.length, 1);
  const every = Math.max(1, Math.ceil(categories.length / 16));
  const inner = band * (categories.length > 20 ? 0.7 : 0.62);
  categories.forEach((category, i) => {
    const x = m.left + i * band + (band - inner) / 2;
    let up = 0;
    let down = 0;
    series.forEach((s, k) => {
      const v = s.values[i] || 0;
      let top;
      let bottom;
      let left = x;
      let w = inner;
      if (stacked) {
        const base = v >= 0 ? up : down;
        top = y(Math.max(base, base + v));
        bottom = y(Math.min(base, base + v));
        if (v >= 0) up += v;
        else down += v;
      } else {
        w = inner / series.length;
        left = x + k * w;
        top = y(Math.max(0, v));
        bottom = y(Math.min(0, v));
      }
      const rect = el("rect", { x: left, y: top, width: Math.max(w - 1, 1), height: Math.max(bottom - top, v ? 1 : 0), fill: s.color, rx: 1.5 }, svg);
      titled(rect, `${category} · ${s.label}: ${format(v, true)}`);
    });
    if (i % every === 0) {
      el("text", { x: m.left + i * band + band / 2, y: height - m.bottom + 16, class: "tick", "text-anchor": "middle" }, svg).textContent = category;
    }
  });
  if (line) drawLine(svg, line, categories, { m, plotW, plotH, band, scale: line.sameAxis ? y : null });
  container.appendChild(svg);
}

function drawLine(svg, line, categories, box) {
  const { m, plotW, plotH, band, scale } = box;
  const values = line.values.filter((v) => v !== null && v !== undefined);
  if (!values.length) return;
  let y = scale;
  if (!y) {
    const ticks = niceTicks(Math.min(0, ...values), Math.max(0, ...values));
    const y0 = ticks[0];
    const y1 = ticks[ticks.length - 1];
    y = (v) => m.top + plotH - ((v - y0) / (y1 - y0)) * plotH;
    for (const tick of ticks) {
      el("text", { x: m.left + plotW + 8, y: y(tick) + 4, class: "tick line-tick" }, svg).textContent = line.format(tick);
    }
  }
  let path = "";
  line.values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const x = m.left + i * band + band / 2;
    path += `${path ? "L" : "M"}${x.toFixed(1)},${y(v).toFixed(1)}`;
  });
  el("path", { d: path, fill: "none", stroke: line.color, "stroke-width": 2.2, "stroke-linejoin": "round" }, svg);
  line.values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    const dot = el("circle", { cx: m.left + i * band + band / 2, cy: y(v), r: 3, fill: "#fff", stroke: line.color, "stroke-width": 2 }, svg);
    titled(dot, `${categories[i]} · ${line.label}: ${line.format(v, true)}`);
  });
}

/** Horizontal bars: ``items`` [{label, value, color}], largest first as given. */
export function hbarChart(container, items, format = String) {
  container.replaceChildren();
  const row = 26;
  const width = widthOf(container);
  const labelW = Math.min(200, width * 0.3);
  const valueW = 70;
  const height = Math.max(items.length * row + 8, 40);
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart hbar", role: "img" });
  const max = Math.max(1, ...items.map((i) => i.value));
  const plotW = width - labelW - valueW;
  items.forEach((item, k) => {
    const top = 4 + k * row;
    el("text", { x: labelW - 10, y: top + 16, class: "hlabel", "text-anchor": "end" }, svg).textContent = item.label;
    el("rect", { x: labelW, y: top + 4, width: plotW, height: row - 10, class: "track", rx: 3 }, svg);
    const bar = el("rect", { x: labelW, y: top + 4, width: Math.max((item.value / max) * plotW, item.value ? 2 : 0), height: row - 10, fill: item.color || PALETTE[0], rx: 3 }, svg);
    titled(bar, `${item.label}: ${format(item.value)}`);
    el("text", { x: width - valueW + 8, y: top + 16, class: "hvalue" }, svg).textContent = format(item.value);
  });
  container.appendChild(svg);
}
