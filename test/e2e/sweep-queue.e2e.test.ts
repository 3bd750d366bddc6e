// A distributed sweep end to end: a real redis-server (with a password) on loopback, a sweep with
// --queue, two `dbsim worker` processes, one killed with SIGKILL while it holds a job. The sweep
// completes (the dead worker's job is retried by the other) and its sweep.json equals a local
// sweep's byte for byte; the password appears in no output and no file; the queue is gone after.
// SIGINT removes the sweep's pending jobs, and --resume through the queue ends with the same bytes.
// A worker skips a sweep of another dbsim version or one whose runs would not fit its --max-memory,
// refuses another version's job, and removes a dead sweep's queue.

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Job, Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultWorkers } from "../../cli/pool.js";
import type { BatchResult, SeedBatch } from "../../cli/queue/jobs.js";
import runTask from "../../cli/run-task.js";
import { dbsimVersion } from "../../cli/version.js";
import { loadScenario } from "../../workloads/scenario/load.js";
import { estimateMemory } from "../../workloads/scenario/memory.js";
import { cli, scenarioFile, TINY, tempDir } from "../cli/helpers.js";
import { hasRedis, type Server, startRedis } from "./servers.js";

/** A seed long enough (a few seconds of wall time) for a worker to be killed in the middle of it. */
const SCENARIO = TINY.replace("duration: 2s", "duration: 30s");

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];

