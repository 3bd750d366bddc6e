// The HTML pages in a real browser (the system Chromium, headless): plots drawn without errors,
// fault bands and failovers labelled, violations as a table, a transaction cycle drawn, pages that
// fit 1400 px, tables readable with JavaScript off. Screenshots go to test-artifacts/.

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
  return runScenarioFile(scenarioFile(scenario), 0, ...set);
}

/** Runs a scenario file, expecting exit code `exit` (1: a check failed). */
async function runScenarioFile(path: string, exit: number, ...set: string[]): Promise<Report> {
  const dir = tempDir();
  const { code, stderr } = await cli("run", path, "--out", dir, ...set.flatMap((s) => ["--set", s]));
  expect(code, stderr).toBe(exit);
  const report = join(dir, "report.json");
  return validateReport(JSON.parse(readFileSync(report, "utf8")), report);
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

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function intersect(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

describe("HTML pages in Chromium", () => {
  let browser: Browser;
  let reportUrl: string;
  let compareUrl: string;
  let faultsUrl: string;
  let queriesUrl: string;
  let asyncUrl: string;
  let txnUrl: string;

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
    // The shipped scenario whose page was 24,576 px tall: 861 check anomalies as raw JSON.
    const asyncFailover = await runScenarioFile("scenarios/replication-async-failover.yaml", 1);
    asyncUrl = pageUrl("async.html", renderReportHtml(asyncFailover));
    // Snapshot isolation's write skew: elle finds G2-item (exit 1), the page draws its cycle.
    const writeSkew = await runScenarioFile("scenarios/txn-write-skew.yaml", 1, "duration=3s");
    txnUrl = pageUrl("txn.html", renderReportHtml(writeSkew));
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
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
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

  /** A page at `width` px, its plots drawn. */
  async function open(url: string, width: number) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    const page = await context.newPage();
    await page.goto(url);
    return page;
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
    // The spectra (one line per op), throughput and latency over time.
    expectAllPlotsDrawn(loaded, 3);
  });

  it("draws replication lag, and labels faults and the failover on every time plot", async () => {
    const loaded = await load(faultsUrl, "report-faults.png");
    // The three plots above and replication lag over time.
    expectAllPlotsDrawn(loaded, 4);
    const page = await open(faultsUrl, 1400);
    const timePlots = page.locator("#timeline figure.plot");
    expect(await timePlots.count()).toBe(3);
    for (const figure of await timePlots.all()) {
      const faults = figure.locator('.band-label[data-kind="fault"]');
      expect(await faults.allInnerTexts()).toEqual([
        expect.stringMatching(/^crash shard0\/n\d$/),
        expect.stringMatching(/^partition isolate shard0\/n\d$/),
      ]);
      const failover = figure.locator('.marker-label[data-kind="failover"]');
      expect(await failover.innerText()).toMatch(/^failover: shard0\/n\d leads \(term \d+\)$/);
      expect(await figure.locator('.band-label[data-kind="outside"]').first().innerText()).toBe("warmup");
      // The crash (2 s to 4 s) and the partition (3 s to 4 s) overlap: their labels must not.
      const boxes = await Promise.all((await faults.all()).map((label) => label.boundingBox()));
      const [crash, partition] = boxes as { x: number; y: number; width: number; height: number }[];
      expect(crash && partition && !intersect(crash, partition)).toBe(true);
      for (const label of await figure.locator(".band-label, .marker-label").all()) {
        expect(await label.isVisible()).toBe(true);
      }
    }
    await page.context().close();
  });

  it("shows an async failover's violations as a table, in a page a few thousand px tall", async () => {
    const loaded = await load(asyncUrl, "report-async-failover.png");
    expectAllPlotsDrawn(loaded, 4);
    const page = await open(asyncUrl, 1400);
    const height = await page.evaluate<number>("document.documentElement.scrollHeight");
    expect(height).toBeLessThan(7000);
    const verdicts = page.locator("#checks table").first();
    expect(await verdicts.locator("tbody th").allInnerTexts()).toEqual(["lost_writes", "stale_reads"]);
    const violations = page.locator("#checks table.violations");
    expect(await violations.locator("thead th").allInnerTexts()).toEqual([
      "kind",
      "key",
      "operations involved",
      "why",
    ]);
    const rows = violations.locator("tbody tr");
    expect(await rows.count()).toBe(20);
    const kinds = await violations.locator("tbody th").allInnerTexts();
    expect(new Set(kinds)).toEqual(new Set(["lost write", "stale read"]));
    const first = await rows.first().locator("td").allInnerTexts();
    expect(first[0]).toMatch(/^user\d+$/);
    expect(first[1]).toMatch(/^write: write\(\d+\) by process \d+ on shard0\/n0, index \d+–\d+$/m);
    expect(first[2]).toMatch(/^acknowledged, /);
    expect(await page.locator("#checks .more").innerText()).toMatch(
      /^Not shown: \d+ more of lost_writes, \d+ more of stale_reads\./,
    );
    expect(await page.locator("#checks pre").count()).toBe(0); // no raw JSON
    await page.context().close();
  });

  it("fits 1400 px: no page scroll sideways, and a table wider than its place says it scrolls", async () => {
    for (const url of [reportUrl, faultsUrl, queriesUrl, asyncUrl, compareUrl]) {
      const page = await open(url, 1400);
      expect(
        await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth"),
      ).toBeLessThanOrEqual(0);
      for (const wrap of await page.locator(".table-wrap").all()) {
        const wide = await wrap.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
        expect(await wrap.evaluate((e) => e.classList.contains("scrolls"))).toBe(wide);
      }
      await page.context().close();
    }
    // On a phone the wide tables scroll, and say so.
    const page = await open(asyncUrl, 390);
    const scrolling = page.locator(".table-wrap.scrolls");
    expect(await scrolling.count()).toBeGreaterThan(0);
    const hint = await page.evaluate<string>(
      "getComputedStyle(document.querySelector('.table-wrap.scrolls'), '::before').content",
    );
    expect(hint).toContain("scroll sideways");
    await page.screenshot({ path: join(ARTIFACTS, "report-async-failover-narrow.png"), fullPage: false });
    await page.context().close();
  });

  it("draws a domain workload's page, with its Queries table and index advice", async () => {
    const loaded = await load(queriesUrl, "report-queries.png");
    // The spectra (one line per op), throughput and latency over time.
    expectAllPlotsDrawn(loaded, 3);
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

  it("draws a transaction anomaly's cycle: every node and label visible, none on another", async () => {
    const loaded = await load(txnUrl, "report-txn.png");
    expect(loaded.errors).toEqual([]);
    expect(loaded.fetched).toEqual([]);
    const page = await open(txnUrl, 1400);
    const svg = await page.locator("#transactions svg.cycle").boundingBox();
    expect(svg?.width).toBeGreaterThan(100);
    const nodes = (await Promise.all(
      (await page.locator("svg.cycle g.node").all()).map((n) => n.boundingBox()),
    )) as Box[];
    const labels = (await Promise.all(
      (await page.locator("svg.cycle g.edge text").all()).map((t) => t.boundingBox()),
    )) as Box[];
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    expect(labels).toHaveLength(nodes.length);
    const boxes = [...nodes, ...labels];
    boxes.forEach((a, i) => {
      expect(a.width * a.height).toBeGreaterThan(0);
      boxes.slice(i + 1).forEach((b) => {
        expect(intersect(a, b), JSON.stringify([a, b])).toBe(false);
      });
    });
    await page.locator("#transactions").screenshot({ path: join(ARTIFACTS, "report-txn-cycle.png") });
    await page.context().close();
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
