import { describe, expect, it } from "vitest";
import { Database } from "../../../../engine/query/database.js";
import { SchemaError } from "../../../../engine/query/errors.js";
import type { Query } from "../../../../engine/query/query.js";
import { Rng } from "../../../../sim/rng.js";
import {
  DEFAULT_EPOCH_US,
  DOMAIN_TYPES,
  type DomainType,
  type DomainWorkload,
  loadInitialData,
  pickWeighted,
  sampleQueries,
} from "../../../../workloads/generators/domain/domain.js";
import {
  createDomainWorkload,
  DOMAIN_KNOBS,
  DOMAIN_TEMPLATES,
} from "../../../../workloads/generators/domain/registry.js";

const SMALL: Record<DomainType, Record<string, number>> = {
  ecommerce: { customers: 50, products: 20, orders_per_customer: 4 },
  social: { users: 40, posts_per_user: 3, comments_per_post: 2 },
  timeseries: { devices: 8, points_per_device: 60 },
};

function loaded(workload: DomainWorkload, seed: number, indexed: boolean): Database {
  const db = new Database({ tables: workload.tables, indexes: indexed ? workload.suggested_indexes : [] });
  loadInitialData(db, workload, Rng.fromSeed(seed).split("data"));
  return db;
}

function draw(
  workload: DomainWorkload,
  rng: Rng,
  n: number,
  step_us = 2000,
): { template: string; query: Query }[] {
  return Array.from({ length: n }, (_, i) => workload.next(rng, i * step_us));
}

describe.each(DOMAIN_TYPES)("the %s workload", (type) => {
  it("generates the same data and queries from the same seed, other ones from another", () => {
    const rows = (seed: number) => [
      ...createDomainWorkload(type, SMALL[type]).initialData(Rng.fromSeed(seed)),
    ];
    expect(rows(1)).toEqual(rows(1));
    expect(rows(1)).not.toEqual(rows(2));
    const queries = (seed: number) => draw(createDomainWorkload(type, SMALL[type]), Rng.fromSeed(seed), 300);
    expect(queries(1)).toEqual(queries(1));
    expect(queries(1)).not.toEqual(queries(2));
  });

  it("every query runs; with and without the suggested indexes the results are the same", () => {
    const workload = createDomainWorkload(type, SMALL[type]);
    const indexed = loaded(workload, 3, true);
    const plain = loaded(workload, 3, false);
    expect(indexed.rows(workload.tables[0]?.name as string)).toEqual(
      plain.rows(workload.tables[0]?.name as string),
    );
    const seen = new Set<string>();
    for (const { template, query } of draw(workload, Rng.fromSeed(4), 1500)) {
      seen.add(template);
      const a = indexed.execute(query);
      const b = plain.execute(query);
      expect(a.status, `${template}: ${a.plan.text}`).toBe("ok");
      expect(b.status).toBe("ok");
      expect(a.rows, `${template}: ${a.plan.text} vs ${b.plan.text}`).toEqual(b.rows);
      expect(a.affected).toBe(b.affected);
    }
    expect([...seen].sort()).toEqual(workload.templates.map((t) => t.name).sort());
    indexed.checkConsistency();
    for (const table of workload.tables) expect(indexed.rows(table.name)).toEqual(plain.rows(table.name));
  });

  it("every read template is served by a suggested index or the primary key (no full scans)", () => {
    const workload = createDomainWorkload(type, SMALL[type]);
    const db = loaded(workload, 5, true);
    for (const { template, query } of draw(workload, Rng.fromSeed(6), 400)) {
      const plan = db.plan(query);
      if (plan.access !== null) expect(plan.access.access, `${template}: ${plan.text}`).not.toBe("TableScan");
    }
  });

  it("draws templates by the mix, and the mix knob overrides it", () => {
    const workload = createDomainWorkload(type, SMALL[type]);
    const counts = new Map<string, number>();
    const n = 6000;
    for (const { template } of draw(workload, Rng.fromSeed(8), n))
      counts.set(template, (counts.get(template) ?? 0) + 1);
    for (const t of workload.templates)
      expect(Math.abs((counts.get(t.name) ?? 0) / n - t.weight), t.name).toBeLessThan(0.025);
    const only = DOMAIN_TEMPLATES[type][0]?.name as string;
    // A given mix replaces the default one: the templates it leaves out are not drawn.
    const single = createDomainWorkload(type, { ...SMALL[type], mix: { [only]: 2 } });
    expect(new Set(draw(single, Rng.fromSeed(9), 200).map((q) => q.template))).toEqual(new Set([only]));
    expect(single.mix[only]).toBe(1);
  });

  it("samples one query per template, for EXPLAIN without a run", () => {
    const workload = createDomainWorkload(type, SMALL[type]);
    const db = loaded(workload, 5, true);
    const sample = sampleQueries(createDomainWorkload(type, SMALL[type]), Rng.fromSeed(10));
    expect(sample.map((q) => q.template)).toEqual(workload.templates.map((t) => t.name));
    for (const { query } of sample) expect(db.explain(query)).toMatch(/^[A-Z]/);
  });

  it("documents every knob with a default inside its range", () => {
    const workload = createDomainWorkload(type);
    for (const [name, spec] of Object.entries(DOMAIN_KNOBS[type])) {
      expect(spec.description.length, name).toBeGreaterThan(10);
      expect(workload.knobs[name]).toBe(spec.default);
      expect(spec.default).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
    }
    expect(workload.templates.reduce((s, t) => s + t.weight, 0)).toBeCloseTo(1, 12);
  });
});

