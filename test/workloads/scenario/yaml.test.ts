import { describe, expect, it } from "vitest";
import { constantRate } from "../../../workloads/client/arrivals.js";
import { loadScenario } from "../../../workloads/scenario/load.js";
import { loadError, loadErrorMessage } from "./helpers.js";

const source = { sourceName: "scenarios/x.yaml" };

describe("YAML and JSON sources", () => {
  it("reports a syntax error with line:col", () => {
    const error = loadError("name: x\nworkload:\n  records: [1,\n  preset: a\n", source);
    expect(error.message).toBe(
      "scenarios/x.yaml:4:3: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    expect([error.line, error.column, error.path]).toEqual([4, 3, ""]);
  });

  it("reports line:col without a source name too", () => {
    expect(loadErrorMessage("name: x\nworkload:\n\tpreset: a\n")).toBe(
      "3:1: YAML syntax error: Tabs are not allowed as indentation",
    );
  });

  it("rejects a duplicate key, naming its path and position", () => {
    const error = loadError("name: x\nworkload:\n  records: 10\n  preset: b\n  records: 20\n", source);
    expect(error.message).toBe(
      "scenarios/x.yaml:5:3: workload.records: duplicate key (a key may appear once per mapping)",
    );
    expect(error.path).toBe("workload.records");
  });

  it("rejects a duplicate key in a flow mapping and in JSON", () => {
    expect(
      loadErrorMessage("name: x\nworkload: { hotspot: { data_fraction: 0.1, data_fraction: 0.2 } }\n"),
    ).toBe("2:44: workload.hotspot.data_fraction: duplicate key (a key may appear once per mapping)");
    expect(loadErrorMessage('{"name": "x", "name": "y"}')).toBe(
      "1:15: name: duplicate key (a key may appear once per mapping)",
    );
  });

  it.each([
    ["", "the file is empty"],
    ["# nothing but a comment\n", "the file is empty"],
    ["---\n", "the file is empty"],
    ["- name: x\n", "got a list"],
    ["42\n", "got 42"],
    ["just words\n", 'got "just words"'],
  ])("rejects a top level that is not a mapping: %j", (text, got) => {
    expect(loadErrorMessage(text, source)).toBe(
      `scenarios/x.yaml: expected a mapping of settings, e.g. "name: my-run" (${got})`,
    );
  });

  it("rejects a second document", () => {
    expect(loadErrorMessage("name: x\n---\nname: y\n", source)).toBe(
      "scenarios/x.yaml:2:1: a scenario is one YAML document, but a second one starts here",
    );
  });

  it("rejects an alias to an undefined anchor and an unknown tag", () => {
    expect(loadErrorMessage("name: x\ndescription: *nope\n", source)).toBe(
      "scenarios/x.yaml: YAML error: Unresolved alias (the anchor must be set before the alias): nope",
    );
    expect(loadErrorMessage("name: x\ndescription: !secret x\n", source)).toBe(
      "scenarios/x.yaml:2:14: YAML syntax error: Unresolved tag: !secret",
    );
  });

  it("accepts anchors and aliases", () => {
    const { resolved } = loadScenario("name: x\nduration: &d 10s\nwarmup: *d\n");
    expect([resolved.duration_us, resolved.warmup_us]).toEqual([10_000_000, 10_000_000]);
  });

  it("accepts JSON, tab-indented too", () => {
    const json = '{\n\t"name": "x",\n\t"workload": {\n\t\t"preset": "c",\n\t\t"rate": "2000/s"\n\t}\n}\n';
    const { resolved } = loadScenario(json, { sourceName: "scenarios/x.json" });
    expect(resolved.workload.preset).toBe("c");
    expect(resolved.workload.rate).toEqual(constantRate(2000));
  });

  it("points into JSON for a validation error", () => {
    expect(
      loadErrorMessage('{\n  "name": "x",\n  "workload": { "records": 0 }\n}\n', { sourceName: "x.json" }),
    ).toBe("x.json:3:28: workload.records: must be at least 1 (got 0)");
  });

  it("reads YAML 1.2: yes/no/on/off are strings, not booleans", () => {
    expect(loadErrorMessage("name: x\nworkload: { records: yes }\n")).toBe(
      'workload.records: expected an integer (got "yes")',
    );
  });

  it("treats a __proto__ key as an unknown key", () => {
    expect(loadErrorMessage("name: x\n__proto__: { polluted: 1 }\n", source)).toBe(
      "scenarios/x.yaml:2:1: __proto__: unknown key; allowed keys: name, description, duration, warmup, cluster, network, topology, workload, faults, changes, checks, liveness, elle, final_reads, thresholds",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
