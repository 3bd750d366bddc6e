import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { formatDurationUs } from "../../../engine/settings/units.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import type { ResolvedScenario } from "../../../workloads/scenario/resolve.js";
import type { ScenarioDoc } from "../../../workloads/scenario/schema.js";

const DEFAULT_DOC: ScenarioDoc = {
  name: "x",
  description: "",
  duration: "60s",
  warmup: "0s",
  cluster: {
    shards: 1,
    sharding: {
      strategy: "hash",
      vnodes: 64,
      boundaries: null,
      split_at: null,
      split_load: null,
      max_shards: null,
      routing: "client",
      migration: { batch: 256, pause: "5ms" },
    },
    replicas: 1,
    replication: {
      mode: "async",
      read_from: "leader",
      read_your_writes: false,
      read_consistency: "local",
      max_clock_error: "10ms",
      failover: { enabled: null, detect_after: "1s", fencing: true },
    },
    node: {
      service_time: "50us",
      page_time: "2us",
      row_time: "1us",
      fsync: "1ms",
      fsync_policy: "always",
      queue_limit: 10_000,
      buffer_pool: { pages: 16_384, policy: "lru", prewarm: false },
      disk: {
        read: { dist: "lognormal", median: "100us", p99: "300us" },
        write: { dist: "lognormal", median: "30us", p99: "100us" },
        iops: 200_000,
      },
      btree_fanout: 64,
    },
    indexes: [],
  },
  network: {
    latency: { dist: "lognormal", median: "500us", p99: "5ms" },
    loss: 0,
    duplicate: 0,
    bandwidth: null,
  },
  workload: {
    type: "ycsb",
    bank: { accounts: 8, initial_balance: 100, max_transfer: 5, read_fraction: 0.5, transfer: "transaction" },
    preset: "a",
    mix: null,
    records: 10_000,
    distribution: null,
    field_count: 10,
    field_length: 100,
    scan_length: { min: 1, max: 100 },
    scan_length_distribution: "uniform",
    insert_order: "hashed",
    zero_padding: 1,
    hotspot: { data_fraction: 0.2, ops_fraction: 0.8 },
    zipfian_constant: 0.99,
    exponential: { percentile: 95, frac: 0.8571428571 },
    rate: null,
    arrival: "poisson",
    clients: 32,
    timeout: "2s",
    max_backlog: 100_000,
    ecommerce: {
      customers: 1000,
      products: 200,
      orders_per_customer: 10,
      items_per_order: 4,
      history_days: 90,
      status_window_days: 7,
      recent_limit: 10,
      mix: null,
    },
    social: {
      users: 1000,
      posts_per_user: 5,
      comments_per_post: 3,
      history_days: 30,
      feed_size: 20,
      page_size: 50,
      mix: null,
    },
    timeseries: {
      devices: 100,
      points_per_device: 1000,
      interval_s: 10,
      range_s: 600,
      all_range_s: 10,
      history_s: 3600,
      latest_limit: 10,
      mix: null,
    },
  },
  faults: { schedule: [], random: null },
  changes: [],
  checks: [],
  final_reads: { enabled: null, settle: "5s" },
};

