// The import rule (DESIGN.md, "Layout and the import rule"): each folder imports only from folders
// to its left in sim <- engine <- workloads <- reports <- dashboards; cli imports anything and
// nothing imports cli; sim imports nothing of the project. The checkers (workloads/checkers/)
// import nothing of the project outside their folder: they judge a history file, wherever it came
// from. And no module imports itself through others (what runs at import: type imports aside).

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

/** Every relative import of `path`: its specifier and the file it names (relative to the root). */
function imports(path: string, options: { types: boolean }): { file: string; spec: string }[] {
  const text = readFileSync(path, "utf8");
  const pattern = options.types
    ? /(?:^|\n)\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/g
    : /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^"';]*?from\s+["']([^"']+)["']/g;
  return [...text.matchAll(pattern)]
    .map((m) => m[1] as string)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => ({
      spec,
      file: normalize(relative(".", join(dirname(path), spec))).replace(/\.js$/, ".ts"),
    }));
}

/** The top folder of every relative import of `path`. */
function importedFolders(path: string): { target: string; spec: string }[] {
  return imports(path, { types: true }).map(({ spec, file }) => ({
    spec,
    target: file.split(/[\\/]/)[0] as string,
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

  it("keeps the checkers to themselves: they import nothing of the project outside checkers/", () => {
    const checkers = join("workloads", "checkers");
    const offences = sources(checkers).flatMap((path) =>
      imports(path, { types: true })
        .filter(({ file }) => !file.startsWith(checkers))
        .map(({ spec }) => `${path} imports ${spec}`),
    );
    expect(offences).toEqual([]);
  });

  it("has no import cycle among the modules (type imports aside)", () => {
    const graph = new Map(
      FOLDERS.flatMap(sources).map((path) => [path, imports(path, { types: false }).map(({ file }) => file)]),
    );
    // Depth-first search; a module met again while still on the path closes a cycle.
    const done = new Set<string>();
    const path: string[] = [];
    const cycles: string[] = [];
    const visit = (module: string): void => {
      const at = path.indexOf(module);
      if (at >= 0) {
        cycles.push([...path.slice(at), module].join(" -> "));
        return;
      }
      if (done.has(module) || !graph.has(module)) return;
      path.push(module);
      for (const next of graph.get(module) ?? []) visit(next);
      path.pop();
      done.add(module);
    };
    for (const module of graph.keys()) visit(module);
    expect(cycles).toEqual([]);
  });
});
