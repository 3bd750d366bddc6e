import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { scenarioReferenceMarkdown } from "../workloads/scenario/reference.js";
import { replaceGeneratedSection } from "./docs-sections.js";

describe("README.md", () => {
  const readme = readFileSync("README.md", "utf8");

  it("holds the scenario reference generated from the schema (run `npm run docs` if this fails)", () => {
    expect(replaceGeneratedSection(readme, "scenario-reference", scenarioReferenceMarkdown())).toBe(readme);
  });

  it("opens with the two set-up commands, and every scenario it names exists", () => {
    expect(readme).toContain("npm ci && npm run dbsim -- run scenarios/ycsb-a.yaml");
    expect(readme).toContain("npm ci && npm test");
    for (const [, path] of readme.matchAll(/run (scenarios\/[a-z0-9-]+\.yaml)/g)) {
      expect(() => readFileSync(path as string), path).not.toThrow();
    }
  });
});
