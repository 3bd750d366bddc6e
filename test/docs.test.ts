import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { scenarioReferenceMarkdown } from "../workloads/scenario/reference.js";
import { replaceGeneratedSection } from "./docs-sections.js";

const DOCS = [
  "README.md",
  ...readdirSync("docs").map((name) => join("docs", name)),
  "examples/chain-replication/README.md",
  "deploy/README.md",
];

describe("the documentation", () => {
  it("holds the scenario reference generated from the schema (run `npm run docs` if this fails)", () => {
    const reference = readFileSync("docs/scenarios.md", "utf8");
    expect(replaceGeneratedSection(reference, "scenario-reference", scenarioReferenceMarkdown())).toBe(
      reference,
    );
  });

  it("opens the README with the two set-up commands, and runs dbsim as a newcomer can", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("npm ci && npm run dbsim -- run scenarios/ycsb-a.yaml");
    expect(readme).toContain("npm ci && npm test");
    // The tour's commands run as printed: `dbsim` alone is not on a newcomer's PATH.
    const tour = readme.slice(readme.indexOf("## A ten-line tour"), readme.indexOf("## Where to go next"));
    expect(tour.match(/`dbsim /g) ?? []).toEqual([]);
  });

  it("runs `npx dbsim` in the checkout as the README says (the build makes the command executable)", () => {
    const version = execFileSync("npx", ["dbsim", "--version"], { encoding: "utf8" });
    expect(version.trim()).toBe(JSON.parse(readFileSync("package.json", "utf8")).version);
  }, 120_000);

  it("names only scenarios, documents and sections that exist", () => {
    for (const doc of DOCS) {
      const text = readFileSync(doc, "utf8");
      for (const [, path] of text.matchAll(/ (scenarios\/[a-z0-9-]+\.yaml)/g)) {
        expect(() => readFileSync(path as string), `${doc} names ${path}`).not.toThrow();
      }
      const links = /\]\(((?:\.\.\/|[a-z-]+\/)*[a-zA-Z-]+\.(?:md|ts))?(?:#([a-z0-9-]+))?\)/g;
      for (const [, target, anchor] of text.matchAll(links)) {
        const file = target === undefined ? doc : join(dirname(doc), target);
        const linked = readFileSync(file, "utf8");
        if (anchor !== undefined) {
          const anchors = [...linked.matchAll(/^#+ (.+)$/gm)].map(([, title]) => slug(title as string));
          expect(anchors, `${doc} links to ${file}#${anchor}`).toContain(anchor);
        }
      }
    }
  });
});

/** GitHub's anchor of a heading. */
function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
}
