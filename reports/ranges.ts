// Ranges over physical nodes in report.json (`ranges`, with `cluster.nodes`: docs/ranges.md): each
// node's replicas and leaseholders at the end and their fewest and most over the run, sampled as
// the measured phase begins, at every change of a range's leader or replicas after time 0 (role and
// membership events: the only times they change, but for a crash, which shows at the next
// election; at time 0 the initial leaders take office one by one) and at the end; and its CPU's
// busy share over the measured phase.

import type { EngineEvent } from "../engine/events.js";
import { physicalNodeName } from "../engine/ranges/placement.js";
import type { RangeSpread } from "../engine/topology.js";
import type { RangesReport } from "./report-schema.js";

export class RangesRecorder {
  private readonly spread: () => RangeSpread | null;
  private readonly low: { ranges: number[]; leaseholders: number[] } = { ranges: [], leaseholders: [] };
  private readonly high: { ranges: number[]; leaseholders: number[] } = { ranges: [], leaseholders: [] };

  /** `spread`: the cluster's, now (null: no physical nodes, and nothing is recorded). */
  constructor(spread: () => RangeSpread | null) {
    this.spread = spread;
  }

  onEngineEvent(event: EngineEvent, time_us: number): void {
    if (time_us > 0 && (event.type === "role" || event.type === "membership")) this.sample();
  }

  /**
   * The section (undefined without physical nodes); `busyAtStart_us`: each CPU's busy time as the
   * measured phase began, over `measured_us`.
   */
  finish(busyAtStart_us: readonly number[], measured_us: number): RangesReport | undefined {
    const end = this.spread();
    if (end === null) return undefined;
    this.sample();
    return {
      nodes: Object.fromEntries(
        end.ranges.map((ranges, i) => [
          physicalNodeName(i),
          {
            ranges,
            ranges_min: this.low.ranges[i] as number,
            ranges_max: this.high.ranges[i] as number,
            leaseholders: end.leaseholders[i] as number,
            leaseholders_min: this.low.leaseholders[i] as number,
            leaseholders_max: this.high.leaseholders[i] as number,
            cpu_busy_share: share((end.cpu_busy_us[i] as number) - (busyAtStart_us[i] ?? 0), measured_us),
          },
        ]),
      ),
      moves: end.moves,
      lease_transfers: end.lease_transfers,
    };
  }

  /** Takes a sample now (the runner's, as the measured phase begins). */
  sample(): void {
    const now = this.spread();
    if (now === null) return;
    for (const key of ["ranges", "leaseholders"] as const) {
      now[key].forEach((value, i) => {
        this.low[key][i] = Math.min(this.low[key][i] ?? value, value);
        this.high[key][i] = Math.max(this.high[key][i] ?? value, value);
      });
    }
  }
}

/** Busy time over the phase, in [0, 1], to three decimals. */
function share(busy_us: number, measured_us: number): number {
  if (measured_us <= 0) return 0;
  return Math.round(Math.min(1, Math.max(0, busy_us / measured_us)) * 1000) / 1000;
}
