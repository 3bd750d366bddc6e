// npm run docs: rewrites the generated sections of README.md (today: the scenario reference).

import { readFileSync, writeFileSync } from "node:fs";
import { replaceGeneratedSection } from "../test/docs-sections.js";
import { scenarioReferenceMarkdown } from "../workloads/scenario/reference.js";

const path = new URL("../README.md", import.meta.url);
const readme = readFileSync(path, "utf8");
const updated = replaceGeneratedSection(readme, "scenario-reference", scenarioReferenceMarkdown());
if (updated !== readme) writeFileSync(path, updated);
process.stdout.write(updated === readme ? "README.md is up to date\n" : "README.md updated\n");
