// Wall-clock time for the real driver, behind an interface a test replaces with virtual time.

/** µs since an arbitrary origin, and callbacks at given times. */
export interface Clock {
  now_us(): number;
  /**
   * Calls `fn` once the clock reads `at_us` or later; returns a function that cancels it.
   * `precise`: fire within microseconds (an arrival), not a timer's millisecond (a timeout).
   */
  at(at_us: number, fn: () => void, precise?: boolean): () => void;
}

/**
 * Node's timers fire a millisecond or more late. A precise wait sleeps on a timer until
 * POLL_WINDOW_US before its time, then polls between I/O events (setImmediate), so an arrival
 * starts within microseconds of its intended time while responses keep being read; arrivals closer
 * together than the window keep one core polling.
 */
const POLL_WINDOW_US = 1500;

export const wallClock: Clock = {
  now_us: () => performance.now() * 1000,
  at(at_us, fn, precise = false) {
    let cancelled = false;
    let timer: NodeJS.Timeout | null = null;
    const poll = (): void => {
      if (cancelled) return;
      if (performance.now() * 1000 >= at_us) fn();
      else setImmediate(poll);
    };
    const wait_us = at_us - performance.now() * 1000;
    const lead_us = precise ? POLL_WINDOW_US : 0;
    if (wait_us > lead_us) timer = setTimeout(precise ? poll : fn, (wait_us - lead_us) / 1000);
    else if (precise) poll();
    else setImmediate(() => cancelled || fn());
    return () => {
      cancelled = true;
      if (timer !== null) clearTimeout(timer);
    };
  },
};
