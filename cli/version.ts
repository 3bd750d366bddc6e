// dbsim's version, read from package.json (found upward from this file in src and in dist alike).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

export function dbsimVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(dir, "package.json");
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "dbsim" && typeof pkg.version === "string") {
        cached = pkg.version;
        return cached;
      }
    }
    dir = dirname(dir);
  }
  throw new Error("cannot find dbsim's package.json");
}
