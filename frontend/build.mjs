// Builds Liaison's front-end assets from npm packages into liaison/static/dist.
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const outdir = "liaison/static/dist";
mkdirSync(outdir, { recursive: true });

const common = { bundle: true, minify: true, sourcemap: true, logLevel: "info", target: ["es2020"] };

await build({ ...common, entryPoints: { app: "frontend/src/app.js" }, outdir, format: "iife" });
await build({
  ...common,
  entryPoints: { app: "frontend/src/app.css", "app.rtl": "frontend/src/app.rtl.css" },
  outdir,
  loader: { ".woff": "file", ".woff2": "file", ".svg": "dataurl" },
});
