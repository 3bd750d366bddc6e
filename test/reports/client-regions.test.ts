// report.json `client_regions` from the latency recorder, and the summary's line per region.

import { describe, expect, it } from "vitest";
import { clientRegionLines, clientRegionsReport } from "../../reports/client-regions.js";
import { LatencyRecorder } from "../../reports/latency.js";
import type { Report } from "../../reports/report-schema.js";
import { completedOperation as op } from "./completed-operation.js";

describe("client_regions", () => {
  it("gives each client region's ok operations and latency, regions in the order given", () => {
    const latency = new LatencyRecorder();
    latency.onOperation(op({ client_region: "eu-west", op: "update", latency_us: 2_000 }));
    latency.onOperation(op({ client_region: "eu-west", latency_us: 1_360 }));
    latency.onOperation(op({ client_region: "eu-west", result: "fail", error: "timeout" }));
    latency.onOperation(op({ client_region: "eu-west", latency_us: 1, measured: false }));
    latency.onOperation(op({ client_region: null, latency_us: 5 }));
    const report = clientRegionsReport(latency, ["us-west", "eu-west"]);
    expect(report).toEqual({
      "us-west": {},
      "eu-west": {
        read: { ok: 1, latency_us: { p50: 1_360, p99: 1_360, max: 1_360 } },
        update: { ok: 1, latency_us: { p50: 2_000, p99: 2_000, max: 2_000 } },
        all: { ok: 2, latency_us: { p50: 1_360, p99: 2_000, max: 2_000 } },
      },
    });
    expect(clientRegionLines({ client_regions: report } as Report)).toEqual([
      "clients in us-west, p50/p99/max: no ok operations",
      "clients in eu-west, p50/p99/max: read 1.36ms/1.36ms/1.36ms, update 2.00ms/2.00ms/2.00ms, all 1.36ms/2.00ms/2.00ms",
    ]);
    expect(clientRegionLines({} as Report)).toEqual([]);
  });
});
