// A node's connection table: opens a connection at its first request up to `max`, refuses past it,
// charges `setup` once and `context_switch` per other active request.

import { describe, expect, it } from "vitest";
import { ConnectionStats, ConnectionTable, resolveConnections } from "../../../engine/node/connections.js";

describe("ConnectionTable", () => {
  const settings = { max: 2, setup_us: 200, context_switch_us: 3 };

  it("opens connections at their first request, up to max, and refuses more", () => {
    const stats = new ConnectionStats();
    const table = new ConnectionTable(settings, stats);
    expect(table.admit(9, 0)).toBe(true);
    expect(table.admit(9, 0)).toBe(true); // already open
    expect(table.admit(9, 1)).toBe(true);
    expect(table.admit(10, 0)).toBe(false); // another host's connection: a third
    expect(stats).toMatchObject({ open: 2, open_peak: 2, opened: 2, refused: 1 });
  });

  it("charges setup once, and context_switch per other request active at the node", () => {
    const table = new ConnectionTable(settings, new ConnectionStats());
    table.admit(9, 0);
    expect(table.cost_us(9, 0, 1)).toBe(200);
    expect(table.cost_us(9, 0, 1)).toBe(0);
    expect(table.cost_us(9, 0, 11)).toBe(30);
  });

  it("a restarted node begins with no connection open; its counters go on", () => {
    const stats = new ConnectionStats();
    new ConnectionTable(settings, stats).admit(9, 0);
    const restarted = new ConnectionTable(settings, stats);
    expect(stats.open).toBe(0);
    expect(restarted.admit(9, 0)).toBe(true);
    expect(stats).toMatchObject({ open: 1, opened: 2 });
  });

  it("defaults to PostgreSQL's max_connections", () => {
    expect(resolveConnections(undefined)).toEqual({ max: 100, setup_us: 200, context_switch_us: 1 });
  });
});
