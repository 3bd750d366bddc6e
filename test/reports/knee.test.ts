import { describe, expect, it } from "vitest";
import { renderKneeHtml } from "../../reports/html/knee-page.js";
import type { PlotSpec } from "../../reports/html/plots.js";
import {
  bracketNote,
  KNEE_SCHEMA,
  type KneePoint,
  type KneeResult,
  kneeBracket,
  kneeJson,
  kneeText,
  latencyOperation,
  type VariantKnee,
} from "../../reports/knee.js";
import { parseSlo } from "../../workloads/scenario/thresholds.js";

const HOSTILE = "</script><script>alert(1)</script>";
const SLOS = [parseSlo("update.p99 < 10ms"), parseSlo("all.error_rate < 1%")];

/** A probed rate whose seeds had these update.p99 values (µs); the error rate is 0. */
function point(rate: number, probe: number, p99s: number[]): KneePoint {
  const runs = p99s.map((p99, i) => ({
    seed: i + 1,
    ok: p99 < 10_000,
    slo: [
      { figure: "update.p99", condition: "< 10ms", value: p99, ok: p99 < 10_000 },
      { figure: "all.error_rate", condition: "< 1%", value: 0, ok: true },
    ],
    achieved_ops_per_s: Math.min(rate, 3000),
    p50_us: p99 / 4,
    reproduce: `npx dbsim run s.yaml --seed ${i + 1} --set workload.rate=${rate}/s`,
  }));
  return { offered_ops_per_s: rate, probe, ok: runs.every((r) => r.ok), runs };
}

function variant(label: string, knee: number | null, points: KneePoint[], note?: string): VariantKnee {
  const breach = points.find((p) => !p.ok)?.offered_ops_per_s ?? null;
  return {
    label,
    overrides: [`cluster.sharding.strategy=${label}`],
    knee_ops_per_s: knee,
    breach_ops_per_s: breach,
    ...(note === undefined ? {} : { note }),
    search: { start_ops_per_s: 1000, floor_ops_per_s: 1, cap_ops_per_s: 1_000_000 },
    points,
  };
}

function result(varied: boolean, variants: VariantKnee[]): KneeResult {
  return {
    schema: KNEE_SCHEMA,
    dbsim_version: "0.0.0",
    scenario: "s",
    slo: ["update.p99 < 10ms", "all.error_rate < 1%"],
    seeds: [1, 2],
    precision: 0.05,
    latency_op: latencyOperation(SLOS),
    varied,
    variants,
  };
}

const HASH = variant("hash", 2000, [
  point(1000, 1, [2000, 2100]),
  point(2000, 2, [3000, 9000]),
  point(4000, 3, [2000, 12_000]),
]);
const RANGE = variant(HOSTILE, null, [point(1000, 1, [50_000, 60_000])], "even 1/s ... breaches the SLO");

function plotSpecs(html: string): PlotSpec[] {
  const scripts = [...html.matchAll(/<script type="application\/json" class="plot-data">(.*?)<\/script>/gs)];
  return scripts.map((m) => JSON.parse(m[1] as string) as PlotSpec);
}

