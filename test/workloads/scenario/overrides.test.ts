import { describe, expect, it } from "vitest";
import { constantRate } from "../../../workloads/client/arrivals.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadError, loadErrorMessage } from "./helpers.js";

const BASE = "name: base\nworkload:\n  preset: b\n  rate: 100/s\n";

const load = (...overrides: string[]) => loadScenario(BASE, { sourceName: "scenarios/base.yaml", overrides });
const overrideError = (...overrides: string[]) =>
  loadError(BASE, { sourceName: "scenarios/base.yaml", overrides });

describe("--set overrides", () => {
  it("set nested values, creating mappings as needed", () => {
    const { doc, resolved } = load("cluster.node.fsync=5ms", "network.latency={dist: constant, value: 1ms}");
    expect(doc.cluster.node.fsync).toBe("5ms");
    expect(resolved.cluster.node.fsync_us).toBe(5_000);
    expect(resolved.network.latency).toEqual({ dist: "constant", value_us: 1_000 });
  });

  it("parse values as YAML flow scalars and collections", () => {
    const { resolved } = load(
      "workload.rate=500/s",
      "cluster.node.fsync_policy=interval:10ms",
      "workload.mix={read: 1, scan: 1}",
      "workload.records=1e3",
      "description='quoted: yes # not a comment'",
    );
    expect(resolved.workload.rate).toEqual(constantRate(500));
    expect(resolved.cluster.node.fsync_policy).toEqual({ kind: "interval", interval_us: 10_000 });
    expect(resolved.workload.mix).toEqual({ read: 0.5, update: 0, insert: 0, scan: 0.5, rmw: 0 });
    expect(resolved.workload.records).toBe(1000);
    expect(resolved.description).toBe("quoted: yes # not a comment");
  });

  it("set one field of a mapping the file gives, keeping the others", () => {
    const text = "name: x\nnetwork:\n  latency: { dist: lognormal, median: 1ms, p99: 9ms }\n";
    const { resolved } = loadScenario(text, { overrides: ["network.latency.p99=20ms"] });
    expect(resolved.network.latency).toEqual({ dist: "lognormal", median_us: 1_000, p99_us: 20_000 });
  });

  it("apply in order, the last one winning", () => {
    expect(load("workload.records=5", "workload.records=6").resolved.workload.records).toBe(6);
  });

  it("can set null to go back to a default meaning (closed loop, the preset's mix)", () => {
    const { doc, resolved } = load("workload.rate=null");
    expect(doc.workload.rate).toBeNull();
    expect(resolved.workload.rate).toBeNull();
  });

  it("treat an empty value as the empty string", () => {
    const text = "name: x\ndescription: something\n";
    expect(loadScenario(text, { overrides: ["description="] }).doc.description).toBe("");
  });

  it("can set the name, which then wins over the fallback name", () => {
    const { doc } = loadScenario("description: x\n", { fallbackName: "file", overrides: ["name=from-set"] });
    expect(doc.name).toBe("from-set");
  });

  it("name themselves in a validation error they cause", () => {
    expect(overrideError("cluster.foo=1").message).toBe(
      "--set cluster.foo=1: cluster.foo: unknown key; allowed keys: shards, sharding, replicas, nodes, range_placement, rebalance, replication, node, indexes, cache, transactions",
    );
    expect(overrideError("workload.records=ten").message).toBe(
      '--set workload.records=ten: workload.records: expected an integer (got "ten")',
    );
    expect(overrideError("workload.rate=0/s").message).toBe(
      '--set workload.rate=0/s: workload.rate: "0/s" is not a rate: it must be more than 0/s',
    );
    expect(overrideError("workload.mix={read: 0}").message).toBe(
      "--set workload.mix={read: 0}: workload.mix: at least one of read, update, insert, scan, rmw must be more than 0",
    );
  });

  it("name themselves for a problem inside a mapping they set", () => {
    expect(overrideError("network.latency={dist: uniform, min: 2ms, max: 1ms}").message).toBe(
      '--set network.latency={dist: uniform, min: 2ms, max: 1ms}: network.latency.max: must be at least min (2ms) (got "1ms")',
    );
  });

  it("parse a future key's value (an empty list) and report the key as unknown", () => {
    const error = overrideError("cluster.caches=[]");
    expect(error.message).toBe(
      "--set cluster.caches=[]: cluster.caches: unknown key; allowed keys: shards, sharding, replicas, nodes, range_placement, rebalance, replication, node, indexes, cache, transactions",
    );
    expect(error.path).toBe("cluster.caches");
  });

  it("report their problems before the file's", () => {
    const text = "name: x\nworkload: { records: 0 }\n";
    const error = loadError(text, { sourceName: "s.yaml", overrides: ["workload.clients=0"] });
    expect(error.problems).toEqual([
      "--set workload.clients=0: workload.clients: must be at least 1 (got 0)",
      "s.yaml:2:22: workload.records: must be at least 1 (got 0)",
    ]);
  });

  describe("numeric segments index lists", () => {
    it("create a list where a missing container is followed by an index", () => {
      expect(overrideError("workload.mix.0=1").message).toBe(
        "--set workload.mix.0=1: workload.mix: expected a mapping (key: value) (got a list)",
      );
    });

    it("set an element of an existing list", () => {
      const text = "name: x\nworkload: { mix: [{}] }\n";
      expect(loadErrorMessage(text, { overrides: ["workload.mix.0.read=1"] })).toBe(
        "--set workload.mix.0.read=1: workload.mix: expected a mapping (key: value) (got a list)",
      );
      expect(
        loadErrorMessage("name: x\nworkload: { mix: [0.5] }\n", { overrides: ["workload.mix.0.read=1"] }),
      ).toBe("--set workload.mix.0.read=1: workload.mix.0 is 0.5, not a mapping or list to set a key in");
    });

    it("may append at the list's length, not past it", () => {
      expect(overrideError("workload.mix.1=1").message).toBe(
        "--set workload.mix.1=1: workload.mix has 0 items: the index must be at most 0",
      );
    });

    it("must be indexes in a list", () => {
      const text = "name: x\nworkload: { mix: [1] }\n";
      expect(loadErrorMessage(text, { overrides: ["workload.mix.read=1"] })).toBe(
        '--set workload.mix.read=1: workload.mix is a list: expected an index, not "read"',
      );
    });
  });

  describe("malformed", () => {
    it.each([
      ["cluster", "--set cluster: expected path=value, e.g. --set workload.rate=500/s"],
      ["", "--set : expected path=value, e.g. --set workload.rate=500/s"],
      ["=1", '--set =1: expected keys separated by "." before "=", e.g. --set cluster.node.fsync=2ms'],
      [
        "a..b=1",
        '--set a..b=1: expected keys separated by "." before "=", e.g. --set cluster.node.fsync=2ms',
      ],
      [".a=1", '--set .a=1: expected keys separated by "." before "=", e.g. --set cluster.node.fsync=2ms'],
      ["a.=1", '--set a.=1: expected keys separated by "." before "=", e.g. --set cluster.node.fsync=2ms'],
      [
        "workload.mix={read: 1",
        "--set workload.mix={read: 1: the value is not valid YAML: Flow map must end with a }",
      ],
      [
        "workload.mix={read: 1, read: 2}",
        "--set workload.mix={read: 1, read: 2}: the value is not valid YAML: Map keys must be unique",
      ],
      ["name.first=x", '--set name.first=x: name is "base", not a mapping or list to set a key in'],
    ])("%j", (override, message) => {
      expect(overrideError(override).message).toBe(message);
    });
  });

  it("keep a value containing '='", () => {
    expect(load("description=a=b").doc.description).toBe("a=b");
  });
});
