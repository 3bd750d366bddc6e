// A client's retries of operations that definitely failed (an aborted transaction): up to `retries`
// more attempts, each after an exponential backoff with seeded jitter. Retry n (1-based) waits a
// uniform delay in [d/2, d], d = backoff x 2^(n-1), doubling at most BACKOFF_DOUBLINGS_MAX times
// (AWS's "equal jitter": clients that collided spread out, and none waits less than half).

import type { Rng } from "../../sim/rng.js";

/** The backoff stops doubling after this many retries (d at most backoff x 32). */
export const BACKOFF_DOUBLINGS_MAX = 5;

export interface RetrySettings {
  /** Attempts after the first, at most. */
  readonly retries: number;
  /** The first retry's delay, at most. */
  readonly backoff_us: number;
}

export class RetryPolicy {
  private readonly settings: RetrySettings;
  private readonly jitter: Rng;

  /** `jitter`: the policy's own stream, so the operations drawn do not depend on retries. */
  constructor(settings: RetrySettings, jitter: Rng) {
    this.settings = settings;
    this.jitter = jitter;
  }

  /** The delay before attempt `attempt` + 1, after attempt `attempt` (0: the first) failed; null: give up. */
  delay_us(attempt: number): number | null {
    if (attempt >= this.settings.retries) return null;
    const d = this.settings.backoff_us * 2 ** Math.min(attempt, BACKOFF_DOUBLINGS_MAX);
    return Math.round(d / 2 + this.jitter.float() * (d / 2));
  }
}
