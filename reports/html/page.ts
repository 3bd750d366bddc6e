// The shell of a self-contained page: styles, uPlot and the plotting script inlined, nothing fetched.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { PLOT_SCRIPT } from "./client.js";
import { escapeHtml } from "./escape.js";

interface UplotAssets {
  js: string;
  css: string;
}

let uplot: UplotAssets | undefined;

/** uPlot's browser build and stylesheet, read from the installed package once. */
function uplotAssets(): UplotAssets {
  if (uplot === undefined) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), "utf8");
    uplot = { js: read("uPlot.iife.min.js"), css: read("uPlot.min.css") };
  }
  return uplot;
}

// The page loads nothing: the policy forbids every fetch and allows only the inline code.
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
:root { color-scheme: light; --fg: #1d232a; --muted: #5b6672; --rule: #d9dee3; --band: #f4f6f8; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
h2 { font-size: 1.15rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1rem; margin: 0 0 4px; }
p { margin: 6px 0; max-width: 90em; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em; }
pre { background: var(--band); padding: 10px 12px; overflow-x: auto; border-radius: 4px; margin: 6px 0; }
.description { color: var(--muted); margin-bottom: 12px; white-space: pre-wrap; }
.note, figcaption { color: var(--muted); font-size: 0.88rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
/* A table wider than the page scrolls sideways; shadows at its cut edges show it (without JavaScript too). */
.table-wrap {
  overflow-x: auto; margin: 6px 0;
  background:
    linear-gradient(to right, #fff 30%, rgba(255, 255, 255, 0)) left center / 28px 100% no-repeat local,
    linear-gradient(to left, #fff 30%, rgba(255, 255, 255, 0)) right center / 28px 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, rgba(0, 0, 0, 0.22), rgba(0, 0, 0, 0)) left center / 12px 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, rgba(0, 0, 0, 0.22), rgba(0, 0, 0, 0)) right center / 12px 100% no-repeat scroll;
}
.table-wrap.scrolls::before { content: "Wider than the page: scroll sideways →"; display: block; position: sticky; left: 0; color: var(--muted); font-size: 0.82rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--fg); text-align: right; vertical-align: bottom; }
thead th:first-child, thead th.text, th[scope=row], td.text { text-align: left; }
td { text-align: right; white-space: nowrap; }
td.text { white-space: normal; }
td.text pre { margin: 0; padding: 4px 8px; }
tr.section th { text-align: left; background: var(--band); font-weight: 600; }
.best { font-weight: 700; color: var(--accent); }
.range { display: block; color: var(--muted); font-size: 0.82rem; }
.noise { color: #a15c00; font-weight: 400; font-size: 0.85rem; }
.unit { color: var(--muted); font-weight: 400; font-size: 0.85rem; }
.verdict-true { color: #17702f; font-weight: 600; }
.verdict-false { color: #b3261e; font-weight: 600; }
.verdict-unknown { color: #a15c00; font-weight: 600; }
figure.plot { margin: 16px 0 24px; }
.plot-area { width: 100%; overflow: hidden; }
.plot-lanes { position: relative; height: 0; margin-bottom: 4px; }
.band-label, .marker-label { position: absolute; height: 18px; line-height: 18px; padding: 0 5px; font-size: 12px; white-space: nowrap; color: var(--fg); border-radius: 3px; }
.marker-label { border-left: 2px dashed; border-radius: 0; background: #fff; }
table.violations { font-size: 0.86rem; }
table.violations th[scope=row] { white-space: nowrap; }
table.violations .op { white-space: nowrap; }
table.violations code { font-size: 0.92em; }
.more { color: var(--muted); font-size: 0.88rem; }
details > summary { cursor: pointer; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85rem; }
@media (max-width: 640px) {
  main { padding: 16px 10px 32px; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 6px; }
  th, td { padding: 3px 6px; }
}
`;

/** In every page dbsim writes: how `dbsim compare --html` recognises a file it may replace. */
export const GENERATOR_META = '<meta name="generator" content="dbsim">';

/** A complete HTML document around `body` (already escaped HTML). */
export function page(title: string, body: string): string {
  const assets = uplotAssets();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${GENERATOR_META}
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>${escapeHtml(title)}</title>
<style>${assets.css}</style>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
<script>${assets.js}</script>
<script>${PLOT_SCRIPT}</script>
</body>
</html>
`;
}