describe("the knee's result", () => {
  it("records the p50 of the first latency SLO's operation, else all", () => {
    expect(latencyOperation(SLOS)).toBe("update");
    expect(latencyOperation([parseSlo("throughput > 10/s")])).toBe("all");
  });

  it("holds one knee at the top of knee.json, or with --vary one per variant", () => {
    const single = kneeJson(result(false, [HASH])) as Record<string, unknown>;
    expect(Object.keys(single)).toEqual([
      "schema",
      "dbsim_version",
      "scenario",
      "slo",
      "seeds",
      "precision",
      "latency_op",
      "knee_ops_per_s",
      "breach_ops_per_s",
      "search",
      "points",
    ]);
    const varied = kneeJson(result(true, [HASH, RANGE])) as { variants: Record<string, unknown>[] };
    expect(varied.variants.map((v) => [v.label, v.knee_ops_per_s, v.note])).toEqual([
      ["hash", 2000, undefined],
      [HOSTILE, null, "even 1/s ... breaches the SLO"],
    ]);
    expect("knee_ops_per_s" in varied).toBe(false);
  });

  it("gives an interrupted search's bracket so far, a null knee, and how to go on last", () => {
    const points = [
      point(1000, 1, [2000, 2100]),
      point(4000, 3, [2000, 12_000]),
      point(2000, 2, [3000, 9000]),
    ];
    const bracket = kneeBracket(points);
    expect(bracket).toEqual({ met_ops_per_s: 2000, breached_ops_per_s: 4000 });
    expect(bracketNote(bracket)).toBe(
      "the search was interrupted; so far the knee is at least 2000/s and below 4000/s",
    );
    expect(bracketNote(kneeBracket([]))).toBe("the search was interrupted; so far no rate was probed");
    expect(bracketNote(kneeBracket(points.slice(1, 2)))).toBe(
      "the search was interrupted; so far the knee is below 4000/s",
    );
    const cut: VariantKnee = { ...variant("hash", null, points, bracketNote(bracket)), bracket };
    const interrupted = {
      ...result(false, [{ ...cut, breach_ops_per_s: null }]),
      interrupted: true as const,
    };
    const json = kneeJson({ ...interrupted, resume: "npx dbsim knee s.yaml --resume" }) as Record<
      string,
      unknown
    >;
    expect(Object.keys(json).slice(-2)).toEqual(["interrupted", "resume"]);
    expect(json).toMatchObject({
      knee_ops_per_s: null,
      breach_ops_per_s: null,
      resume: "npx dbsim knee s.yaml --resume",
    });
    expect(kneeText(interrupted, SLOS)).toContain(
      "\nno knee yet: the search was interrupted; so far the knee is at least 2000/s and below 4000/s\n",
    );
  });

  it("prints each variant's knee and its points, every seed's SLO figures in the SLO's unit", () => {
    const text = kneeText(result(true, [HASH, RANGE]), SLOS);
    expect(text).toContain(
      "dbsim knee: s, SLO update.p99 < 10ms and all.error_rate < 1%, seeds 1..2, precision 5%\n",
    );
    expect(text).toContain("a rate meets the SLO when every seed's run meets every --slo");
    expect(text).toContain("\nhash: knee 2000 ops/s (4000/s breached)\n");
    expect(text).toMatch(/ {6}2000 {2}yes .*3\.00ms 9\.00ms .*0% 0% .*2000\.0 {2}<- knee\n/);
    expect(text).toContain("  see the knee: npx dbsim run s.yaml --seed 1 --set workload.rate=2000/s\n");
    expect(text).toContain(`\n${HOSTILE}: no knee: even 1/s ... breaches the SLO\n`);
  });

  it("draws each SLO and achieved throughput against the offered rate, the bound and the knees marked", () => {
    const html = renderKneeHtml(result(true, [HASH, RANGE]), SLOS);
    expect(html).not.toContain(HOSTILE);
    const [latency, errors, achieved] = plotSpecs(html) as [PlotSpec, PlotSpec, PlotSpec];
    expect(latency).toMatchObject({ kind: "load", yUnit: "us", yLog: true, x: [1000, 2000, 4000] });
    // The worst seed decides; p50 is the median over seeds; the bound is a flat line.
    expect(latency.series.map((s) => [s.label, s.values])).toEqual([
      ["hash: update.p99", [2100, 9000, 12_000]],
      ["hash: update.p50", [512.5, 1500, 1750]],
      [`${HOSTILE}: update.p99`, [60_000, null, null]],
      [`${HOSTILE}: update.p50`, [13_750, null, null]],
      ["SLO < 10ms", [10_000, 10_000, 10_000]],
    ]);
    expect(latency.markers).toEqual([
      { at_s: 2000, kind: "knee", label: "hash: knee 2000/s", color: "#1f77b4" },
    ]);
    // A ratio is drawn in percent, without p50.
    expect(errors).toMatchObject({ yUnit: "number", yLabel: "all.error_rate (%)" });
    expect(errors.series.map((s) => s.label)).toEqual([
      "hash: all.error_rate",
      `${HOSTILE}: all.error_rate`,
      "SLO < 1%",
    ]);
    expect(errors.series[2]?.values).toEqual([1, 1, 1]);
    expect(achieved.series.map((s) => [s.label, s.values])).toEqual([
      ["hash: achieved", [1000, 2000, 3000]],
      [`${HOSTILE}: achieved`, [1000, null, null]],
      ["achieved = offered", [1000, 2000, 4000]],
    ]);
    // The tables read without JavaScript: the knees, then every rate probed per variant.
    expect(html).toContain('<th scope="row">hash</th><td>2000</td><td>4000</td>');
    expect(html).toContain('<span class="verdict-false">breached</span>');
    expect(html).toContain("<code>npx dbsim run s.yaml --seed 1 --set workload.rate=2000/s</code>");
  });
});