const DEFAULT_RESOLVED: ResolvedScenario = {
  name: "x",
  description: "",
  duration_us: 60_000_000,
  warmup_us: 0,
  cluster: {
    shards: 1,
    provisioned: 1,
    replicas: 1,
    spares: 0,
    ranges: null,
    sharding: {
      strategy: "hash",
      vnodes: 64,
      boundaries: null,
      split_at: null,
      split_load: null,
      max_shards: null,
      routing: "client",
      migration: { batch: 256, pause_us: 5000 },
    },
    replication: {
      mode: "async",
      protocol: null,
      read_from: "leader",
      read_your_writes: false,
      reads: { consistency: "local", max_clock_error_us: 10_000 },
      append_window: 16,
      failover: { enabled: false, detect_after_us: 1_000_000, fencing: true },
    },
    node: {
      service_time_us: 50,
      page_time_us: 2,
      row_time_us: 1,
      fsync_us: 1_000,
      fsync_policy: { kind: "always" },
      queue_limit: 10_000,
      buffer_pool: { pages: 16_384, policy: "lru", prewarm: false },
      disk: {
        read: { dist: "lognormal", median_us: 100, p99_us: 300 },
        write: { dist: "lognormal", median_us: 30, p99_us: 100 },
        iops: 200_000,
        checksums: true,
      },
      btree_fanout: 64,
      connections: { max: 100, setup_us: 200, context_switch_us: 1 },
    },
    indexes: [],
    cache: null,
    transactions: { isolation: "serializable", timeout_us: 5_000_000 },
  },
  network: {
    latency: { dist: "lognormal", median_us: 500, p99_us: 5_000 },
    loss: 0,
    duplicate: 0,
    bandwidth_bytes_per_s: null,
  },
  topology: null,
  workload: {
    type: "ycsb",
    bank: { accounts: 8, initial_balance: 100, max_transfer: 5, read_fraction: 0.5, transfer: "transaction" },
    list_append: {
      key_count: 8,
      max_writes_per_key: 32,
      min_txn_length: 1,
      max_txn_length: 4,
      read_fraction: 0.5,
      key_distribution: "uniform",
      interactive: false,
      retries: 0,
      backoff: "1ms",
    },
    rw_register: {
      key_count: 8,
      max_writes_per_key: 32,
      min_txn_length: 1,
      max_txn_length: 4,
      read_fraction: 0.5,
      key_distribution: "uniform",
      interactive: false,
      retries: 0,
      backoff: "1ms",
    },
    smallbank: { accounts: 1000, hot_accounts: 10, hot_fraction: 0 },
    domain: null,
    preset: "a",
    mix: { read: 0.5, update: 0.5, insert: 0, scan: 0, rmw: 0 },
    records: 10_000,
    distribution: "zipfian",
    field_count: 10,
    field_length: 100,
    scan_length: { min: 1, max: 100 },
    scan_length_distribution: "uniform",
    insert_order: "hashed",
    zero_padding: 1,
    hotspot: { data_fraction: 0.2, ops_fraction: 0.8 },
    zipfian_constant: 0.99,
    exponential: { percentile: 95, frac: 0.8571428571 },
    rate: null,
    arrival: "poisson",
    clients: 32,
    timeout_us: 2_000_000,
    max_backlog: 100_000,
    pool: null,
  },
  changes: [],
  replica_changes: [],
  checks: [],
  liveness: { within_us: 10_000_000 },
  elle: { consistency: "strict-serializable" },
  final_reads: { enabled: false, settle_us: 5_000_000 },
  faults: { schedule: [], random: null },
};

describe("defaults", () => {
  it("fill every field of a document that only names the scenario", () => {
    const { doc, resolved } = loadScenario("name: x\n");
    expect(doc).toStrictEqual(DEFAULT_DOC);
    expect(resolved).toStrictEqual(DEFAULT_RESOLVED);
  });

  it("fill the name from the fallback name when the document has none", () => {
    const { doc } = loadScenario("description: defaults\n", { fallbackName: "x" });
    expect(doc).toStrictEqual({ ...DEFAULT_DOC, description: "defaults" });
  });

  it("prefer the document's name to the fallback name", () => {
    expect(loadScenario("name: mine\n", { fallbackName: "file" }).doc.name).toBe("mine");
  });

  it("fill a partly written mapping field by field", () => {
    const { doc } = loadScenario("name: x\nworkload:\n  scan_length: { max: 10 }\n  mix: { read: 1 }\n");
    expect(doc.workload.scan_length).toStrictEqual({ min: 1, max: 10 });
    expect(doc.workload.mix).toStrictEqual({ read: 1, update: 0, insert: 0, scan: 0, rmw: 0 });
  });

  it("accept the number 0 as a zero duration and keep it as written", () => {
    const { doc, resolved } = loadScenario("name: x\nwarmup: 0\ncluster: { node: { fsync: 0 } }\n");
    expect(doc.warmup).toBe(0);
    expect(resolved.warmup_us).toBe(0);
    expect(resolved.cluster.node.fsync_us).toBe(0);
  });
});

