// Index maintenance and query results under random writes, against a naive model: a list of rows
// evaluated by full scans. Three databases run side by side: one with many indexes (B+tree, hash,
// composite, covering), one without indexes, and a replica that only applies the first one's
// change records. After every step: every index agrees with its table, the statistics with a
// recount, and all three hold the model's rows; every query returns what the naive evaluation does.
// Every access path and outcome is reached by commands built for it (not left to chance); the
// random commands (from the fixed seed of test/setup.ts) are for the invariants.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Database, type ExecResult, type RowChange } from "../../../engine/query/database.js";
import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { ACCESS_KINDS } from "../../../engine/query/planner.js";
import {
  type Aggregate,
  type CompareOp,
  type Condition,
  eq,
  gt,
  lt,
  type OrderTerm,
  type Query,
  type SelectQuery,
  type WriteQuery,
} from "../../../engine/query/query.js";
import type { Row, TableSchema, Value } from "../../../engine/query/schema.js";

const TABLE: TableSchema = {
  name: "t",
  columns: [
    { name: "a", type: "int" },
    { name: "b", type: "string" },
    { name: "c", type: "int" },
    { name: "d", type: "string" },
    { name: "e", type: "float" },
    { name: "f", type: "bool" },
    { name: "g", type: "timestamp" },
  ],
  primary_key: ["a", "b"],
};
const COLUMNS = TABLE.columns.map((c) => c.name);
const NON_KEY = ["c", "d", "e", "f", "g"];

const INDEXES: IndexDefinition[] = [
  { name: "i_c", table: "t", columns: ["c"] },
  { name: "i_dc", table: "t", columns: ["d", "c"], include: ["e"] },
  { name: "h_cd", table: "t", columns: ["c", "d"], kind: "hash" },
  { name: "h_f", table: "t", columns: ["f"], kind: "hash" },
  { name: "i_ge", table: "t", columns: ["g", "e"] },
  { name: "i_e", table: "t", columns: ["e"], include: ["g"] },
  { name: "h_b", table: "t", columns: ["b"], kind: "hash", include: ["c"] },
  { name: "i_ba", table: "t", columns: ["b", "a"], include: ["f"] },
];

// Strings that exercise the key encoding: empty, prefixes, an escaped NUL.
const B_VALUES = ["", "a", "b", "ab", "a\u0000", "\u0000", "ba"];
const D_VALUES = ["x", "y", "z", "xy", ""];
const E_VALUES = [-2.5, -1, 0, 0.5, 1, 2.25];

const valueArb: Record<string, fc.Arbitrary<Value>> = {
  a: fc.integer({ min: 0, max: 5 }),
  b: fc.constantFrom(...B_VALUES),
  c: fc.integer({ min: -2, max: 4 }),
  d: fc.constantFrom(...D_VALUES),
  e: fc.constantFrom(...E_VALUES),
  f: fc.boolean(),
  g: fc.integer({ min: 0, max: 20 }),
};

const rowArb: fc.Arbitrary<Row> = fc.record(valueArb as Record<string, fc.Arbitrary<Value>>);

const conditionArb: fc.Arbitrary<Condition> = fc
  .tuple(fc.constantFrom(...COLUMNS), fc.constantFrom<CompareOp>("=", "=", "<", "<=", ">", ">="))
  .chain(([column, op]) => (valueArb[column] as fc.Arbitrary<Value>).map((value) => ({ column, op, value })));

const whereArb = fc.array(conditionArb, { maxLength: 3 });

const orderArb: fc.Arbitrary<OrderTerm[]> = fc.array(
  fc.record({
    column: fc.constantFrom(...COLUMNS),
    direction: fc.constantFrom<"asc" | "desc">("asc", "desc"),
  }),
  { maxLength: 3 },
);

const setArb: fc.Arbitrary<Row> = fc
  .subarray(NON_KEY, { minLength: 1 })
  .chain((cols) =>
    fc
      .tuple(...cols.map((c) => valueArb[c] as fc.Arbitrary<Value>))
      .map((vals): Row => Object.fromEntries(cols.map((c, i) => [c, vals[i] as Value]))),
  );

const insertArb: fc.Arbitrary<WriteQuery> = fc
  .array(rowArb, { minLength: 1, maxLength: 3 })
  .map((rows) => ({ kind: "insert", table: "t", rows }));
const updateArb: fc.Arbitrary<WriteQuery> = fc
  .tuple(whereArb, setArb)
  .map(([where, set]) => ({ kind: "update", table: "t", where, set }));