function dbsim(args: string[]): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function until(what: string, ready: () => boolean | Promise<boolean>, limit_ms = 90_000) {
  const end = Date.now() + limit_ms;
  while (!(await ready())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every file under `dir`, as text. */
function allText(dir: string): string {
  let text = "";
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += readFileSync(join(entry.parentPath, entry.name), "utf8");
  }
  return text;
}

describe.skipIf(!hasRedis())("dbsim sweep --queue against redis-server", () => {
  let redis: Server;
  const dir = tempDir();
  const scenario = scenarioFile(SCENARIO);
  const localSweep = () => readFileSync(join(dir, "local", "sweep.json"), "utf8");
  beforeAll(async () => {
    redis = await startRedis();
    const local = await cli(
      "sweep",
      scenario,
      "--seeds",
      "1..6",
      "--workers",
      "2",
      "--out",
      join(dir, "local"),
    );
    expect(local.code).toBe(0);
  });
  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await redis?.stop();
  });

  it("survives a worker killed mid-job and equals the local sweep byte for byte", async () => {
    const first = dbsim(["worker", redis.url, "--workers", "1"]);
    const sweep = dbsim([
      "sweep",
      scenario,
      "--seeds",
      "1..6",
      "--batch",
      "2",
      "--queue",
      redis.url,
      "--out",
      join(dir, "queued"),
      "--no-progress",
    ]);
    await until("the sweep's queue", () => /on queue (\S+)/.test(sweep.output()));
    const queue = /on queue (\S+)/.exec(sweep.output())?.[1] as string;
    const admin = new Redis(redis.url);
    // BullMQ says when a dead worker's job goes back to the queue.
    const events = new QueueEvents(queue, { connection: { url: redis.url }, prefix: "dbsim" });
    const stalled: string[] = [];
    events.on("stalled", ({ jobId }) => stalled.push(jobId));
    try {
      await events.waitUntilReady();
      await until(
        "the first worker to take a job",
        async () => (await admin.llen(`dbsim:${queue}:active`)) > 0,
      );
      const held = await admin.lrange(`dbsim:${queue}:active`, 0, -1);
      first.child.kill("SIGKILL");
      await first.exited;
      const second = dbsim(["worker", redis.url, "--workers", "1"]);
      expect(await sweep.exited).toBe(0);
      expect(readFileSync(join(dir, "queued", "sweep.json"), "utf8")).toBe(localSweep());
      expect(stalled).toEqual(expect.arrayContaining(held));
      // The queue and its announcement are gone; the surviving worker leaves the sweep.
      await until("the worker to leave", () => second.output().includes(`left sweep ${queue}`));
      expect(await admin.keys(`dbsim:${queue}:*`)).toEqual([]);
      expect(await admin.hlen("dbsim:sweeps")).toBe(0);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(143);
      for (const text of [sweep.output(), first.output(), second.output(), allText(join(dir, "queued"))]) {
        expect(text).not.toContain(redis.password);
      }
      expect(sweep.output()).toContain("redis://127.0.0.1:");
    } finally {
      await events.close();
      admin.disconnect();
    }
  }, 300_000);

  it("checks only one run's memory against the sweep's --max-memory: the workers' threads are theirs to check", async () => {
    // A limit one run fits and two do not (this machine has more than one core).
    const one_bytes = estimateMemory(loadScenario(SCENARIO).resolved).total_bytes;
    expect(defaultWorkers()).toBeGreaterThan(1);
    const limit = `${Math.floor(one_bytes * 1.5)}B`;
    const worker = dbsim(["worker", redis.url, "--workers", "1"]);
    const sweep = dbsim([
      "sweep",
      scenario,
      "--seeds",
      "1..2",
      "--queue",
      redis.url,
      "--max-memory",
      limit,
      "--out",
      join(dir, "small-limit"),
      "--no-progress",
    ]);
    try {
      expect(await sweep.exited).toBe(0);
      expect(sweep.output()).not.toContain("estimated memory");
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 300_000);

  it("refuses a wrong password in one line, exit 2, without quoting it", async () => {
    const url = redis.url.replace(redis.password, "not-the-password");
    const out = await cli("worker", url);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).not.toContain("not-the-password");
    expect(out.stderr).toMatch(/^dbsim: dbsim worker redis:\/\/127\.0\.0\.1:\d+\/0: cannot connect/);
  });

  it("removes the pending jobs on SIGINT, and --resume through the queue ends with the same bytes", async () => {
    const out = join(dir, "interrupted");
    const worker = dbsim(["worker", redis.url, "--workers", "1"]);
    const sweep = dbsim([
      "sweep",
      scenario,
      "--seeds",
      "1..6",
      "--batch",
      "1",
      "--queue",
      redis.url,
      "--out",
      out,
    ]);
    const journal = join(out, "journal.jsonl");
    const lines = () => {
      try {
        return readFileSync(journal, "utf8").split("\n").length - 1;
      } catch {
        return 0;
      }
    };
    await until("a seed done", () => lines() >= 2);
    const queue = /on queue (\S+)/.exec(sweep.output())?.[1] as string;
    sweep.child.kill("SIGINT");
    expect(await sweep.exited).toBe(130);
    const interrupted = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8"));
    expect(interrupted.interrupted).toBe(true);
    expect(interrupted.resume).toBe(`npx dbsim sweep --resume ${out}`);
    const admin = new Redis(redis.url);
    try {
      expect(await admin.keys(`dbsim:${queue}:*`)).toEqual([]);
      await until("the worker to leave", () => worker.output().includes(`left sweep ${queue}`));
      process.env.DBSIM_TEST_QUEUE = redis.url; // the URL from the environment, as deploy/ gives it
      const resumed = await cli("sweep", "--resume", out, "--queue", "env:DBSIM_TEST_QUEUE", "--no-progress");
      delete process.env.DBSIM_TEST_QUEUE;
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toContain("resuming the sweep");
      expect(readFileSync(join(out, "sweep.json"), "utf8")).toBe(localSweep());
      // A stalled check the worker ran as the sweep ended expires by itself.
      await until("no key left", async () => (await admin.keys("dbsim:*")).length === 0);
    } finally {
      admin.disconnect();
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  }, 300_000);

  it("skips another version's sweep and one too large for its memory, refuses another version's job in one line, removes a dead sweep's queue", async () => {
    const admin = new Redis(redis.url);
    const mixed = new Queue("sweep-mixed-1", { connection: { url: redis.url }, prefix: "dbsim" });
    const worker = dbsim(["worker", redis.url, "--workers", "1"]);
    const announce = (queue: string, version: string, run_memory_bytes = 1_000_000) =>
      admin.hset(
        "dbsim:sweeps",
        queue,
        JSON.stringify({ dbsim_version: version, scenario: queue, run_memory_bytes }),
      );
    try {
      await announce("sweep-old-1", "0.0.0");
      await admin.set("dbsim:sweep-alive:sweep-old-1", "1", "PX", 60_000);
      await announce("sweep-dead-1", dbsimVersion());
      await announce("sweep-big-1", dbsimVersion(), 2 ** 40);
      await admin.set("dbsim:sweep-alive:sweep-big-1", "1", "PX", 60_000);
      await announce("sweep-mixed-1", dbsimVersion());
      await admin.set("dbsim:sweep-alive:sweep-mixed-1", "1", "PX", 60_000);
      const job = await mixed.add("seed 1", { dbsim_version: "0.0.0", live: false, tasks: [] });
      const refusal = `dbsim worker ${dbsimVersion()} refuses a job of dbsim 0.0.0: run workers of the sweep's version`;
      await until(
        "the refusal",
        async () => (await Job.fromId(mixed, job.id as string))?.failedReason === refusal,
      );
      await until("the worker's lines", () => worker.output().includes(refusal));
      // Each sweep is judged in its own turn of discovery: the dead one's may come after the refusal.
      await until("the dead sweep's removal", () =>
        worker.output().includes("removed the queue of sweep sweep-dead-1: its dbsim sweep is gone"),
      );
      expect(worker.output()).toContain(
        `not joining sweep sweep-old-1: it was started by dbsim 0.0.0, this is ${dbsimVersion()}`,
      );
      expect(worker.output()).toContain("removed the queue of sweep sweep-dead-1: its dbsim sweep is gone");
      expect(worker.output()).toContain(
        "not joining sweep sweep-big-1: its runs are estimated at 1 TiB each, x 1 threads = 1 TiB, more than --max-memory 4 GiB",
      );
      expect((await admin.hkeys("dbsim:sweeps")).sort()).toEqual([
        "sweep-big-1",
        "sweep-mixed-1",
        "sweep-old-1",
      ]);
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
      await mixed.obliterate({ force: true });
      await mixed.close();
      await admin.del(
        "dbsim:sweeps",
        "dbsim:sweep-alive:sweep-old-1",
        "dbsim:sweep-alive:sweep-mixed-1",
        "dbsim:sweep-alive:sweep-big-1",
      );
      admin.disconnect();
    }
  }, 120_000);

  it("records as crashed only the seed whose jobs keep losing their worker", async () => {
    // A stand-in worker runs the seeds in this process, but fails every job holding seed 3 the way
    // BullMQ fails a job whose worker died more than maxStalledCount times.
    const sweep = dbsim([
      "sweep",
      scenarioFile(TINY),
      "--seeds",
      "1..4",
      "--batch",
      "2",
      "--queue",
      redis.url,
      "--out",
      join(dir, "crash"),
    ]);
    await until("the sweep's queue", () => /on queue (\S+)/.test(sweep.output()));
    const queue = /on queue (\S+)/.exec(sweep.output())?.[1] as string;
    const worker = new Worker<SeedBatch, BatchResult>(
      queue,
      async (job) => {
        if (job.data.tasks.some((t) => t.seed === 3))
          throw new UnrecoverableError("job stalled more than allowable limit");
        return {
          seeds: await Promise.all(
            job.data.tasks.map(async (t) => ({ seed: t.seed, result: await runTask(t) })),
          ),
        };
      },
      { connection: { url: redis.url, maxRetriesPerRequest: null }, prefix: "dbsim" },
    );
    try {
      expect(await sweep.exited).toBe(70);
      const json = JSON.parse(readFileSync(join(dir, "crash", "sweep.json"), "utf8"));
      expect(json.crashed_seeds).toEqual([3]);
      expect(json.seeds[2]).toEqual({
        seed: 3,
        crashed: "its worker died 3 times (job stalled more than allowable limit)",
      });
      expect(json.seeds.map((s: { seed: number }) => s.seed)).toEqual([1, 2, 3, 4]);
      expect(sweep.output()).toContain("dbsim: seed 3 crashed: its worker died 3 times");
    } finally {
      await worker.close(true);
    }
  }, 120_000);
});
