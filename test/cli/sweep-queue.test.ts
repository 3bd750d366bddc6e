// The parts of a distributed sweep that need no Redis: the queue URL (parsed, described without its
// password, refused in one line), a server that does not answer (one line, exit 2, the wait said),
// options that do not go with --queue, and the default batch.

import { describe, expect, it } from "vitest";
import { sweepCommand } from "../../cli/commands/sweep.js";
import { workerCommand } from "../../cli/commands/worker.js";
import { parseQueueUrl } from "../../cli/queue/connection.js";
import { BATCH_SEEDS_MAX, defaultBatch } from "../../cli/queue/jobs.js";
import { errorText, redact } from "../../cli/real/target.js";
import { freePort } from "../e2e/servers.js";
import { captured, scenarioFile, TINY } from "./helpers.js";

const PASSWORD = "Pa%24%24-Secret";

describe("the queue URL", () => {
  it("is described without its password, in clear and TLS forms", () => {
    const plain = parseQueueUrl(`redis://:${PASSWORD}@redis.example:6380/3`, "--queue");
    expect(plain.name).toBe("redis://redis.example:6380/3");
    expect(plain.url).toContain(PASSWORD);
    const tls = parseQueueUrl(`rediss://dbsim:${PASSWORD}@redis.example/0`, "--queue");
    expect(tls.name).toBe("rediss://redis.example/0");
    const message = `connect to ${tls.url} failed: auth Pa$$-Secret rejected`;
    expect(redact(message, tls)).toBe("connect to rediss://redis.example/0 failed: auth *** rejected");
    expect(errorText(new Error(`WRONGPASS ${PASSWORD}`), plain)).toBe("WRONGPASS ***");
  });

  it("refuses anything but redis:// and rediss:// in one line that does not quote it", () => {
    for (const text of [
      `http://:${PASSWORD}@host/`,
      `postgres://u:${PASSWORD}@host/db`,
      `redis://:${PASSWORD}@host/not-a-db`,
      `redis://:${PASSWORD}@/0`,
      `${PASSWORD}`,
      `redis://:${PASSWORD}@host/${"0".repeat(3000)}`,
    ]) {
      expect(() => parseQueueUrl(text, "--queue")).toThrow(/^--queue: /);
      try {
        parseQueueUrl(text, "--queue");
      } catch (error) {
        expect((error as Error).message).not.toContain(PASSWORD);
        expect((error as Error).message).not.toContain("\n");
      }
    }
  });
});

describe("the queue URL from the environment (env:NAME)", () => {
  it("reads the variable, and says which one is missing or malformed without quoting it", () => {
    process.env.DBSIM_TEST_QUEUE = `rediss://:${PASSWORD}@redis.example:6390/1`;
    process.env.DBSIM_TEST_BAD = `http://:${PASSWORD}@redis.example/`;
    try {
      expect(parseQueueUrl("env:DBSIM_TEST_QUEUE", "--queue").name).toBe("rediss://redis.example:6390/1");
      expect(() => parseQueueUrl("env:DBSIM_TEST_UNSET", "--queue")).toThrow(
        "--queue: the environment variable DBSIM_TEST_UNSET is not set",
      );
      expect(() => parseQueueUrl("env:DBSIM_TEST_BAD", "--queue")).toThrow(
        /^--queue \(DBSIM_TEST_BAD\): expected redis:\/\/\[\[user\]:password@\]host/,
      );
      expect(() => parseQueueUrl("env:1-x", "--queue")).toThrow("env:NAME names an environment variable");
    } finally {
      delete process.env.DBSIM_TEST_QUEUE;
      delete process.env.DBSIM_TEST_BAD;
    }
  });
});

describe("a queue that does not answer", () => {
  it("is one line and exit 2 for the sweep and the worker, saying how long it waited, no password", async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://:${PASSWORD}@127.0.0.1:${port}/0`;
    const scenario = scenarioFile(TINY);
    const sweep = await captured((io) =>
      sweepCommand({ scenario, seeds: "1..2", set: [], json: false, progress: false, queue: url }, io),
    );
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toBe(
      `dbsim: --queue redis://127.0.0.1:${port}/0: cannot connect (waited at most 10 s): connect ECONNREFUSED 127.0.0.1:${port}\n`,
    );
    const worker = await captured((io) => workerCommand({ url, workers: 1 }, io));
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain(`dbsim: dbsim worker redis://127.0.0.1:${port}/0: cannot connect`);
    expect(worker.stderr).not.toContain(PASSWORD);
  }, 60_000);
});

describe("dbsim sweep --queue options", () => {
  const scenario = scenarioFile(TINY);
  const run = (extra: object) =>
    captured((io) =>
      sweepCommand({ scenario, seeds: "1..2", set: [], json: false, progress: false, ...extra }, io),
    );

  it("refuses --workers with --queue (the workers take it), and --batch without it or out of range", async () => {
    const workers = await run({ queue: "redis://127.0.0.1:1/0", workers: 2 });
    expect(workers.code).toBe(2);
    expect(workers.stderr).toBe(
      "dbsim: --workers: with --queue the seeds run on dbsim worker, which takes --workers\n",
    );
    const batch = await run({ batch: 2 });
    expect(batch.stderr).toBe("dbsim: --batch: only with --queue\n");
    const big = await run({ queue: "redis://127.0.0.1:1/0", batch: BATCH_SEEDS_MAX + 1 });
    expect(big.stderr).toBe(
      `dbsim: --batch: expected an integer in [1, ${BATCH_SEEDS_MAX}] (got ${BATCH_SEEDS_MAX + 1})\n`,
    );
  });

  it("batches a few seeds per job by default", () => {
    expect([1, 63, 64, 200, 10_000].map(defaultBatch)).toEqual([1, 1, 1, 3, 8]);
  });
});
