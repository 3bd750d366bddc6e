import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SIMULATED = ["sim", "engine", "workloads", "examples"];
const FORBIDDEN =
  /\b(Math\.random|Date\.now|performance\.now|setTimeout|setInterval|setImmediate|new Date\(|process\.hrtime)/;

const BIOME = resolve("node_modules/@biomejs/biome/bin/biome");

/** Lints `source` as the file `path` of a scratch copy of the project's lint configuration. */
function lint(path: string, source: string) {
  const root = mkdtempSync(join(tmpdir(), "dbsim-lint-"));
  mkdirSync(join(root, "lint"));
  copyFileSync("biome.json", join(root, "biome.json"));
  copyFileSync("lint/no-nondeterminism.grit", join(root, "lint/no-nondeterminism.grit"));
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), source);
  return spawnSync(process.execPath, [BIOME, "lint", "--vcs-enabled=false", path], {
    cwd: root,
    encoding: "utf8",
  });
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.[jt]s$/.test(path) ? [path] : [];
  });
}

describe("the determinism rule", () => {
  it("the lint rule rejects real time, timers and Math.random in the simulated world", () => {
    const calls = [
      "Math.random()",
      "Date.now()",
      "performance.now()",
      "setTimeout(f, 1)",
      "setImmediate(f)",
      "new Date()",
    ];
    for (const dir of SIMULATED) {
      const source = `const f = () => 1;\n${calls.map((call, i) => `export const x${i} = ${call};`).join("\n")}\n`;
      const result = lint(`${dir}/deep/fixture.ts`, source);
      expect(result.status, dir).not.toBe(0);
      const output = result.stdout + result.stderr;
      expect(output.match(/Nondeterminism in the simulated world/g), dir).toHaveLength(calls.length);
    }
  });

  it("the lint rule leaves the rest of the code (cli/, reports/) alone", () => {
    const result = lint("cli/fixture.ts", "export const x = Math.random() + Date.now();\n");
    expect(result.stdout + result.stderr).not.toContain("Nondeterminism");
  });

  it("no source file in sim/, engine/, workloads/ or examples/ uses them", () => {
    const offenders = SIMULATED.flatMap(sources).flatMap((path) =>
      readFileSync(path, "utf8")
        .split("\n")
        .map((line, i) => ({ line, at: `${path}:${i + 1}` }))
        .filter(({ line }) => FORBIDDEN.test(line) && !/^\s*(\/\/|\*)/.test(line))
        .map(({ at }) => at),
    );
    expect(offenders).toEqual([]);
  });
});
