import type { HostId, Message } from "../../../sim/host.js";
import { Rng } from "../../../sim/rng.js";
import { Simulation } from "../../../sim/simulation.js";
import {
  type ClusterView,
  FaultInjector,
  type NodeRoleState,
  type ResolvedFaults,
  resolveFaults,
} from "../../../workloads/nemesis/injector.js";
import { type FaultsInput, faultsSchema } from "../../../workloads/nemesis/schema.js";

export const TICK_US = 1000;
export const LATENCY_US = 100;

interface Ping extends Message {
  sent_us: number;
}

export interface Delivery {
  from: HostId;
  to: HostId;
  sent_us: number;
  at_us: number;
}

/** The names of `nodes` database nodes, shard0/n0 ... */
export const nodeNames = (nodes: number) => Array.from({ length: nodes }, (_, i) => `shard0/n${i}`);

/**
 * A ClusterView whose roles (and nodes out of service) the test sets; node i is host i, the client
 * the last host.
 */
export class FakeView implements ClusterView {
  readonly roles: NodeRoleState[];
  private readonly names: string[];
  private readonly outOfService: readonly number[];
  constructor(roles: NodeRoleState[], outOfService: readonly number[] = []) {
    this.roles = roles;
    this.names = nodeNames(roles.length);
    this.outOfService = outOfService;
  }
  nodes() {
    return this.roles.map((role, id) => ({
      id,
      name: this.names[id] as string,
      role,
      in_service: !this.outOfService.includes(id),
    }));
  }
  clients() {
    return [{ id: this.roles.length, region: null }];
  }
}

/**
 * A cluster of hand-built hosts (nodes shard0/n0.. then `client`), each pinging every other host
 * every TICK_US until `until_us`, over links of constant latency. Records every delivery, each
 * host's starts, and each host's clock offset (local - true time) at each tick.
 */
export function pingCluster(nodes: number, until_us: number, seed = 1) {
  const sim = new Simulation({ seed, latency: { dist: "constant", value_us: LATENCY_US } });
  const deliveries: Delivery[] = [];
  const starts: number[][] = [];
  const skews: { host: HostId; at_us: number; offset_us: number }[] = [];
  const hosts = [...nodeNames(nodes), "client"];
  for (const [id, name] of hosts.entries()) {
    starts.push([]);
    sim.addHost(name, () => ({
      onStart(ctx) {
        (starts[id] as number[]).push(sim.now_us);
        const next = TICK_US - (sim.now_us % TICK_US);
        if (sim.now_us + next < until_us) ctx.setTimer(next, 0);
      },
      onTimer(ctx) {
        skews.push({ host: id, at_us: sim.now_us, offset_us: ctx.now_us() - sim.now_us });
        for (let to = 0; to < hosts.length; to++) {
          if (to !== id) ctx.send(to, { kind: "ping", sent_us: sim.now_us } as Ping);
        }
        if (sim.now_us + TICK_US < until_us) ctx.setTimer(TICK_US, 0);
      },
      onMessage(_ctx, from, msg) {
        deliveries.push({ from, to: id, sent_us: (msg as Ping).sent_us, at_us: sim.now_us });
      },
    }));
  }
  /** Pings from -> to sent in [from_us, to_us) that arrived. */
  const delivered = (from: HostId, to: HostId, sentFrom_us: number, sentTo_us: number) =>
    deliveries.filter(
      (d) => d.from === from && d.to === to && d.sent_us >= sentFrom_us && d.sent_us < sentTo_us,
    ).length;
  return { sim, deliveries, starts, skews, delivered, client: nodes };
}

/** Validates and resolves a faults section for a run of `end_us` (no warmup) over `nodes` nodes. */
export function resolved(input: FaultsInput, nodes: number, end_us: number): ResolvedFaults {
  return resolveFaults(faultsSchema.parse(input), {
    duration_us: end_us,
    warmup_us: 0,
    nodeNames: nodeNames(nodes),
  });
}

/**
 * Runs `input` on a ping cluster with the given roles (and nodes out of service); returns the
 * cluster and the injector.
 */
export function inject(
  input: FaultsInput,
  roles: NodeRoleState[],
  end_us: number,
  seed = 1,
  outOfService: readonly number[] = [],
) {
  const cluster = pingCluster(roles.length, end_us, seed);
  const view = new FakeView(roles, outOfService);
  const injector = new FaultInjector(
    cluster.sim,
    resolved(input, roles.length, end_us),
    view,
    Rng.fromSeed(seed).split("faults"),
  );
  injector.install();
  cluster.sim.run();
  return { ...cluster, injector, view };
}
