// npm run docs: rewrites what is generated from code: the scenario reference in README.md and the
// JSON Schema of report.json (reports/report.schema.json).

import { readFileSync, writeFileSync } from "node:fs";
import { reportJsonSchemaText } from "../reports/report-schema.js";
import { replaceGeneratedSection } from "../test/docs-sections.js";
import { scenarioReferenceMarkdown } from "../workloads/scenario/reference.js";

const schemaPath = new URL("../reports/report.schema.json", import.meta.url);
writeFileSync(schemaPath, reportJsonSchemaText());

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const updated = replaceGeneratedSection(readme, "scenario-reference", scenarioReferenceMarkdown());
if (updated !== readme) writeFileSync(path, updated);
process.stdout.write(updated === readme ? "README.md is up to date\n" : "README.md updated\n");
