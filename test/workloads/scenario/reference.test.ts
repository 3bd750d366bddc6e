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
    for (const row of rows) {
      if (row.default === null || row.form !== undefined) continue;
      if (row.path.includes("[]")) continue; // a field of a list's items (cluster.indexes[].kind)
      const parent = valueAt(doc, row.path.split(".").slice(0, -1));
      if (parent === null) continue; // inside a field whose default is null (workload.mix, faults.random)
      expect(parse(row.default), row.path).toEqual(valueAt(doc, row.path.split(".")));
    }
  });

  it("marks the name as required and qualifies latency fields by form", () => {
    expect(rows.find((row) => row.path === "name")).toMatchObject({ required: true, default: null });
    expect(rows.find((row) => row.path === "network.latency.p99")).toMatchObject({
      form: "dist: lognormal",
      required: true,
    });
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
