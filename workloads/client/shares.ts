// Clients in several regions (topology.clients a list): each region's client host gets its share
// of the logical clients (evenly; the first regions one more while some are left over), of the
// open-loop rate and of the backlog (both in proportion to its clients), and arrivals drawn from a
// stream of its own, `arrivals:<region>`, so one region's schedule does not depend on another's.
// A single client host gets everything and the stream `arrivals`: the run it always was.

import type { RateShape } from "./arrivals.js";

export interface ClientShare {
  /** The client host's region (null without a topology). */
  readonly region: string | null;
  readonly clients: number;
  /** The process number of its first client (the clients before it, on the hosts before). */
  readonly first_process: number;
  readonly rate: RateShape | null;
  readonly max_backlog: number;
  /** The name of the seeded stream its arrivals are drawn from. */
  readonly arrivals: string;
}

export function clientShares(
  settings: { readonly clients: number; readonly rate: RateShape | null; readonly max_backlog: number },
  regions: readonly string[],
): ClientShare[] {
  if (regions.length <= 1) {
    const { clients, rate, max_backlog } = settings;
    return [
      { region: regions[0] ?? null, clients, first_process: 0, rate, max_backlog, arrivals: "arrivals" },
    ];
  }
  const base = Math.floor(settings.clients / regions.length);
  const extra = settings.clients % regions.length;
  let first_process = 0;
  return regions.map((region, i) => {
    const clients = base + (i < extra ? 1 : 0);
    const fraction = clients / settings.clients;
    const share: ClientShare = {
      region,
      clients,
      first_process,
      rate: settings.rate === null ? null : scaleRate(settings.rate, fraction),
      max_backlog: Math.max(1, Math.ceil(settings.max_backlog * fraction)),
      arrivals: `arrivals:${region}`,
    };
    first_process += clients;
    return share;
  });
}

function scaleRate(shape: RateShape, fraction: number): RateShape {
  return {
    stages: shape.stages.map((stage) => ({
      for_us: stage.for_us,
      from_per_s: stage.from_per_s * fraction,
      to_per_s: stage.to_per_s * fraction,
    })),
    after_per_s: shape.after_per_s * fraction,
  };
}
