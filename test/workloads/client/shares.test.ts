// Each client region's share of the clients, the rate and the backlog.

import { describe, expect, it } from "vitest";
import { constantRate, meanRatePerS } from "../../../workloads/client/arrivals.js";
import { clientShares } from "../../../workloads/client/shares.js";

describe("clientShares", () => {
  it("gives a single client host everything, and the stream `arrivals`", () => {
    const rate = constantRate(2000);
    const settings = { clients: 32, rate, max_backlog: 1000 };
    expect(clientShares(settings, [])).toEqual([
      { region: null, clients: 32, first_process: 0, rate, max_backlog: 1000, arrivals: "arrivals" },
    ]);
    expect(clientShares(settings, ["us-west"])[0]).toMatchObject({
      region: "us-west",
      rate,
      arrivals: "arrivals",
    });
  });

  it("splits clients evenly, the first regions one more, and the rate and backlog in proportion", () => {
    const shares = clientShares({ clients: 10, rate: constantRate(1000), max_backlog: 100 }, ["a", "b", "c"]);
    expect(shares.map((share) => share.clients)).toEqual([4, 3, 3]);
    expect(shares.map((share) => share.first_process)).toEqual([0, 4, 7]);
    expect(shares.map((share) => share.rate?.after_per_s)).toEqual([400, 300, 300]);
    expect(shares.map((share) => share.max_backlog)).toEqual([40, 30, 30]);
    expect(shares.map((share) => share.arrivals)).toEqual(["arrivals:a", "arrivals:b", "arrivals:c"]);
  });

  it("scales every stage of a staged rate; a closed loop stays closed", () => {
    const rate = { stages: [{ for_us: 1e6, from_per_s: 0, to_per_s: 900 }], after_per_s: 900 };
    const [first] = clientShares({ clients: 9, rate, max_backlog: 10 }, ["a", "b", "c"]);
    expect(meanRatePerS(first?.rate ?? rate, 0, 2e6)).toBeCloseTo(meanRatePerS(rate, 0, 2e6) / 3);
    const closed = clientShares({ clients: 4, rate: null, max_backlog: 10 }, ["a", "b"]);
    expect(closed.map((share) => share.rate)).toEqual([null, null]);
  });
});