const deleteArb: fc.Arbitrary<WriteQuery> = fc
  .array(conditionArb, { minLength: 1, maxLength: 2 })
  .map((where) => ({ kind: "delete", table: "t", where }));

const selectArb: fc.Arbitrary<Query> = fc.oneof(
  fc
    .record({
      where: whereArb,
      order_by: orderArb,
      limit: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
      columns: fc.option(fc.subarray(COLUMNS, { minLength: 1 }), { nil: undefined }),
    })
    .map((r) => ({
      kind: "select" as const,
      table: "t",
      where: r.where,
      order_by: r.order_by,
      ...(r.limit === undefined ? {} : { limit: r.limit }),
      ...(r.columns === undefined ? {} : { columns: r.columns }),
    })),
  fc
    .tuple(
      whereArb,
      fc.subarray<Aggregate>([{ fn: "count" }, { fn: "sum", column: "e" }, { fn: "sum", column: "c" }], {
        minLength: 1,
      }),
    )
    .map(([where, aggregates]) => ({ kind: "select" as const, table: "t", where, aggregates })),
  fc
    .tuple(valueArb.a as fc.Arbitrary<Value>, valueArb.b as fc.Arbitrary<Value>)
    .map(([a, b]) => ({ kind: "get" as const, table: "t", key: { a, b } })),
);

type Command = { kind: "query"; query: Query } | { kind: "revert" };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: insertArb.map((query) => ({ kind: "query" as const, query })) },
  { weight: 3, arbitrary: updateArb.map((query) => ({ kind: "query" as const, query })) },
  { weight: 2, arbitrary: deleteArb.map((query) => ({ kind: "query" as const, query })) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(insertArb, updateArb, deleteArb), { minLength: 2, maxLength: 3 })
      .map((queries) => ({ kind: "query" as const, query: { kind: "batch" as const, queries } })),
  },
  { weight: 5, arbitrary: selectArb.map((query) => ({ kind: "query" as const, query })) },
  { weight: 1, arbitrary: fc.constant({ kind: "revert" as const }) },
);

// ---------------------------------------------------------------------------------------------
// The naive model.

const cmp = (x: Value, y: Value): number => (x < y ? -1 : x > y ? 1 : 0);
const pkOf = (row: Row) => JSON.stringify([row.a, row.b]);

function holds(row: Row, c: Condition): boolean {
  const v = row[c.column] as Value;
  switch (c.op) {
    case "=":
      return v === c.value;
    case "<":
      return v < c.value;
    case "<=":
      return v <= c.value;
    case ">":
      return v > c.value;
    case ">=":
      return v >= c.value;
  }
}

class Model {
  rows: Row[] = [];

  matching(where: readonly Condition[] = []): Row[] {
    return this.rows.filter((row) => where.every((c) => holds(row, c)));
  }

  /** Runs a write; returns its status and the rows it touched, changing nothing unless ok. */
  write(query: Query): { status: string; affected: number } {
    const before = this.rows;
    const steps = query.kind === "batch" ? query.queries : [query as WriteQuery];
    let affected = 0;
    for (const step of steps) {
      if (step.kind === "insert") {
        for (const row of step.rows) {
          if (this.rows.some((r) => pkOf(r) === pkOf(row))) {
            this.rows = before;
            return { status: "duplicate_key", affected: 0 };
          }
          this.rows = [...this.rows, row];
          affected++;
        }
      } else if (step.kind === "update") {
        const hit = new Set(this.matching(step.where));
        this.rows = this.rows.map((r) => (hit.has(r) ? { ...r, ...step.set } : r));
        affected += hit.size;
      } else {
        const hit = new Set(this.matching(step.where));
        this.rows = this.rows.filter((r) => !hit.has(r));
        affected += hit.size;
      }
    }
    return { status: "ok", affected };
  }

  sortedByKey(): Row[] {
    return [...this.rows].sort((x, y) => cmp(x.a as Value, y.a as Value) || cmp(x.b as Value, y.b as Value));
  }

  /** The documented result order: the ORDER BY terms, then the primary key in the last term's direction. */
  ordered(rows: Row[], order: readonly OrderTerm[]): Row[] {
    const lastDesc = order[order.length - 1]?.direction === "desc";
    const terms = [
      ...order.map((o) => ({ column: o.column, desc: o.direction === "desc" })),
      { column: "a", desc: lastDesc },
      { column: "b", desc: lastDesc },
    ];
    return [...rows].sort((x, y) => {
      for (const t of terms) {
        const c = cmp(x[t.column] as Value, y[t.column] as Value);
        if (c !== 0) return t.desc ? -c : c;
      }
      return 0;
    });
  }
}

