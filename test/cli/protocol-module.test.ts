// A scenario's own replication protocol (`cluster.replication.protocol`): the module is checked and
// tried before the run, and every refusal is one line with exit code 2.

import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, scenarioFile, TINY, tempDir } from "./helpers.js";

/** `dbsim run` of a tiny scenario whose protocol is the module at `path`. */
async function runWith(path: string) {
  const out = tempDir();
  const scenario = scenarioFile(`${TINY}\ncluster: { replicas: 3, replication: { protocol: "${path}" } }\n`);
  return cli("run", scenario, "--out", join(out, "run"), "--no-metrics");
}

/** A module in a fresh directory; returns its path. */
function module(text: string): string {
  const path = join(tempDir(), "protocol.js");
  writeFileSync(path, text);
  return path;
}

function expectRefused(outcome: { code: number; stderr: string }, message: RegExp) {
  expect(outcome.code).toBe(2);
  expect(outcome.stderr).toMatch(message);
  expect(outcome.stderr.trim().split("\n")).toHaveLength(1);
}

describe("a protocol module", () => {
  it("runs when it exports createProtocol (the chain-replication example)", async () => {
    const outcome = await runWith("./examples/chain-replication/index.js");
    expect(outcome.stderr).toBe("");
    expect(outcome.code).toBe(0);
  });

  it("is refused when the path names no file, or a FIFO (without blocking on it)", async () => {
    expectRefused(await runWith("./no/such/protocol.js"), /cannot read protocol module .*: no such file$/m);
    const pipe = join(tempDir(), "protocol.js");
    execFileSync("mkfifo", [pipe]);
    expectRefused(
      await runWith(pipe),
      /it is a FIFO \(named pipe\); a protocol module must be a regular file/,
    );
  });

  it("is refused when it does not load, exports no createProtocol, or builds no protocol", async () => {
    expectRefused(
      await runWith(module("export const createProtocol = (;\n")),
      /^dbsim: cluster\.replication\.protocol: .*protocol\.js does not load: /,
    );
    expectRefused(
      await runWith(module("export const protocol = {};\n")),
      /protocol\.js does not export createProtocol \(see docs\/replication\.md/,
    );
    expectRefused(
      await runWith(module("export const createProtocol = () => () => ({ start() {} });\n")),
      /builds no ReplicationProtocol: it lacks applies_on_append, onMessage, onTimer, refusal, onWrite, onRead, onDurable$/m,
    );
    expectRefused(
      await runWith(module('export const createProtocol = () => { throw new Error("no"); };\n')),
      /does not build a protocol: no$/m,
    );
  });

  it("is refused by sweep and matrix before any worker imports it, and nothing is written", async () => {
    const broken = module("export const protocol = {};\n");
    const scenario = scenarioFile(
      `${TINY}\ncluster: { replicas: 3, replication: { protocol: "${broken}" } }\n`,
    );
    const out = join(tempDir(), "out");
    expectRefused(
      await cli("sweep", scenario, "--seeds", "1..2", "--out", out, "--no-metrics"),
      /protocol\.js does not export createProtocol/,
    );
    expectRefused(
      await cli("matrix", scenario, "--vary", "cluster.replicas=3,5", "--out", out, "--no-metrics"),
      /protocol\.js does not export createProtocol/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("needs a leader-follower mode", async () => {
    const scenario = scenarioFile(
      `${TINY}\ncluster: { replicas: 3, replication: { mode: multi-leader, protocol: ./examples/chain-replication/index.js } }\n`,
    );
    expectRefused(
      await cli("run", scenario, "--no-metrics"),
      /cluster\.replication\.protocol: needs a leader-follower mode \(got mode: multi-leader\)/,
    );
  });
});
