// A writer in a child process, for test/reports/run-dir.test.ts: what two processes do to one path
// at once, and what a writer killed part way (SIGKILL, as a crash or the OOM killer) leaves.
//
//   race <dir> <me> <other>     check <dir>, say so (<dir>.<me>.ready), wait for <other> to have
//                               checked it too, then write report.json = <me>; prints the outcome
//   kill-at <dir> <step> <text> write report.json = <text>, killed at the commit's <step>
//   kill-writing <dir>          killed while streaming a file's chunks

import { existsSync, writeFileSync } from "node:fs";
import { checkDirTarget } from "../../reports/output-path.js";
import { type CommitStep, runDirTestHooks, writeRunDir } from "../../reports/run-dir.js";

const [mode, dir, a, b] = process.argv.slice(2) as [string, string, string, string];
const pause = new Int32Array(new SharedArrayBuffer(4));

if (mode === "race") {
  const expected = checkDirTarget(dir, "run");
  writeFileSync(`${dir}.${a}.ready`, "");
  for (let waited = 0; !existsSync(`${dir}.${b}.ready`) && waited < 60_000; waited += 5)
    Atomics.wait(pause, 0, 0, 5);
  const outcome = writeRunDir(dir, new Map([["report.json", a]]), { expected });
  process.stdout.write(JSON.stringify(outcome));
} else if (mode === "kill-at") {
  runDirTestHooks.step = (step: CommitStep) => {
    if (step === a) process.kill(process.pid, "SIGKILL");
  };
  writeRunDir(dir, new Map([["report.json", b]]));
} else if (mode === "kill-writing") {
  writeRunDir(
    dir,
    new Map([
      [
        "history.jsonl",
        function* () {
          yield "{}\n";
          process.kill(process.pid, "SIGKILL");
        },
      ],
    ]),
  );
}