/** Load `text`, write its document back out with `write`, load that: the same document and resolution. */
function expectRoundTrip(text: string, write: (doc: ScenarioDoc) => string): void {
  const first = loadScenario(text);
  const second = loadScenario(write(first.doc));
  expect(second.doc).toStrictEqual(first.doc);
  expect(second.resolved).toStrictEqual(first.resolved);
}

const writeYaml = (doc: ScenarioDoc) => stringify(doc);
const writeJson = (doc: ScenarioDoc) => JSON.stringify(doc, null, 2);

describe("round trip: the document with its defaults is a scenario meaning the same thing", () => {
  const scenarios = [
    "name: x\n",
    "name: x\nwarmup: 0\n",
    "name: b.2_x-y\ndescription: 'quoted: text # not a comment'\nduration: 1.5s\nwarmup: 500ms\n",
    "name: x\ncluster: { node: { fsync_policy: 'interval:10ms', queue_limit: 1, btree_fanout: 4 } }\n",
    "name: x\nnetwork: { latency: { dist: constant, value: 0 } }\n",
    "name: x\nnetwork: { latency: { dist: uniform, min: 1ms, max: 1ms } }\n",
    "name: x\nnetwork: { latency: { dist: exponential, mean: 250us } }\n",
    "name: x\nnetwork: { latency: { dist: normal, mean: 1ms, stddev: 100us } }\n",
    "name: x\nnetwork: { latency: { dist: pareto, scale: 100us, shape: 1.5 } }\n",
    "name: x\nworkload: { preset: d, rate: 2.5k/s, arrival: constant, mix: { scan: 0.25 } }\n",
    "name: x\nworkload: { distribution: hotspot, hotspot: { data_fraction: 1, ops_fraction: 0 } }\n",
  ];
  it.each(scenarios)("YAML: %j", (text) => expectRoundTrip(text, writeYaml));
  it.each(scenarios)("JSON: %j", (text) => expectRoundTrip(text, writeJson));

  const duration = (min_us: number) =>
    fc.integer({ min: min_us, max: 3_600_000_000 }).map((us) => formatDurationUs(us));
  const latency = fc.oneof(
    fc.record({ dist: fc.constant("constant"), value: duration(0) }),
    fc.record({ dist: fc.constant("exponential"), mean: duration(1) }),
    fc.record({ dist: fc.constant("normal"), mean: duration(0), stddev: duration(0) }),
    fc.record({
      dist: fc.constant("pareto"),
      scale: duration(1),
      shape: fc.double({ min: 0.01, max: 20, noNaN: true }),
    }),
  );
  const share = fc.double({ min: 0, max: 1, noNaN: true });
  const scenario = fc.record(
    {
      name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
      description: fc.string(),
      duration: duration(1),
      warmup: duration(0),
      cluster: fc.record({
        node: fc.record({ fsync: duration(0), queue_limit: fc.integer({ min: 1, max: 1_000_000 }) }),
      }),
      network: fc.record({ latency }),
      workload: fc.record(
        {
          preset: fc.constantFrom("a", "b", "c", "d", "e", "f"),
          mix: fc.record({ read: fc.constant(1), update: share, scan: share }),
          rate: fc.integer({ min: 1, max: 1_000_000 }).map((perS) => `${perS}/s`),
          zipfian_constant: fc.double({ min: 0.01, max: 0.999, noNaN: true }),
          timeout: duration(1),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ["name"] },
  );

  it("holds for generated scenarios", () => {
    fc.assert(
      fc.property(scenario, (input) => {
        expectRoundTrip(stringify(input), writeYaml);
        expectRoundTrip(JSON.stringify(input), writeJson);
      }),
    );
  });
});
