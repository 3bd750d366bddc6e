// deploy/: the Kubernetes example cannot be applied here; its manifests parse, hold the objects
// deploy/README.md describes, run commands dbsim has, and name no password.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const DEPLOY = join(import.meta.dirname, "..", "..", "deploy");

interface Manifest {
  kind: string;
  metadata: { name: string };
  spec?: Record<string, unknown>;
}

function manifests(): Map<string, Manifest[]> {
  const files = new Map<string, Manifest[]>();
  for (const name of readdirSync(DEPLOY).filter((n) => n.endsWith(".yaml"))) {
    const docs = parseAllDocuments(readFileSync(join(DEPLOY, name), "utf8"));
    for (const doc of docs) expect(doc.errors, name).toEqual([]);
    files.set(
      name,
      docs.map((doc) => doc.toJS() as Manifest),
    );
  }
  return files;
}

describe("deploy/", () => {
  it("parses, and holds Redis, the workers, a sweep Job, an Indexed Job and a merge Job", () => {
    const files = manifests();
    const kinds = (file: string) => files.get(file)?.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(kinds("redis.yaml")).toEqual(["Deployment/dbsim-redis", "Service/dbsim-redis"]);
    expect(kinds("workers.yaml")).toEqual(["Deployment/dbsim-worker"]);
    expect(kinds("sweep-job.yaml")).toEqual(["PersistentVolumeClaim/dbsim-results", "Job/dbsim-sweep"]);
    expect(kinds("indexed-job.yaml")).toEqual(["PersistentVolumeClaim/dbsim-parts", "Job/dbsim-sweep-parts"]);
    expect(kinds("merge-job.yaml")).toEqual(["Job/dbsim-merge"]);
    const indexed = files.get("indexed-job.yaml")?.[1]?.spec as { completionMode: string };
    expect(indexed.completionMode).toBe("Indexed");
  });

  it("takes the password from the Secret only, keeps it out of arguments, runs dbsim's commands", () => {
    const text = readdirSync(DEPLOY)
      .filter((n) => n.endsWith(".yaml"))
      .map((n) => readFileSync(join(DEPLOY, n), "utf8"))
      .join("\n");
    expect(text).toContain('"--requirepass", "$(REDIS_PASSWORD)"');
    // The URL, password included, reaches dbsim through the environment (env:NAME), not its arguments.
    for (const url of text.match(/rediss?:\/\/\S*/g) ?? [])
      expect(url).toMatch(/^redis:\/\/:\$\(REDIS_PASSWORD\)@dbsim-redis:6379\/0"$/);
    expect(text).toContain('args: ["worker", "env:DBSIM_QUEUE"'); // the image's entry point is dbsim
    expect(text).toContain("--queue env:DBSIM_QUEUE");
    for (const command of ["sweep", "merge"]) expect(text).toContain(`main.js ${command} `);
  });
});
