import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { MetricsSnapshot } from "../../../reports/metrics/exposition.js";
import { type MetricsEndpoint, serveMetrics } from "../../../reports/metrics/server.js";

const SNAPSHOT: MetricsSnapshot = [
  {
    name: "dbsim_ops_total",
    help: "ops",
    type: "counter",
    aggregator: "sum",
    values: [{ value: 2, labels: { run: "r" } }],
  },
];

describe("the live metrics endpoint", () => {
  let endpoint: MetricsEndpoint | null = null;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = null;
  });

  it("serves the snapshot at /metrics in the format the Accept header asks for", async () => {
    endpoint = await serveMetrics({ host: "127.0.0.1", port: 0, snapshot: async () => SNAPSHOT });
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/metrics`);
    const text = await fetch(endpoint.url);
    expect(text.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await text.text()).toBe(
      '# HELP dbsim_ops_total ops\n# TYPE dbsim_ops_total counter\ndbsim_ops_total{run="r"} 2\n',
    );
    const om = await fetch(endpoint.url, {
      headers: { accept: "application/openmetrics-text;version=1.0.0" },
    });
    expect(om.headers.get("content-type")).toBe("application/openmetrics-text; version=1.0.0; charset=utf-8");
    expect(await om.text()).toBe(
      '# HELP dbsim_ops ops\n# TYPE dbsim_ops counter\ndbsim_ops_total{run="r"} 2\n# EOF\n',
    );
    expect(endpoint.scrapes).toBe(2);
    expect((await fetch(endpoint.url.replace("/metrics", "/nope"))).status).toBe(404);
    expect((await fetch(endpoint.url, { method: "POST" })).status).toBe(405);
  });

  it("answers 500 when the snapshot cannot be taken", async () => {
    endpoint = await serveMetrics({
      host: "127.0.0.1",
      port: 0,
      snapshot: async () => {
        throw new Error("boom");
      },
    });
    const response = await fetch(endpoint.url);
    expect(response.status).toBe(500);
    expect(await response.text()).toContain("boom");
  });

  it("rejects with EADDRINUSE when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveMetrics({ host: "127.0.0.1", port, snapshot: async () => [] })).rejects.toMatchObject(
        {
          code: "EADDRINUSE",
        },
      );
    } finally {
      blocker.close();
    }
  });
});
