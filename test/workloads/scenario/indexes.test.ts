import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadError, loadErrorMessage } from "./helpers.js";

const source = { sourceName: "s.yaml" };
const ORDERS_COLUMNS = "id, customer_id, status, created_at, total";

/** An ecommerce scenario with `indexes` (flow YAML) as cluster.indexes. */
const withIndexes = (indexes: string) =>
  `name: x\nworkload: { type: ecommerce }\ncluster: { indexes: ${indexes} }\n`;

describe("cluster.indexes", () => {
  it("resolves, with kind and include filled in, beside the domain workload's knobs", () => {
    const { doc, resolved } = loadScenario(
      `name: x
workload: { type: ecommerce, ecommerce: { customers: 50, mix: { orders_by_customer: 3, new_order: 1 } } }
cluster:
  indexes:
    - { name: by_customer, table: orders, columns: [customer_id, created_at] }
    - { name: by_status, table: orders, columns: [status], kind: hash, include: [total] }
`,
    );
    expect(resolved.cluster.indexes).toEqual([
      {
        name: "by_customer",
        table: "orders",
        columns: ["customer_id", "created_at"],
        kind: "btree",
        include: [],
      },
      { name: "by_status", table: "orders", columns: ["status"], kind: "hash", include: ["total"] },
    ]);
    expect(resolved.workload.domain).toEqual({
      type: "ecommerce",
      knobs: {
        customers: 50,
        products: 200,
        orders_per_customer: 10,
        items_per_order: 4,
        history_days: 90,
        status_window_days: 7,
        recent_limit: 10,
        mix: {
          orders_by_customer: 3,
          recent_orders_by_customer: 0,
          orders_by_status_in_range: 0,
          new_order: 1,
          update_order_status: 0,
        },
      },
    });
    // The document with its defaults is itself a scenario meaning the same thing.
    expect(loadScenario(JSON.stringify(doc)).resolved).toEqual(resolved);
    expect(loadScenario("name: x\n").resolved.workload.domain).toBeNull();
  });

  it.each([
    [
      "[{ name: a, table: order, columns: [id] }]",
      "cluster.indexes.0.table: unknown table 'order' (tables: customers, products, orders, order_items)",
    ],
    [
      "[{ name: a, table: orders, columns: [customer_id] }, { name: b, table: orders, columns: [status] }, { name: c, table: orders, columns: [foo] }]",
      `cluster.indexes.2.columns.0: unknown column 'foo' of table orders (columns: ${ORDERS_COLUMNS})`,
    ],
    [
      "[{ name: a, table: orders, columns: [] }]",
      "cluster.indexes.0.columns: index a needs at least one column",
    ],
    [
      "[{ name: a, table: orders, columns: [id] }, { name: a, table: customers, columns: [id] }]",
      "cluster.indexes.1.name: duplicate index name 'a' (also index 0)",
    ],
    [
      "[{ name: a, table: orders, columns: [id], kind: bitmap }]",
      'cluster.indexes.0.kind: expected one of btree, hash (got "bitmap")',
    ],
    [
      "[{ name: a, table: orders, columns: [id], include: [nope] }]",
      `cluster.indexes.0.include.0: unknown column 'nope' of table orders (columns: ${ORDERS_COLUMNS})`,
    ],
    [
      "[{ name: a, table: orders, columns: [status, status] }]",
      "cluster.indexes.0.columns.1: column 'status' appears twice in the index's columns",
    ],
    [
      "[{ name: 1a, table: orders, columns: [id] }]",
      'cluster.indexes.0.name: an index name must be letters, digits and _ (not starting with a digit), got "1a"',
    ],
    ["[{ name: a, table: orders }]", "cluster.indexes.0.columns: required"],
  ])("%s: %s", (indexes, message) => {
    expect(loadErrorMessage(withIndexes(indexes))).toBe(message);
  });

  it("names the file position and the path of a bad index, as every scenario error does", () => {
    const error = loadError(
      `name: x
workload: { type: ecommerce }
cluster:
  indexes:
    - { name: ok, table: orders, columns: [customer_id] }
    - { name: bad, table: orders, columns: [customer, status] }
`,
      source,
    );
    expect(error.message).toBe(
      `s.yaml:6:45: cluster.indexes.1.columns.0: unknown column 'customer' of table orders (columns: ${ORDERS_COLUMNS})`,
    );
    expect(error.path).toBe("cluster.indexes.1.columns.0");
    expect(error.line).toBe(6);
  });

  it("names the --set that brought a bad index", () => {
    expect(
      loadErrorMessage("name: x\nworkload: { type: social }\n", {
        overrides: ["cluster.indexes=[{name: a, table: posts, columns: [author]}]"],
      }),
    ).toBe(
      "--set cluster.indexes=[{name: a, table: posts, columns: [author]}]: cluster.indexes.0.columns.0: " +
        "unknown column 'author' of table posts (columns: id, author_id, created_at, title, likes)",
    );
  });

  it.each(["ycsb", "bank"])("needs a domain workload: not %s", (type) => {
    expect(
      loadErrorMessage(
        `name: x\nworkload: { type: ${type} }\ncluster: { indexes: [{ name: a, table: t, columns: [c] }] }\n`,
      ),
    ).toBe(
      `cluster.indexes: indexes need a workload with tables (workload.type ecommerce, social or timeseries); workload.type ${type} has none`,
    );
  });
});