describe("domain workload knobs", () => {
  it("reject unknown knobs, values out of range and unknown templates, naming the knob", () => {
    const error = (knobs: Record<string, unknown>) => {
      try {
        createDomainWorkload("ecommerce", knobs);
      } catch (e) {
        if (e instanceof SchemaError) return e.withPrefix(["workload"]).message;
        throw e;
      }
      return "no error";
    };
    expect(error({ customer: 10 })).toBe(
      "workload.customer: unknown knob (knobs: customers, products, orders_per_customer, items_per_order, history_days, status_window_days, recent_limit, mix)",
    );
    expect(error({ customers: 0 })).toBe("workload.customers: expected a number in 1..10000000, got 0");
    expect(error({ items_per_order: 2.5 })).toBe("workload.items_per_order: expected an integer, got 2.5");
    expect(error({ mix: { checkout: 1 } })).toBe(
      "workload.mix.checkout: unknown template (templates: orders_by_customer, recent_orders_by_customer, orders_by_status_in_range, new_order, update_order_status)",
    );
    expect(error({ mix: Object.fromEntries(DOMAIN_TEMPLATES.ecommerce.map((t) => [t.name, 0])) })).toBe(
      "workload.mix: at least one template needs a positive weight",
    );
  });

  it("new rows are stamped with the run's virtual time", () => {
    const workload = createDomainWorkload("timeseries", {
      ...SMALL.timeseries,
      mix: { record_measurement: 1 },
    });
    const { query } = workload.next(Rng.fromSeed(1), 5_000_000);
    expect(query).toMatchObject({ kind: "insert", rows: [{ ts: DEFAULT_EPOCH_US + 5_000_000 }] });
    // The same device at the same instant still gets a distinct key.
    const stamps = new Set<number>();
    const rng = Rng.fromSeed(2);
    for (let i = 0; i < 200; i++) {
      const { query: q } = workload.next(rng, 6_000_000);
      if (q.kind !== "insert") throw new Error(`expected an insert, got ${q.kind}`);
      const row = q.rows[0] as { device_id: number; ts: number };
      const key = row.device_id * 1e9 + (row.ts - DEFAULT_EPOCH_US);
      expect(stamps.has(key)).toBe(false);
      stamps.add(key);
    }
  });

  it("pickWeighted follows the weights and never picks a zero weight", () => {
    const rng = Rng.fromSeed(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      const pick = pickWeighted(rng, [1, 0, 3]);
      counts[pick] = (counts[pick] ?? 0) + 1;
    }
    expect(counts[1]).toBe(0);
    expect(Math.abs((counts[2] as number) / 3000 - 0.75)).toBeLessThan(0.04);
  });
});
