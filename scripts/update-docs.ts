// npm run docs: rewrites what is generated from code: the scenario reference in docs/scenarios.md, the
// JSON Schema of report.json (reports/report.schema.json), and the Grafana dashboards with their
// provisioning and compose file (dashboards/generated/).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generatedFiles } from "../dashboards/index.js";
import { reportJsonSchemaText } from "../reports/report-schema.js";
import { replaceGeneratedSection } from "../test/docs-sections.js";
import { scenarioReferenceMarkdown } from "../workloads/scenario/reference.js";

const schemaPath = new URL("../reports/report.schema.json", import.meta.url);
writeFileSync(schemaPath, reportJsonSchemaText());

const path = new URL("../docs/scenarios.md", import.meta.url);
const reference = readFileSync(path, "utf8");
const updated = replaceGeneratedSection(reference, "scenario-reference", scenarioReferenceMarkdown());
if (updated !== reference) writeFileSync(path, updated);
process.stdout.write(
  updated === reference ? "docs/scenarios.md is up to date\n" : "docs/scenarios.md updated\n",
);

const dashboards = fileURLToPath(new URL("../dashboards/generated/", import.meta.url));
let changed = 0;
for (const [file, content] of generatedFiles()) {
  const target = join(dashboards, file);
  let before: string | null = null;
  try {
    before = readFileSync(target, "utf8");
  } catch {}
  if (before === content) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  changed++;
}
process.stdout.write(
  changed === 0 ? "dashboards/generated is up to date\n" : `dashboards/generated: ${changed} files updated\n`,
);
