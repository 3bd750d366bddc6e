import { describe, expect, it } from "vitest";
import { ape, fitParameters, median, overlayOverrides } from "../../cli/real/calibration.js";
import { fitNonNegative } from "../../cli/real/fit.js";

/** y = 100 x requests + 3 x pages + 2 x rows + 500 x writes, exactly. */
const model = (x: number[]) => 100 * (x[0] ?? 0) + 3 * (x[1] ?? 0) + 2 * (x[2] ?? 0) + 500 * (x[3] ?? 0);
const xs = [
  [1, 3, 0, 0],
  [1, 7, 0, 1],
  [1, 4, 50, 0],
  [1, 23, 10, 0],
  [2, 10, 1, 1],
  [1, 127, 111, 0],
];

describe("the least-squares fit", () => {
  it("recovers the parameters of an exact linear model", () => {
    const fitted = fitNonNegative(xs.map((x) => ({ x, y: model(x) })));
    expect(fitted.map((v) => Math.round((v ?? Number.NaN) * 1000) / 1000)).toEqual([100, 3, 2, 500]);
  });

  it("keeps every parameter non-negative: one that comes out negative is 0 and the others refit", () => {
    // Pages make the time shorter in these data: their coefficient would be negative.
    const data = xs.map((x) => ({ x, y: 200 * (x[0] ?? 0) + 4 * (x[2] ?? 0) - 1 * (x[1] ?? 0) }));
    const fitted = fitNonNegative(data);
    expect(fitted[1]).toBe(0);
    expect(fitted.every((v) => v === null || v >= 0)).toBe(true);
  });

  it("leaves a parameter no observation varies unfitted (null), and holds fixed ones", () => {
    const data = xs.map((x) => ({
      x: [x[0] ?? 0, x[1] ?? 0, 0, x[3] ?? 0],
      y: model([x[0] ?? 0, x[1] ?? 0, 0, x[3] ?? 0]),
    }));
    const fitted = fitNonNegative(data);
    expect(fitted[2]).toBeNull();
    const held = fitNonNegative(data, new Map([[1, 3]]));
    expect(held[1]).toBe(3);
    expect(Math.round(held[0] ?? 0)).toBe(100);
  });

  it("fits service_time beyond the network's round trip, in whole µs, and writes the overlay as --set lines", () => {
    const templates = xs.map((x, i) => ({
      scenario: "s",
      template: `t${i}`,
      charged: { requests: x[0] ?? 0, pages: x[1] ?? 0, rows: x[2] ?? 0, writes: x[3] ?? 0 },
      real: { operations: 100, p50_us: model(x), p99_us: 0 },
    }));
    const parameters = fitParameters(templates, 60);
    expect(parameters).toEqual({
      service_time: 40,
      page_time: 3,
      row_time: 2,
      fsync: 500,
      network_one_way_us: 30,
    });
    expect(overlayOverrides(parameters)).toEqual([
      "cluster.node.service_time=40us",
      "cluster.node.page_time=3us",
      "cluster.node.row_time=2us",
      "cluster.node.fsync=500us",
      "network.latency={dist: constant, value: 30us}",
    ]);
  });

  it("measures errors as absolute percentages and takes their median", () => {
    expect(ape(150, 100)).toBe(50);
    expect(ape(50, 100)).toBe(50);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