function project(row: Row, columns: readonly string[] | undefined): Row {
  return columns === undefined ? row : Object.fromEntries(columns.map((c) => [c, row[c] as Value]));
}

const canonical = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

function checkRead(query: Query, result: ExecResult, model: Model, where: string): void {
  if (query.kind === "get") {
    const row = model.rows.find((r) => r.a === query.key.a && r.b === query.key.b);
    expect(result.status, where).toBe(row === undefined ? "not_found" : "ok");
    expect(result.rows, where).toEqual(row === undefined ? [] : [row]);
    return;
  }
  if (query.kind !== "select") throw new Error("not a read");
  const matches = model.matching(query.where);
  if (query.aggregates !== undefined) {
    expect(result.rows.length, where).toBe(1);
    const got = result.rows[0] as Row;
    for (const a of query.aggregates) {
      if (a.fn === "count") expect(got.count, where).toBe(matches.length);
      else {
        const sum = matches.reduce((s, r) => s + (r[a.column] as number), 0);
        expect(got[`sum_${a.column}`] as number, where).toBeCloseTo(sum, 9);
      }
    }
    return;
  }
  const limit = query.limit ?? Number.POSITIVE_INFINITY;
  if (query.order_by !== undefined && query.order_by.length > 0) {
    const expected = model
      .ordered(matches, query.order_by)
      .slice(0, limit)
      .map((r) => project(r, query.columns));
    expect(result.rows, where).toEqual(expected);
  } else if (Number.isFinite(limit)) {
    // Without ORDER BY, LIMIT takes any of the matching rows.
    expect(result.rows.length, where).toBe(Math.min(limit, matches.length));
    const allowed = new Set(canonical(matches.map((r) => project(r, query.columns))));
    for (const row of canonical(result.rows)) expect(allowed.has(row), where).toBe(true);
  } else {
    expect(canonical(result.rows), where).toEqual(canonical(matches.map((r) => project(r, query.columns))));
  }
}

/**
 * Runs the commands on the three databases and the model, checking everything after each step.
 * Returns, per command, the access path and outcomes it showed: "<access>[ covering][ sort]",
 * "backward", "<query kind> <status>", "maintenance" (a write that maintained an index), "revert".
 */
function run(fanout: number, commands: Command[]): Set<string>[] {
  const indexed = new Database({ tables: [TABLE], indexes: INDEXES, fanout, hash: { initial_buckets: 1 } });
  const plain = new Database({ tables: [TABLE], fanout: fanout + 1 });
  const replica = new Database({ tables: [TABLE], indexes: INDEXES.slice(0, 3), fanout: 8 });
  const model = new Model();
  let last: { indexed: RowChange[]; plain: RowChange[]; rows: Row[] } | null = null;
  const shown: Set<string>[] = [];
  for (const [step, command] of commands.entries()) {
    const where = `step ${step}: ${JSON.stringify(command)}`;
    const seen = new Set<string>();
    shown.push(seen);
    if (command.kind === "revert") {
      if (last === null) continue;
      indexed.revert(last.indexed);
      plain.revert(last.plain);
      replica.revert(last.indexed);
      model.rows = last.rows;
      last = null;
      seen.add("revert");
    } else {
      const query = command.query;
      const a = indexed.execute(query);
      const b = plain.execute(query);
      const access = a.plan.access;
      if (access !== null)
        seen.add(`${access.access}${access.covering ? " covering" : ""}${access.sort ? " sort" : ""}`);
      if (access?.backward) seen.add("backward");
      seen.add(`${query.kind} ${a.status}`);
      if (a.cost.index_maintenance.length > 0) seen.add("maintenance");
      if (query.kind === "select" || query.kind === "get") {
        checkRead(query, a, model, `${where} [indexed: ${a.plan.text}]`);
        checkRead(query, b, model, `${where} [plain: ${b.plan.text}]`);
      } else {
        const rowsBefore = model.rows;
        const expected = model.write(query);
        expect({ status: a.status, affected: a.affected }, where).toEqual(expected);
        expect({ status: b.status, affected: b.affected }, where).toEqual(expected);
        expect(a.changes.length, where).toBe(expected.status === "ok" ? a.changes.length : 0);
        replica.apply(a.changes);
        if (expected.status === "ok") last = { indexed: a.changes, plain: b.changes, rows: rowsBefore };
      }
    }
    indexed.checkConsistency();
    replica.checkConsistency();
    const rows = model.sortedByKey();
    expect(indexed.rows("t"), where).toEqual(rows);
    expect(plain.rows("t"), where).toEqual(rows);
    expect(replica.rows("t"), where).toEqual(rows);
  }
  return shown;
}

