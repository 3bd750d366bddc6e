// dbsim check, through checkCommand with the top level's error handling (helpers.captured), as
// cli.ts runs it.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckArgs, checkCommand } from "../../cli/commands/check.js";
import { ETCD_HISTORIES, line } from "../workloads/checkers/helpers.js";
import { sequential } from "../workloads/checkers/transactions/helpers.js";
import { captured, cli, tempDir } from "./helpers.js";

function check(histories: string[], options: Partial<CheckArgs> = {}) {
  return captured((io) =>
    checkCommand({ histories, model: "register", timeout: "10s", json: false, ...options }, io),
  );
}

function historyFile(name: string, ...events: string[]): string {
  const path = join(tempDir(), name);
  writeFileSync(path, `${events.map(line).join("\n")}\n`);
  return path;
}

const GOOD = ["0 invoke write 1", "0 ok write 1", "1 invoke read", "1 ok read 1"];
const BAD = ["0 invoke write 1", "0 ok write 1", "1 invoke read", "1 ok read 2"];
const UNKNOWN = ["0 invoke append 1", "0 ok append 1"];

describe("dbsim check", () => {
  it("prints one verdict line per file and exits 0 when all are linearizable", async () => {
    const a = historyFile("a.jsonl", ...GOOD);
    const b = historyFile(
      "b.jsonl",
      "0 invoke write 1 x",
      "0 ok write 1 x",
      "1 invoke read null y",
      "1 ok read null y",
    );
    const { code, stdout, stderr } = await check([a, b]);
    expect(stderr).toBe("");
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^${a}: linearizable \\(2 ops, 1 key, \\d+(\\.\\d)? ms\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^${b}: linearizable \\(2 ops, 2 keys, \\d+(\\.\\d)? ms\\)$`));
    expect(code).toBe(0);
  });

  it("exits 1 when any is not linearizable, with the reason on its line", async () => {
    const good = historyFile("good.jsonl", ...GOOD);
    const bad = historyFile("bad.jsonl", ...BAD);
    const { code, stdout } = await check([good, bad]);
    expect(stdout.trimEnd().split("\n")[1]).toBe(
      `${bad}: NOT linearizable: read -> 2 by process 1 (index 2..3) cannot be linearized: after the longest ` +
        "consistent order found (1 op) the register holds 1; the history is consistent up to index 2",
    );
    expect(code).toBe(1);
  });

  it("says there was nothing to check in an empty history, and exits 3 (not linearizable, exit 0)", async () => {
    const empty = join(tempDir(), "empty.jsonl");
    writeFileSync(empty, "");
    const register = await check([empty]);
    expect(register.stdout).toBe(`${empty}: unknown: nothing to check (0 operations)\n`);
    expect(register.code).toBe(3);
    const bank = await check([empty], { model: "bank" });
    expect(bank.stdout).toBe(`${empty}: unknown: nothing to check (0 reads)\n`);
    expect(bank.code).toBe(3);
  });

  it("exits 3 when any is unknown and none is not linearizable", async () => {
    const unknown = historyFile("unknown.jsonl", ...UNKNOWN);
    const good = historyFile("good.jsonl", ...GOOD);
    const { code, stdout } = await check([good, unknown]);
    expect(stdout).toContain(
      `${unknown}: unknown: the register model knows read, write and cas, not f "append" (the operation at index 0)`,
    );
    expect(code).toBe(3);
    expect((await check([unknown, historyFile("bad.jsonl", ...BAD)])).code).toBe(1);
  });

  it("gives unknown past --timeout", async () => {
    const file = historyFile("h.jsonl", ...GOOD);
    const { code, stdout } = await check([file], { timeout: "1us" });
    expect(stdout).toBe(`${file}: unknown: time limit of 0.001 ms reached with 0 of 1 key checked\n`);
    expect(code).toBe(3);
  });

  it("prints one JSON object with --json", async () => {
    const good = historyFile("good.jsonl", ...GOOD);
    const bad = historyFile("bad.jsonl", ...BAD);
    const { code, stdout } = await check([good, bad], { json: true });
    const { results } = JSON.parse(stdout);
    expect(results).toEqual([
      { file: good, valid: true, ops: 2, keys: 1, ms: expect.any(Number), keys_checked: 1 },
      {
        file: bad,
        valid: false,
        reason: expect.stringContaining("read -> 2 by process 1"),
        ops: 2,
        keys: 1,
        ms: expect.any(Number),
        keys_checked: 0,
        violation: expect.objectContaining({ key: null, register: 1, last_consistent_index: 2 }),
      },
    ]);
    expect(code).toBe(1);
  });

  it("checks the etcd histories", async () => {
    const directory = ETCD_HISTORIES;
    const { code, stdout } = await check([
      join(directory, "etcd_000.jsonl"),
      join(directory, "etcd_002.jsonl"),
    ]);
    expect(stdout).toMatch(/etcd_000\.jsonl: NOT linearizable: read -> 2 by process 11/);
    expect(stdout).toMatch(/etcd_002\.jsonl: linearizable \(77 ops, 1 key, /);
    expect(code).toBe(1);
  });

  const bad: [string, () => [string[], Partial<CheckArgs>], RegExp][] = [
    [
      "a missing file",
      () => [["/nonexistent/h.jsonl"], {}],
      /^dbsim: cannot read history \/nonexistent\/h\.jsonl: no such file$/,
    ],
    [
      "a directory",
      () => [[tempDir()], {}],
      /: it is a directory; a history must be a regular file of at most 2 GiB$/,
    ],
    [
      "a malformed line",
      () => {
        const path = join(tempDir(), "m.jsonl");
        writeFileSync(path, `${line("0 invoke read")}\n{"process": 0,\n`);
        return [[historyFile("good.jsonl", ...GOOD), path], {}];
      },
      /^dbsim: \/.*\/m\.jsonl:2: not JSON \(.*\)$/,
    ],
    [
      "an unknown model",
      () => [[historyFile("h.jsonl", ...GOOD)], { model: "queue" }],
      /^dbsim: --model: unknown model "queue" \(the models are: register, bank, list-append, rw-register\)$/,
    ],
    [
      "a bad --timeout",
      () => [[historyFile("h.jsonl", ...GOOD)], { timeout: "soon" }],
      /^dbsim: --timeout: "soon" is not a duration/,
    ],
    [
      "a zero --timeout",
      () => [[historyFile("h.jsonl", ...GOOD)], { timeout: "0" }],
      /^dbsim: --timeout: must be more than 0/,
    ],
  ];
  for (const [what, args, message] of bad) {
    it(`exits 2 with one line and no verdicts for ${what}`, async () => {
      const [histories, options] = args();
      const { code, stdout, stderr } = await check(histories, options);
      expect(stderr.trimEnd()).toMatch(message);
      expect(stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });
  }
});

describe("dbsim check through the command line", () => {
  it("is registered: verdict lines and the exit code for the etcd histories", async () => {
    const files = ["000", "001", "002"].map((n) => join(ETCD_HISTORIES, `etcd_${n}.jsonl`));
    const { code, stdout, stderr } = await cli("check", ...files);
    expect(stderr).toBe("");
    expect(stdout.trimEnd().split("\n")).toHaveLength(3);
    expect([0, 1]).toContain(code);
  });
});

describe("dbsim check --model bank", () => {
  const readLine = (process: number, balances: Record<string, number>) => [
    `${process} invoke read`,
    `${process} ok read ${JSON.stringify(balances)}`,
  ];
  const transfer = `{"from":"a","to":"b","amount":3}`;
  const good = historyFile(
    "good.jsonl",
    ...readLine(0, { a: 10, b: 10 }),
    `1 invoke transfer ${transfer}`,
    `1 ok transfer ${transfer}`,
    ...readLine(0, { a: 7, b: 13 }),
  );
  const bad = historyFile("bad.jsonl", ...readLine(0, { a: 10, b: 10 }), ...readLine(0, { a: 10, b: 9 }));

  it("prints one line per file and exits 1 when any read breaks the invariants", async () => {
    const { code, stdout } = await check([good, bad], { model: "bank" });
    expect(code).toBe(1);
    const [first, second] = stdout.trimEnd().split("\n");
    expect(first).toMatch(/good\.jsonl: bank invariants hold \(2 reads, total 20, [\d.]+ ms\)$/);
    expect(second).toMatch(
      /bad\.jsonl: bank invariants VIOLATED \(1 anomaly\): the read at index 2 sums to 19, not 20$/,
    );
  });

  it("takes the total from --total, and reports the anomalies with --json", async () => {
    const { code, stdout } = await check([good], { model: "bank", total: 25, json: true });
    expect(code).toBe(1);
    const [result] = JSON.parse(stdout).results;
    expect(result).toMatchObject({ valid: false, expected_total: 25, reads: 2, anomaly_count: 2 });
    expect(result.anomalies[0]).toMatchObject({ type: "wrong-total", total: 20, expected: 25 });
  });

  it("refuses --total without --model bank, and a register check of a bank history is unknown with a hint", async () => {
    expect((await check([good], { total: 20 })).code).toBe(2);
    const { code, stdout } = await check([good]);
    expect(code).toBe(3);
    expect(stdout).toMatch(/not f "transfer".*a bank history is checked with the bank model/);
  });
});

describe("dbsim check --model list-append | rw-register", () => {
  const txnFile = (name: string, text: string) => {
    const path = join(tempDir(), name);
    writeFileSync(path, `${text}\n`);
    return path;
  };
  const a = (key: string, element: number): ["append", string, number] => ["append", key, element];
  const r = (key: string, list: number[] | null): ["r", string, number[] | null] => ["r", key, list];
  // The README's example of Elle: G1c.
  const g1c = txnFile(
    "g1c.jsonl",
    sequential(
      [0, "ok", [a("x", 1), r("y", [1])]],
      [1, "ok", [a("x", 2), a("y", 1)]],
      [2, "ok", [r("x", [1, 2])]],
    ),
  );
  const good = txnFile("good.jsonl", sequential([0, "ok", [a("x", 1)]], [1, "ok", [r("x", [1])]]));
  const g2 = txnFile(
    "g2.jsonl",
    sequential([0, "ok", [a("x", 1), r("y", null)]], [1, "ok", [a("y", 1), r("x", null)]]),
  );

  it("prints a verdict line per file, each anomaly type's first explanation below, and exits 1", async () => {
    const { code, stdout } = await check([good, g1c], { model: "list-append", consistency: "serializable" });
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/good\.jsonl: serializable holds \(2 transactions, [\d.]+ ms\)$/);
    expect(lines[1]).toBe(`${g1c}: NOT serializable (3 transactions): G1c`);
    expect(lines[2]).toBe(
      `  G1c (1): G1c: T2 < T0, because T0 observed T2's append of 1 to "y"; however, T0 < T2, because T2 appended 2 after T0 appended 1 to "x": a contradiction`,
    );
    expect(code).toBe(1);
  });

  it("judges by the consistency model: G2-item is allowed by read-committed and snapshot isolation", async () => {
    expect((await check([g2], { model: "list-append", consistency: "read-committed" })).code).toBe(0);
    expect((await check([g2], { model: "list-append", consistency: "snapshot-isolation" })).code).toBe(0);
    expect((await check([g2], { model: "list-append", consistency: "repeatable-read" })).code).toBe(1);
    // Elle's default: strict-serializable.
    expect((await check([g2], { model: "list-append" })).stdout).toContain("NOT strict-serializable");
  });

  it("prints elle-cli's valid, anomaly_types and anomalies with --json", async () => {
    const { code, stdout } = await check([g1c], {
      model: "list-append",
      consistency: "serializable",
      json: true,
    });
    const [result] = JSON.parse(stdout).results;
    expect(result).toMatchObject({
      file: g1c,
      valid: false,
      consistency: "serializable",
      anomaly_types: ["G1c"],
      anomaly_counts: { G1c: 1 },
      transactions: 3,
    });
    expect(result.anomalies.G1c[0].steps.map((step: { type: string }) => step.type)).toEqual(["wr", "ww"]);
    expect(code).toBe(1);
  });

  it("exits 3 when it cannot tell: nothing depends on anything, an append repeated, or past --timeout", async () => {
    const empty = txnFile("empty.jsonl", "");
    const repeated = txnFile("repeated.jsonl", sequential([0, "ok", [a("x", 1)]], [1, "ok", [a("x", 1)]]));
    const { code, stdout } = await check([empty, repeated], { model: "list-append" });
    expect(stdout.trimEnd().split("\n")).toEqual([
      `${empty}: unknown: no transaction depends on another: 0 transactions, nothing to check`,
      `${repeated}: unknown: list-append needs unique appends: T0 and T2 both appended 1 to key "x"`,
    ]);
    expect(code).toBe(3);
    const late = await check([g2], { model: "list-append", consistency: "serializable", timeout: "1us" });
    expect(late.stdout).toBe(
      `${g2}: unknown: the time limit passed while searching a cycle of 2 transactions for G0\n`,
    );
    expect(late.code).toBe(3);
  });

  it("checks rw-register histories", async () => {
    const path = txnFile(
      "rw.jsonl",
      sequential(
        [
          0,
          "ok",
          [
            ["w", "x", 1],
            ["r", "y", 1],
          ],
        ],
        [
          1,
          "ok",
          [
            ["w", "y", 1],
            ["r", "x", 1],
          ],
        ],
      ),
    );
    const { code, stdout } = await check([path], { model: "rw-register", consistency: "read-committed" });
    expect(stdout).toContain(`${path}: NOT read-committed (2 transactions): G1c`);
    expect(code).toBe(1);
  });

  const refused: [string, () => [string[], Partial<CheckArgs>], RegExp][] = [
    [
      "an unknown consistency model",
      () => [[good], { model: "list-append", consistency: "linearizable" }],
      /^dbsim: --consistency: unknown consistency model "linearizable" \(the models are: read-committed, repeatable-read, snapshot-isolation, serializable, strict-serializable, strong-session-snapshot-isolation, strong-session-serializable\)$/,
    ],
    [
      "--consistency with a register model",
      () => [[good], { consistency: "serializable" }],
      /^dbsim: --consistency: only with --model list-append or rw-register$/,
    ],
    [
      "a bad micro-operation",
      () => [
        [good, txnFile("bad.jsonl", `{"process":0,"type":"invoke","f":"txn","value":[["cas","x",1]]}`)],
        { model: "list-append" },
      ],
      /^dbsim: \/.*\/bad\.jsonl:1: micro-operation 0: f must be "r" or "append" for list-append \(got "cas"\)$/,
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`exits 2 with one line and no verdicts for ${what}`, async () => {
      const [histories, options] = args();
      const { code, stdout, stderr } = await check(histories, options);
      expect(stderr.trimEnd()).toMatch(message);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });
  }

  it("is registered: --model and --consistency on the command line", async () => {
    const { code, stdout } = await cli(
      "check",
      g1c,
      "--model",
      "list-append",
      "--consistency",
      "read-committed",
    );
    expect(stdout).toContain("NOT read-committed");
    expect(code).toBe(1);
  });
});
