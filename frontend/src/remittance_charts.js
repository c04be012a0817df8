// The remittance indices' trend: the global average by quarter as a line chart in SVG, drawn
// from the page's JSON (json_script), as the insights map is. Quarters are placed on a time
// axis; Liaison's own observations and the World Bank's history are two series, a line joining
// only consecutive quarters of one source; the SDG 10.c target is a dotted line. The table after the chart
// gives the same figures, so the drawing is hidden from assistive technology.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 16, right: 16, bottom: 36, left: 44 };
const STYLE = {
  observations: { stroke: "#0d6efd", dash: "" },
  history: { stroke: "#6c757d", dash: "6 4" },
};

function el(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function text(x, y, content, attrs = {}) {
  const node = el("text", { x, y, "font-size": 11, fill: "#495057", ...attrs });
  node.textContent = content;
  return node;
}

// A step for the value axis giving about five lines.
function step(max) {
  for (const s of [0.5, 1, 2, 5, 10, 20]) if (max / s <= 6) return s;
  return 50;
}

export function drawTrend(figure) {
  const source = document.getElementById(figure.dataset.remittanceChart);
  const canvas = figure.querySelector("[data-chart-canvas]");
  if (!source || !canvas) return;
  const data = JSON.parse(source.textContent);
  const points = data.points;
  if (!points.length) return;
  const locale = document.documentElement.lang || undefined;
  const unit = figure.dataset.unit || "";

  const first = points[0].t;
  const last = points[points.length - 1].t;
  const span = Math.max(last - first, 1);
  const top = Math.max(data.target, ...points.map((p) => p.average));
  const ystep = step(top);
  const ymax = Math.ceil((top * 1.1) / ystep) * ystep;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t) => MARGIN.left + (points.length === 1 ? plotW / 2 : ((t - first) / span) * plotW);
  const y = (v) => MARGIN.top + plotH - (v / ymax) * plotH;

  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, "aria-hidden": "true", focusable: "false", width: "100%", "data-chart": "trend" });
  for (let v = 0; v <= ymax + 1e-9; v += ystep) {
    svg.append(el("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(v), y2: y(v), stroke: "#dee2e6", "stroke-width": 1 }));
    svg.append(text(MARGIN.left - 6, y(v) + 4, `${v.toLocaleString(locale)}${unit}`, { "text-anchor": "end" }));
  }
  // Year labels under each year's first quarter shown, thinned to about ten.
  const years = [...new Set(points.map((p) => Math.floor(p.t / 4)))];
  const every = Math.ceil(years.length / 10);
  years.forEach((year, i) => {
    if (i % every) return;
    const t = Math.max(year * 4, first);
    svg.append(text(x(t), HEIGHT - MARGIN.bottom + 16, String(year), { "text-anchor": "middle" }));
  });
  svg.append(el("line", { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0), stroke: "#adb5bd" }));

  const target = el("line", {
    x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(data.target), y2: y(data.target),
    stroke: "#198754", "stroke-width": 1.5, "stroke-dasharray": "2 3", "data-target": "",
  });
  svg.append(target);
  svg.append(text(WIDTH - MARGIN.right, y(data.target) - 4, figure.dataset.targetLabel || "", { "text-anchor": "end", fill: "#146c43" }));

  // A line joins two points only when they come from the same source and follow each other
  // (no line drawn across quarters without a figure).
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    if (a.source !== b.source || b.t - a.t !== 1) continue;
    const style = STYLE[b.source] || STYLE.observations;
    svg.append(el("line", {
      x1: x(a.t), y1: y(a.average), x2: x(b.t), y2: y(b.average),
      stroke: style.stroke, "stroke-width": 2, "stroke-dasharray": style.dash, "data-source": b.source,
    }));
  }
  for (const p of points) {
    const style = STYLE[p.source] || STYLE.observations;
    const dot = el("circle", { cx: x(p.t), cy: y(p.average), r: 3.5, fill: style.stroke, "data-point": p.key, "data-source": p.source });
    const title = el("title");
    title.textContent = p.label;
    dot.append(title);
    svg.append(dot);
  }
  canvas.replaceChildren(svg);
}

function drawAll(root) {
  root.querySelectorAll("[data-remittance-chart]").forEach(drawTrend);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => drawAll(document));
} else {
  drawAll(document);
}
