import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { scenarioReferenceMarkdown, scenarioReferenceRows } from "../../../workloads/scenario/reference.js";

/** Every leaf path of the default document, e.g. "workload.scan_length.max". */
function leafPaths(value: unknown, path = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [path];
  return Object.entries(value).flatMap(([key, child]) =>
    leafPaths(child, path === "" ? key : `${path}.${key}`),
  );
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (current === null ? null : (current as Record<string, unknown>)[key]),
    value,
  );
}

describe("the scenario reference", () => {
  const rows = scenarioReferenceRows();
  const { doc } = loadScenario("name: x\n");

  it("documents every field with a type and a description", () => {
    for (const row of rows) {
      expect(row.description, row.path).not.toBe("");
      expect(row.type, row.path).not.toBe("");
    }
  });

  it("has a row for every field of the default document, except inside the default latency form", () => {
    const paths = new Set(rows.map((row) => row.path));
    for (const path of leafPaths(doc)) {
      if (path.startsWith("network.latency.")) continue; // a form's fields: rows qualified by `dist`
      expect(paths, path).toContain(path);
    }
  });

  it("states the defaults the loader fills in", () => {
    // Optional sections without a default (cluster.cache, workload.pool, topology) get their fields' defaults
    // once present (liveness needs `checks: [liveness]`; defaults.test.ts checks its default).
    const full = loadScenario(
      "name: x\ncluster: { cache: {}, node: { connections: {} } }\nworkload: { pool: {} }\ntopology: { regions: [{ name: us-east }] }\n",
    ).doc;
    for (const row of rows) {
      if (row.default === null || row.form !== undefined) continue;
      if (row.path.includes("[]")) continue; // a field of a list's items (cluster.indexes[].kind)
      const parent = valueAt(full, row.path.split(".").slice(0, -1));
      // Inside a field whose default is null (workload.mix, faults.random) or that is absent.
      if (parent === null || parent === undefined) continue;
      expect(parse(row.default), row.path).toEqual(valueAt(full, row.path.split(".")));
    }
  });

  it("marks the name as required and qualifies latency fields by form", () => {
    expect(rows.find((row) => row.path === "name")).toMatchObject({ required: true, default: null });
    expect(rows.find((row) => row.path === "network.latency.p99")).toMatchObject({
      form: "dist: lognormal",
      required: true,
    });
  });

  it("descends into lists of a union's forms: the fields every form shares, then each form's own", () => {
    const row = (path: string, form?: string) =>
      rows.find((candidate) => candidate.path === path && candidate.form === form);
    expect(row("faults.schedule[].at")).toMatchObject({ required: true });
    expect(row("faults.schedule[].at")?.description).toContain("from the start of the run, i.e. of warmup");
    expect(row("faults.schedule[].kind")?.type).toBe(
      "one of `partition`, `crash`, `restart`, `pause`, `clock_skew`, `link`, `heal`, `zone_outage`, `region_outage`, `region_partition`, `disk_corruption`, `torn_write`, `lost_fsync`, `slow_disk`",
    );
    expect(row("changes[].at")).toMatchObject({ required: true });
    expect(row("changes[].kind")?.type).toBe(
      "one of `reshard`, `split`, `move`, `add_replica`, `remove_replica`, `transfer_leader`, `move_replica`",
    );
    expect(row("network.latency.dist")?.type).toContain("`lognormal`");
    // Every field of every form: its own row, qualified by the form unless all forms share it.
    const forms: Record<string, Record<string, string[]>> = {
      "faults.schedule[]": {
        partition: [
          "isolate",
          "halves",
          "minority",
          "bridge",
          "one_way",
          "one_way.from",
          "one_way.to",
          "nodes_only",
          "for",
        ],
        crash: ["target", "restart_after"],
        restart: ["target"],
        pause: ["target", "for"],
        clock_skew: ["target", "offset", "drift_ppm", "for"],
        link: ["from", "to", "loss", "duplicate", "extra_latency", "jitter", "for"],
        heal: [],
        disk_corruption: ["target", "entries"],
        torn_write: ["target", "restart_after"],
        lost_fsync: ["target", "for", "restart_after"],
        slow_disk: ["target", "factor", "for"],
      },
      "changes[]": {
        reshard: ["shards"],
        split: ["shard"],
        move: ["keys", "to"],
        add_replica: ["shard"],
        remove_replica: ["shard", "replica"],
        move_replica: ["shard", "from", "to"],
      },
    };
    for (const [list, byKind] of Object.entries(forms)) {
      for (const [kind, fields] of Object.entries(byKind)) {
        const form = `kind: ${kind}`;
        expect(row(list, form), `${list} ${form}`).toMatchObject({ type: "mapping" });
        const own = rows.filter(
          (candidate) => candidate.form === form && candidate.path.startsWith(`${list}.`),
        );
        expect(own.map((candidate) => candidate.path)).toEqual(fields.map((field) => `${list}.${field}`));
      }
    }
  });

  it("renders as a Markdown table, one line per row", () => {
    const markdown = scenarioReferenceMarkdown();
    const tableLines = markdown.split("\n").filter((line) => line.startsWith("|"));
    expect(tableLines[0]).toBe("| Path | Type / allowed values | Default | Description |");
    expect(tableLines).toHaveLength(rows.length + 2);
    expect(markdown).toContain(
      "| `workload.records` | integer >= 1 and <= 5000000 | `10000` | Records loaded before the run. |",
    );
    expect(markdown).toContain(
      "| `network.latency.median` (`dist: lognormal`) | duration > 0, at most 24h | required |",
    );
    for (const line of tableLines) {
      expect(line.replaceAll("\\|", "").split("|"), line).toHaveLength(6);
    }
  });
});
