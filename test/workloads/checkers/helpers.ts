import { type History, parseHistoryJsonl } from "../../../workloads/checkers/history.js";

/** The 102 etcd histories and their verdicts (expected.json), from the repository's root. */
export const ETCD_HISTORIES = "test/fixtures/histories/etcd";

/**
 * One JSONL line from "process type f [value [key]]", e.g. "0 invoke write 1", "1 ok read null x",
 * "2 invoke cas [1,2]": values in JSON, no key = the single register.
 */
export function line(event: string): string {
  const [process, type, f, value, key] = event.split(" ");
  return JSON.stringify({
    process: Number(process),
    type,
    f,
    value: value === undefined ? null : JSON.parse(value),
    ...(key === undefined ? {} : { key }),
  });
}

/** A history from compact events (see `line`), in order. */
export function history(...events: string[]): History {
  return parseHistoryJsonl(events.map(line).join("\n"), "test.jsonl");
}
