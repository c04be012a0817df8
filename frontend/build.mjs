// Builds Liaison's front-end assets from npm packages into liaison/static/dist.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const outdir = "liaison/static/dist";
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: true, logLevel: "info", target: ["es2020"] };

await build({ ...common, entryPoints: { app: "frontend/src/app.js" }, outdir, format: "iife" });
// The insights map, with the world-atlas country shapes (TopoJSON) bundled in: no tiles online.
await build({
  ...common,
  entryPoints: { insights: "frontend/src/insights.js" },
  outdir,
  format: "iife",
  loader: { ".json": "json" },
});
await build({ ...common, entryPoints: { insights: "frontend/src/insights.css" }, outdir });
// The remittance indices' trend chart (SVG drawn from the page's JSON, no chart library).
await build({
  ...common,
  entryPoints: { remittance_charts: "frontend/src/remittance_charts.js" },
  outdir,
  format: "iife",
});
await build({
  ...common,
  entryPoints: { app: "frontend/src/app.css", "app.rtl": "frontend/src/app.rtl.css" },
  outdir,
  loader: { ".woff": "file", ".woff2": "file", ".svg": "dataurl" },
});
