// The HTML pages in a real browser (the system Chromium, headless): plots drawn without errors,
// tables readable with JavaScript off. Screenshots go to test-artifacts/.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareRuns } from "../../reports/compare.js";
import { renderComparisonHtml, renderReportHtml } from "../../reports/html.js";
import { type Report, validateReport } from "../../reports/report-schema.js";
import { cli, scenarioFile, TINY, tempDir } from "../cli/helpers.js";

const ARTIFACTS = "test-artifacts";

/** A small ecommerce run without indexes: every read is a full scan, so the page has index advice. */
const SHOP = `name: shop
duration: 3s
warmup: 500ms
network: { latency: { dist: constant, value: 100us } }
workload: { type: ecommerce, ecommerce: { customers: 100 }, rate: 200/s, clients: 4 }
`;

async function tinyReport(...set: string[]): Promise<Report> {
  return runReport(TINY, ...set);
}

async function runReport(scenario: string, ...set: string[]): Promise<Report> {
  const dir = tempDir();
  const { code, stderr } = await cli(
    "run",
    scenarioFile(scenario),
    "--out",
    dir,
    ...set.flatMap((s) => ["--set", s]),
  );
  expect(code, stderr).toBe(0);
  const path = join(dir, "report.json");
  return validateReport(JSON.parse(readFileSync(path, "utf8")), path);
}

/** Writes `html` to a temporary file; returns its file:// URL. */
function pageUrl(name: string, html: string): string {
  const path = join(tempDir(), name);
  writeFileSync(path, html);
  return pathToFileURL(path).href;
}

interface Loaded {
  /** Console messages of type error, and uncaught exceptions. */
  errors: string[];
  /** Requests for anything but the page itself. */
  fetched: string[];
  plots: number;
  /** [width, height] of each plot canvas. */
  canvases: [number, number][];
}

describe("HTML pages in Chromium", () => {
  let browser: Browser;
  let reportUrl: string;
  let compareUrl: string;
  let faultsUrl: string;
  let queriesUrl: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const always = await tinyReport();
    const never = await tinyReport("cluster.node.fsync_policy=never");
    reportUrl = pageUrl(
      "report.html",
      renderReportHtml(always, { reproduce: "dbsim run tiny.yaml --seed 1" }),
    );
    const comparison = compareRuns([
      { source: "runs/always", report: always },
      { source: "runs/never", report: never },
    ]);
    const runs = [always, never].map((report, i) => ({
      label: comparison.columns[i]?.label as string,
      report,
    }));
    compareUrl = pageUrl("compare.html", renderComparisonHtml(comparison, runs));
    const replicated = await tinyReport(
      "cluster.replicas=3",
      "duration=6s",
      "faults.schedule=[{at: 2s, kind: crash, target: leader, restart_after: 2s}, {at: 3s, kind: partition, isolate: follower, for: 1s}]",
    );
    faultsUrl = pageUrl("faults.html", renderReportHtml(replicated));
    queriesUrl = pageUrl("queries.html", renderReportHtml(await runReport(SHOP)));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Loads `url` (its script draws the plots before the load event) and takes a full-page screenshot. */
  async function load(url: string, screenshot: string): Promise<Loaded> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    page.on("pageerror", (error) => errors.push(error.message));
    const fetched: string[] = [];
    page.on("request", (request) => {
      if (request.url() !== url) fetched.push(request.url());
    });
    await page.goto(url);
    const plots = await page.locator("figure.plot").count();
    const boxes = await Promise.all(
      (await page.locator("figure.plot canvas").all()).map((c) => c.boundingBox()),
    );
    const canvases = boxes.map((box): [number, number] => [box?.width ?? 0, box?.height ?? 0]);
    await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
    await context.close();
    return { errors, fetched, plots, canvases };
  }

  function expectAllPlotsDrawn(loaded: Loaded, plots: number): void {
    expect(loaded.errors).toEqual([]);
    expect(loaded.fetched).toEqual([]);
    expect(loaded.plots).toBe(plots);
    expect(loaded.canvases).toHaveLength(plots);
    for (const [width, height] of loaded.canvases) {
      expect(width).toBeGreaterThan(0);
      expect(height).toBeGreaterThan(0);
    }
  }

  it("draws every plot of a run's report without errors", async () => {
    const loaded = await load(reportUrl, "report.png");
    // A spectrum per op (read, update, all), throughput and latency over time.
    expectAllPlotsDrawn(loaded, 5);
  });

  it("draws replication lag and shades faults for a replicated run with faults", async () => {
    const loaded = await load(faultsUrl, "report-faults.png");
    // The five plots above and replication lag over time.
    expectAllPlotsDrawn(loaded, 6);
  });

  it("draws a domain workload's page, with its Queries table and index advice", async () => {
    const loaded = await load(queriesUrl, "report-queries.png");
    // A spectrum per op (read, update, insert, all), throughput and latency over time.
    expectAllPlotsDrawn(loaded, 6);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(queriesUrl);
    const queries = page.locator("#queries table");
    expect(await queries.isVisible()).toBe(true);
    expect(await queries.locator("tbody th").allInnerTexts()).toEqual([
      "orders_by_customer",
      "recent_orders_by_customer",
      "orders_by_status_in_range",
      "new_order",
      "update_order_status",
    ]);
    expect(await page.locator("#queries li").first().innerText()).toMatch(
      /^index advice: orders_by_customer /,
    );
    await context.close();
  });

  it("draws every plot of a comparison without errors", async () => {
    const loaded = await load(compareUrl, "compare.png");
    // A spectrum per op (read, update, all) and throughput, each with both runs.
    expectAllPlotsDrawn(loaded, 4);
  });

  it("fits a narrow screen: only tables scroll sideways, not the page", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(reportUrl);
    expect(await page.locator("figure.plot canvas").count()).toBeGreaterThan(0);
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    await page.screenshot({ path: join(ARTIFACTS, "report-narrow.png"), fullPage: true });
    await context.close();
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it("keeps the tables readable with JavaScript off", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(reportUrl);
    const summary = page.locator("#summary table");
    expect(await summary.isVisible()).toBe(true);
    const header = await summary.locator("thead th").allInnerTexts();
    expect(header).toEqual([
      "op",
      "count",
      "ok",
      "fail",
      "info",
      "ops/s",
      "p50",
      "p90",
      "p99",
      "p99.9",
      "max",
      "mean",
    ]);
    expect(await summary.locator("tbody th").allInnerTexts()).toEqual(["read", "update", "all"]);
    expect(await page.locator("#node-time table").isVisible()).toBe(true);
    expect(await page.locator("figure.plot canvas").count()).toBe(0);
    expect(await page.getByText("This plot is drawn by JavaScript").first().isVisible()).toBe(true);
    await page.goto(compareUrl);
    const comparison = page.locator("#comparison table");
    expect(await comparison.isVisible()).toBe(true);
    expect(await comparison.locator("thead th").allInnerTexts()).toEqual([
      "figure",
      "fsync_policy=always",
      "fsync_policy=never",
    ]);
    await page.screenshot({ path: join(ARTIFACTS, "compare-no-js.png"), fullPage: true });
    await context.close();
  });
});
