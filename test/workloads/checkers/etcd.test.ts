// The 102 etcd histories Jepsen recorded (test/fixtures/histories/etcd), with Porcupine's verdicts.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHistoryJsonl } from "../../../workloads/checkers/history.js";
import { checkLinearizable } from "../../../workloads/checkers/linearizable.js";
import { ETCD_HISTORIES } from "./helpers.js";

const expected: Record<string, boolean> = JSON.parse(
  readFileSync(join(ETCD_HISTORIES, "expected.json"), "utf8"),
);

describe("the etcd histories", () => {
  it("are all there", () => {
    expect(Object.keys(expected)).toHaveLength(102);
  });

  for (const [file, linearizable] of Object.entries(expected)) {
    it(`${file} is ${linearizable ? "" : "not "}linearizable`, () => {
      const history = parseHistoryJsonl(readFileSync(join(ETCD_HISTORIES, file), "utf8"), file);
      const verdict = checkLinearizable(history);
      expect(verdict.valid, verdict.reason).toBe(linearizable);
      if (!linearizable) expect(verdict.violation?.operation.type).toBe("ok");
    });
  }
});
