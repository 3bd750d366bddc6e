// The import rule (DESIGN.md, "Layout and the import rule"): each folder imports only from folders
// to its left in sim <- engine <- workloads <- reports <- dashboards; cli imports anything and
// nothing imports cli; sim imports nothing of the project.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const CHAIN = ["sim", "engine", "workloads", "reports", "dashboards"];
const FOLDERS = [...CHAIN, "cli"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The top folder of every relative import of `path`. */
function importedFolders(path: string): { target: string; spec: string }[] {
  const text = readFileSync(path, "utf8");
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/g)].map(
    (m) => m[1] as string,
  );
  return specs
    .filter((spec) => spec.startsWith("."))
    .map((spec) => ({
      spec,
      target: normalize(relative(".", join(dirname(path), spec))).split(/[\\/]/)[0] as string,
    }));
}

describe("the import rule", () => {
  it("holds for every source file", () => {
    const offences: string[] = [];
    let imports = 0;
    for (const folder of FOLDERS) {
      for (const path of sources(folder)) {
        for (const { spec, target } of importedFolders(path)) {
          imports++;
          if (target === folder) continue;
          const allowed =
            folder === "cli"
              ? FOLDERS.includes(target)
              : target !== "cli" && CHAIN.includes(target) && CHAIN.indexOf(target) < CHAIN.indexOf(folder);
          if (!allowed) offences.push(`${path} imports ${spec}`);
        }
      }
    }
    expect(imports).toBeGreaterThan(200); // the scan sees the imports
    expect(offences).toEqual([]);
  });
});
