// Throwaway database servers for the end-to-end tests: Debian's PostgreSQL (initdb, then postgres
// in the foreground) and redis-server, each on a free loopback port with a data directory of its
// own and a password, started by a test and stopped by it (and killed when the process exits, so
// no server outlives a failed test). As root (CI), PostgreSQL runs as the `postgres` user, since it
// refuses to run as root.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Server {
  /** The URL to connect with, password included. */
  readonly url: string;
  readonly password: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** The newest installed PostgreSQL's bin directory, or null. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? null : join(root, versions[0] as string, "bin");
}

export function hasRedis(): boolean {
  return spawnSync("redis-server", ["--version"]).error === undefined;
}

/** As root, PostgreSQL's processes run as the `postgres` user (the child itself: no wrapper to outlive). */
function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) =>
    Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

/** Resolves once `ready()` does, or rejects with the server's output after `limit_ms`. */
async function waitReady(
  ready: () => Promise<boolean>,
  child: ChildProcess,
  log: () => string,
  limit_ms = 30_000,
) {
  const until = Date.now() + limit_ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${log()}`);
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server was not ready in ${limit_ms} ms: ${log()}`);
}

export async function startPostgres(): Promise<Server> {
  const bin = postgresBin();
  if (bin === null) throw new Error("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)");
  const dir = mkdtempSync(join(tmpdir(), "dbsim-pg-"));
  const data = join(dir, "data");
  const password = "pg-Secret-4711";
  writeFileSync(join(dir, "pw"), `${password}\n`);
  const user = postgresUser();
  if (user !== null) {
    chownSync(dir, user.uid, user.gid);
    chownSync(join(dir, "pw"), user.uid, user.gid);
  }
  const init = spawnSync(
    join(bin, "initdb"),
    ["-D", data, "-U", "dbsim", "--auth=scram-sha-256", `--pwfile=${join(dir, "pw")}`, "--no-sync"],
    { encoding: "utf8", cwd: dir, ...(user ?? {}) },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const child = spawn(
    join(bin, "postgres"),
    ["-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1"],
    { stdio: ["ignore", "pipe", "pipe"], cwd: dir, ...(user ?? {}) },
  );
  running.add(child);
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  const url = `postgres://dbsim:${password}@127.0.0.1:${port}/postgres`;
  const pg = (await import("pg")).default;
  await waitReady(
    async () => {
      const client = new pg.Client({ connectionString: url });
      client.on("error", () => {});
      try {
        await client.connect();
        await client.end();
        return true;
      } catch {
        return false;
      }
    },
    child,
    () => log,
  );
  return {
    url,
    password,
    stop: async () => {
      await stopChild(child, "SIGINT"); // fast shutdown
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startRedis(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), "dbsim-redis-"));
  const password = "redis-Secret-4711";
  const port = await freePort();
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--save",
      "",
      "--appendonly",
      "no",
      "--requirepass",
      password,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  let log = "";
  child.stdout?.on("data", (d) => (log += d));
  child.stderr?.on("data", (d) => (log += d));
  await waitReady(
    async () => log.includes("Ready to accept connections"),
    child,
    () => log,
  );
  return {
    url: `redis://:${password}@127.0.0.1:${port}/0`,
    password,
    stop: async () => {
      await stopChild(child, "SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
