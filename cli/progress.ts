// A progress bar for long runs on a terminal: shown only on a TTY, and only once a run has taken
// more than ~2 s of wall time (short runs print nothing but their summary).

import cliProgress from "cli-progress";
import type { RunProgress } from "../workloads/runner.js";

const SHOW_AFTER_MS = 2000;

export class RunProgressBar {
  private bar: cliProgress.SingleBar | null = null;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(enabled: boolean) {
    this.enabled = enabled;
  }

  update(progress: RunProgress): void {
    if (!this.enabled) return;
    const total_s = Math.max(1, Math.round(progress.end_us / 1e6));
    const done_s = Math.min(total_s, Math.floor(progress.now_us / 1e6));
    if (this.bar === null) {
      if (Date.now() - this.started < SHOW_AFTER_MS) return;
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: "{bar} {value}/{total} virtual s | {events} events | {ops} ops | ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total_s, done_s, { events: progress.events, ops: progress.operations });
    }
    this.bar.update(done_s, { events: progress.events, ops: progress.operations });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/**
 * A bar counting finished runs (matrix, sweep), on a terminal only. `extra` names payload fields
 * shown after the count, e.g. "failing"; their values start at 0 and come with `increment`.
 */
export function countProgressBar(
  enabled: boolean,
  total: number,
  unit: string,
  extra: readonly string[] = [],
): cliProgress.SingleBar | null {
  if (!enabled) return null;
  const fields = extra.map((name) => ` | {${name}} ${name}`).join("");
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `{bar} {value}/{total} ${unit}${fields} | ETA {eta_formatted}`,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, Object.fromEntries(extra.map((name) => [name, 0])));
  return bar;
}
