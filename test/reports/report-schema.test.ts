import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ReportError, reportJsonSchemaText, validateReport } from "../../reports/report-schema.js";

const report = JSON.parse(readFileSync("test/fixtures/reports/fsync-always.json", "utf8"));

describe("report.json schema", () => {
  it("round-trips: a written report reads back equal", () => {
    const text = JSON.stringify(report);
    expect(validateReport(JSON.parse(text), "r")).toEqual(report);
  });

  it("is committed as JSON Schema, generated from the zod schema (run `npm run docs` if this fails)", () => {
    expect(readFileSync("reports/report.schema.json", "utf8")).toBe(reportJsonSchemaText());
  });

  it("refuses a report of another schema version, saying which it reads", () => {
    expect(() => validateReport({ ...report, schema: "dbsim.report/v2" }, "x.json")).toThrow(
      'x.json: not a dbsim.report/v1 report (got "dbsim.report/v2"); this dbsim reads dbsim.report/v1',
    );
    expect(() => validateReport([1, 2], "x.json")).toThrow(/got no schema field/);
  });

  it("names the first wrong path of an invalid report", () => {
    const broken = { ...report, ops: { ...report.ops, all: { ...report.ops.all, ok: -1 } } };
    expect(() => validateReport(broken, "x.json")).toThrow(ReportError);
    expect(() => validateReport(broken, "x.json")).toThrow(/x\.json: invalid report: ops\.all\.ok: /);
    const { timeline: _t, ...missing } = report;
    expect(() => validateReport(missing, "x.json")).toThrow(/timeline/);
  });
});
