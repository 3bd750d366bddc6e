// The strategy a run tested, in a few lines from its resolved scenario (report.json's config).

import { durationValueUs } from "../../engine/settings/durations.js";
import { rateText } from "../../workloads/client/settings.js";
import { indexDefinitionText } from "../../workloads/generators/domain/advice.js";
import { isDomainType } from "../../workloads/generators/domain/settings.js";
import { SCENARIO_PRESETS } from "../../workloads/scenario/presets.js";
import type { ScenarioDoc } from "../../workloads/scenario/schema.js";

function mixText(mix: Readonly<Record<string, number>>): string {
  const total = Object.values(mix).reduce((sum, w) => sum + w, 0);
  return Object.entries(mix)
    .filter(([, weight]) => weight > 0)
    .map(([op, weight]) => `${op} ${Math.round((1000 * weight) / total) / 10}%`)
    .join(", ");
}

function workloadText(w: ScenarioDoc["workload"]): string {
  if (w.type === "bank") {
    const b = w.bank;
    return `bank: ${b.accounts} accounts of ${b.initial_balance}; transfers of 1-${b.max_transfer} as ${b.transfer}; ${b.read_fraction * 100}% reads of every balance`;
  }
  if (isDomainType(w.type)) {
    const { mix, ...knobs } = w[w.type] as Record<string, unknown>;
    const knobText = Object.entries(knobs)
      .map(([name, value]) => `${name} ${value}`)
      .join(", ");
    const mixPart =
      mix === null || mix === undefined ? "default mix" : `mix: ${mixText(mix as Record<string, number>)}`;
    return `${w.type}: ${knobText}; ${mixPart}`;
  }
  const preset = SCENARIO_PRESETS[w.preset];
  const mix = w.mix === null ? `preset mix: ${mixText(preset.mix)}` : `mix: ${mixText(w.mix)}`;
  const keys = w.distribution ?? `${preset.distribution} (the preset's)`;
  return `YCSB preset ${w.preset}; ${mix}; keys ${keys}`;
}

function loadText(w: ScenarioDoc["workload"]): string {
  const loop = w.rate === null ? "closed loop" : `open loop at ${rateText(w.rate)} (${w.arrival} arrivals)`;
  return `${loop}; ${w.clients} clients; timeout ${w.timeout}`;
}

function nodeText(n: ScenarioDoc["cluster"]["node"]): string {
  return (
    `CPU ${n.service_time} per op + ${n.page_time} per B+tree page + ${n.row_time} per scanned row; ` +
    `queue limit ${n.queue_limit}; fan-out ${n.btree_fanout}`
  );
}

function networkText(network: ScenarioDoc["network"]): string {
  const { dist, ...parameters } = network.latency;
  const text = Object.entries(parameters).map(([name, value]) => `${name} ${value}`);
  const bandwidth = network.bandwidth === null ? "" : `; every link ${network.bandwidth}`;
  return `${dist} one-way latency: ${text.join(", ")}${bandwidth}`;
}

function cacheText(cache: NonNullable<ScenarioDoc["cluster"]["cache"]>): string {
  const invalidation = cache.strategy === "cache-aside" ? `, invalidation ${cache.invalidation}` : "";
  const ttl = durationValueUs(cache.ttl) === 0 ? "no ttl" : `ttl ${cache.ttl}`;
  return (
    `${cache.nodes} host${cache.nodes === 1 ? "" : "s"}, ${cache.strategy}${invalidation}${cache.leases ? ", leases" : ""}; ` +
    `${cache.capacity} entries each (${cache.eviction}), ${ttl}; ${cache.service_time} per request`
  );
}

/** [label, text] pairs describing the run's configuration. */
export function strategyFacts(config: ScenarioDoc): [string, string][] {
  const w = config.workload;
  const node = config.cluster.node;
  const domain = isDomainType(w.type);
  const indexes = config.cluster.indexes;
  return [
    ["workload", workloadText(w)],
    domain
      ? ["indexes", indexes.length === 0 ? "none" : indexes.map(indexDefinitionText).join("; ")]
      : w.type === "bank"
        ? ["records", `${w.bank.accounts} accounts`]
        : ["records", `${w.records} records of ${w.field_count} fields × ${w.field_length} B`],
    ["load", loadText(w)],
    ["node cost", nodeText(node)],
    ["durability", `fsync_policy ${node.fsync_policy}; one fsync takes ${node.fsync}`],
    ["network", networkText(config.network)],
    ...(config.cluster.cache == null ? [] : [["cache", cacheText(config.cluster.cache)] as [string, string]]),
    ...(w.pool == null
      ? []
      : [
          ["connections", `pool of ${w.pool.size} per node (max_wait ${w.pool.max_wait})`] as [
            string,
            string,
          ],
        ]),
  ];
}
