// Elle's own examples (README.markdown and test/elle/*_test.clj of jepsen-io/elle), written as
// dbsim transaction histories in test/fixtures/histories/elle/, with the anomaly types Elle's tests
// expect. `only`: Elle's test asked for those anomalies alone, so only they are compared.
// `dbsim_anomaly_types`: where dbsim differs by design (expected.json's `note` says why).

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkTransactions } from "../../../../workloads/checkers/transactions/check.js";
import type { ConsistencyModel } from "../../../../workloads/checkers/transactions/consistency.js";
import type { TransactionModel } from "../../../../workloads/checkers/transactions/history.js";
import { readTransactions } from "./helpers.js";

const DIR = "test/fixtures/histories/elle";

interface Check {
  consistency: ConsistencyModel;
  anomaly_types: string[];
  only?: string[];
  dbsim_anomaly_types?: string[];
}
interface Example {
  file: string;
  model: TransactionModel;
  source: string;
  checks: Check[];
}

const EXAMPLES: Example[] = JSON.parse(readFileSync(`${DIR}/expected.json`, "utf8"));

function anomalyTypes(example: Example, check: Check): string[] {
  const verdict = checkTransactions(readTransactions(`${DIR}/${example.file}`, example.model), {
    model: example.model,
    consistency: check.consistency,
  });
  return verdict.anomaly_types.filter((type) => check.only === undefined || check.only.includes(type)).sort();
}

describe("Elle's examples", () => {
  for (const example of EXAMPLES) {
    for (const check of example.checks) {
      it(`${example.file} under ${check.consistency}: ${JSON.stringify(check.anomaly_types)} (${example.source})`, () => {
        expect(anomalyTypes(example, check)).toEqual(
          [...(check.dbsim_anomaly_types ?? check.anomaly_types)].sort(),
        );
      });
    }
  }

  it("agree with Elle on 53 of the 54 checks (the other differs by design: writes-follow-reads)", () => {
    const checks = EXAMPLES.flatMap((example) => example.checks.map((check) => ({ example, check })));
    const agreeing = checks.filter(
      ({ example, check }) =>
        JSON.stringify(anomalyTypes(example, check)) === JSON.stringify([...check.anomaly_types].sort()),
    );
    expect([agreeing.length, checks.length]).toEqual([53, 54]);
  });
});