describe("domain workloads", () => {
  it.each([
    [
      "workload: { type: ecommerce }\ncluster: { shards: 2 }",
      "cluster.shards: workload.type ecommerce needs cluster.shards: 1 (its queries are not routed across shards) (got 2)",
    ],
    [
      "workload: { type: ecommerce }\ncluster: { sharding: { max_shards: 2 } }",
      "cluster.sharding.max_shards: workload.type ecommerce runs on one shard: no spare shards",
    ],
    [
      "workload: { type: social }\nchanges: [{ at: 1s, kind: reshard, shards: 2 }]",
      "changes: workload.type social runs on one shard: no changes of the shard map",
    ],
    [
      "workload: { type: timeseries }\ncluster: { replicas: 2, replication: { mode: multi-leader } }",
      "cluster.replication.mode: workload.type timeseries needs a leader-follower mode (async, semi-sync or sync): " +
        "a query's writes replicate as row changes in log order, which last-writer-wins per key cannot merge",
    ],
    [
      "workload: { type: ecommerce }\nchecks: [linearizable]",
      "checks.0: linearizable does not apply to workload.type ecommerce: its clients run queries, not register or bank operations (remove checks)",
    ],
    [
      "workload: { type: ecommerce }\nchecks: [bank]",
      "checks.0: bank does not apply to workload.type ecommerce: its clients run queries, not register or bank operations (remove checks)",
    ],
    [
      "workload: { type: social }\nfinal_reads: { enabled: true }",
      "final_reads.enabled: final reads read registers or a bank's balances; workload.type social runs queries on tables",
    ],
    [
      "workload: { type: ecommerce, ecommerce: { customers: 0 } }",
      "workload.ecommerce.customers: must be at least 1 (got 0)",
    ],
    [
      "workload: { type: timeseries, timeseries: { interval_s: 1.5 } }",
      "workload.timeseries.interval_s: expected an integer (got 1.5)",
    ],
    [
      "workload: { type: ecommerce, ecommerce: { custumers: 5 } }",
      "workload.ecommerce.custumers: unknown key; allowed keys: customers, products, orders_per_customer, " +
        "items_per_order, history_days, status_window_days, recent_limit, mix",
    ],
    [
      "workload: { type: ecommerce, ecommerce: { mix: { orders_by_customer: 0 } } }",
      "workload.ecommerce.mix: at least one of orders_by_customer, recent_orders_by_customer, " +
        "orders_by_status_in_range, new_order, update_order_status must be more than 0",
    ],
    [
      "workload: { type: social, social: { mix: { feed: 1 } } }",
      "workload.social.mix.feed: unknown key; allowed keys: user_feed, post_comments, new_post, new_comment",
    ],
    [
      "workload: { type: ecommerce, ecommerce: { mix: { new_order: -1 } } }",
      "workload.ecommerce.mix.new_order: must be at least 0 (got -1)",
    ],
  ])("%s: %s", (yaml, message) => {
    expect(loadErrorMessage(`name: x\n${yaml}\n`)).toBe(message);
  });

  it("run on replicated leader-follower shards, reading from followers if asked", () => {
    const { resolved } = loadScenario(
      "name: x\nworkload: { type: timeseries }\ncluster: { replicas: 3, replication: { mode: semi-sync, read_from: follower } }\n",
    );
    expect(resolved.workload.domain?.type).toBe("timeseries");
    expect(resolved.cluster.replication.read_from).toBe("follower");
  });
});