// ---------------------------------------------------------------------------------------------
// Commands built to reach each access path and outcome, on a loaded table.

/** 60 rows, distinct keys, every value of the other columns: enough rows for the planner to use indexes. */
const LOADED: Row[] = Array.from({ length: 60 }, (_, i) => ({
  a: i,
  b: B_VALUES[i % B_VALUES.length] as string,
  c: (i % 7) - 2,
  d: D_VALUES[i % D_VALUES.length] as string,
  e: E_VALUES[i % E_VALUES.length] as number,
  f: i % 3 === 0,
  g: i % 21,
}));

const LOAD: Command = {
  kind: "query",
  query: { kind: "batch", queries: LOADED.map((row) => ({ kind: "insert", table: "t", rows: [row] })) },
};

const selectCommand = (spec: Omit<SelectQuery, "kind" | "table">): Command => ({
  kind: "query",
  query: { kind: "select", table: "t", ...spec },
});
const queryCommand = (query: Query): Command => ({ kind: "query", query });
const NEW_ROW: Row = { a: 100, b: "ab", c: 0, d: "x", e: 0.5, f: true, g: 3 };

/** Each command, run in order after LOAD, must show its label (it may show more). */
const DELIBERATE: [label: string, command: Command][] = [
  ["PrimaryKeyGet", queryCommand({ kind: "get", table: "t", key: { a: 1, b: "a" } })],
  ["get not_found", queryCommand({ kind: "get", table: "t", key: { a: 1, b: "b" } })],
  ["PrimaryKeyRangeScan", selectCommand({ where: [lt("a", 1)] })],
  ["TableScan", selectCommand({})],
  ["TableScan sort", selectCommand({ order_by: [{ column: "f" }] })],
  ["IndexRangeScan", selectCommand({ where: [gt("c", 3)] })],
  ["IndexRangeScan covering", selectCommand({ where: [eq("d", "x")], columns: ["d", "c", "e"] })],
  ["IndexRangeScan sort", selectCommand({ where: [eq("g", 3)], order_by: [{ column: "f" }] })],
  ["IndexFullScan", selectCommand({ order_by: [{ column: "c", direction: "desc" }], limit: 2 })],
  ["backward", selectCommand({ order_by: [{ column: "a", direction: "desc" }], limit: 2 })],
  ["HashLookup", selectCommand({ where: [eq("b", "ab")] })],
  ["HashLookup covering", selectCommand({ where: [eq("b", "ab")], columns: ["b", "c"] })],
  ["maintenance", queryCommand({ kind: "insert", table: "t", rows: [NEW_ROW] })],
  ["insert duplicate_key", queryCommand({ kind: "insert", table: "t", rows: [LOADED[0] as Row] })],
  [
    "batch ok",
    queryCommand({
      kind: "batch",
      queries: [
        { kind: "update", table: "t", where: [eq("a", 100)], set: { c: 4 } },
        { kind: "delete", table: "t", where: [eq("c", 4)] },
      ],
    }),
  ],
  ["revert", { kind: "revert" }],
  [
    "batch duplicate_key",
    queryCommand({
      kind: "batch",
      queries: [
        { kind: "delete", table: "t", where: [eq("a", 2)] },
        { kind: "insert", table: "t", rows: [LOADED[3] as Row] },
      ],
    }),
  ],
];

describe("Database against a naive full-scan model", () => {
  it("takes every access path and reaches every outcome on commands built for each", () => {
    const labels = DELIBERATE.map(([label]) => label);
    for (const kind of ACCESS_KINDS) expect(labels).toContain(kind);
    const shown = run(4, [LOAD, ...DELIBERATE.map(([, command]) => command)]);
    DELIBERATE.forEach(([label, command], i) => {
      expect(shown[i + 1], JSON.stringify(command)).toContain(label);
    });
  });

  it("indexes stay consistent and results match under random writes, reads and undo", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(4, 5, 8),
        fc.array(commandArb, { maxLength: 60, size: "max" }),
        (fanout, commands) => {
          run(fanout, commands);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("a larger table: many splits and merges in every structure", () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { minLength: 100, maxLength: 200 }),
        fc.array(commandArb, { minLength: 20, maxLength: 40 }),
        (rows, commands) => {
          // Distinct keys: `a` numbers the rows (the commands' own keys use 0..5).
          const load = rows.map(
            (r, i): WriteQuery => ({ kind: "insert", table: "t", rows: [{ ...r, a: i }] }),
          );
          run(4, [{ kind: "query", query: { kind: "batch", queries: load } }, ...commands]);
        },
      ),
      { numRuns: 25 },
    );
  });
});
