// The insights choropleth: country shapes from the world-atlas package (Natural Earth, 1:110m),
// bundled at build time, so that no map tile is ever fetched. Each map's figures come from the
// page as JSON (json_script), already suppressed by the server; the table next to the map is its
// text alternative, so the drawing itself is hidden from assistive technology.
import { feature } from "topojson-client";
import { geoEqualEarth, geoPath } from "d3-geo";
import world from "world-atlas/countries-110m.json";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 960;
const HEIGHT = 470;
const NONE = "#f1f3f5";

let shapes = null;

function countryShapes() {
  shapes ??= feature(world, world.objects.countries).features;
  return shapes;
}

function el(name, attrs = {}) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  return node;
}

function hatch(id) {
  const pattern = el("pattern", { id, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pattern.append(el("rect", { width: 6, height: 6, fill: "#e9ecef" }));
  pattern.append(el("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#6c757d", "stroke-width": 2 }));
  return pattern;
}

export function drawMap(figure) {
  const id = figure.dataset.insightsMap;
  const source = document.getElementById(id);
  const canvas = figure.querySelector("[data-map-canvas]");
  if (!source || !canvas) return;
  const data = JSON.parse(source.textContent);
  const hiddenLabel = figure.dataset.hiddenLabel || "hidden";
  const locale = document.documentElement.lang || undefined;
  const byNumeric = new Map(data.countries.filter((c) => c.numeric).map((c) => [c.numeric, c]));

  const projection = geoEqualEarth().fitExtent([[4, 4], [WIDTH - 4, HEIGHT - 4]], { type: "Sphere" });
  const path = geoPath(projection);
  const svg = el("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, "aria-hidden": "true", focusable: "false", class: "insights-map-svg" });
  const defs = el("defs");
  defs.append(hatch(`${id}-hatch`));
  svg.append(defs);
  svg.append(el("path", { d: path({ type: "Sphere" }), class: "insights-sphere" }));
  const drawn = new Set();
  for (const shape of countryShapes()) {
    const d = path(shape);
    if (!d) continue;
    const found = shape.id ? byNumeric.get(String(shape.id)) : undefined;
    const node = el("path", { d, class: "insights-country", "data-numeric": shape.id ?? "" });
    const title = el("title");
    if (found) {
      drawn.add(found.numeric);
      node.dataset.code = found.code;
      if (found.hidden) {
        node.setAttribute("fill", `url(#${id}-hatch)`);
        node.dataset.state = "hidden";
        title.textContent = `${found.name}: ${hiddenLabel}`;
      } else {
        node.setAttribute("fill", found.colour);
        node.dataset.state = "shown";
        title.textContent = `${found.name}: ${Number(found.count).toLocaleString(locale)}`;
      }
    } else {
      node.setAttribute("fill", NONE);
      title.textContent = shape.properties?.name ?? "";
    }
    node.append(title);
    svg.append(node);
  }
  canvas.replaceChildren(svg);
  const missing = data.countries.filter((c) => !drawn.has(c.numeric)).map((c) => c.name);
  const note = figure.querySelector("[data-map-missing]");
  if (note && missing.length) {
    note.textContent = `${note.dataset.prefix} ${missing.join(", ")}`;
    note.hidden = false;
  }
}

function drawAll(root) {
  root.querySelectorAll("[data-insights-map]").forEach(drawMap);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => drawAll(document));
} else {
  drawAll(document);
}
