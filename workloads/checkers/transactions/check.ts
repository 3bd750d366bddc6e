// The transaction checker (Elle's method, "Elle: Inferring Isolation Anomalies from Experimental
// Observations", VLDB 2020): infer the dependency graph from the data model (list-append or
// rw-register), add process or real-time order when the consistency model needs it, find its
// strongly connected components and, in each, a shortest cycle of each anomaly type the model
// forbids; add the anomalies found without cycles. Invalid when any forbidden anomaly is found;
// unknown when the graph is empty or the search ran out of time (never a wrong ok).

import type { Verdict } from "../checker.js";
import { type Anomaly, AnomalySink, nameOf, summarize } from "./anomalies.js";
import { type ConsistencyModel, impliedCycleTypes, type ModelRules, modelRules } from "./consistency.js";
import { anyCycle, classify, findCycle, SearchTimeout } from "./cycles.js";
import {
  addProcessEdges,
  addRealtimeEdges,
  DependencyGraph,
  EDGE_NAMES,
  INITIAL,
  PROCESS,
  REALTIME,
  RW,
  WR,
  WW,
} from "./graph.js";
import type { Transaction, TransactionModel } from "./history.js";
import { analyzeListAppend, explainListAppendEdge } from "./list-append.js";
import { analyzeRwRegister, explainRwRegisterEdge } from "./rw-register.js";
import { stronglyConnectedComponents } from "./scc.js";

export interface TransactionCheckOptions {
  readonly model: TransactionModel;
  readonly consistency: ConsistencyModel;
  /** A clock in milliseconds (checkers read none of their own) and the time limit it measures. */
  readonly now_ms?: () => number;
  readonly timeout_ms?: number;
}

export interface TransactionVerdict extends Verdict {
  /** The forbidden anomaly types found (and the unknown ones), sorted. */
  readonly anomaly_types: string[];
  /** The first few of each type (anomalies.ts MAX_REPORTED), each explained in `why`. */
  readonly anomalies: Record<string, Anomaly[]>;
  readonly anomaly_counts: Record<string, number>;
  readonly transactions: number;
  /** The verdict in one line when it is not true. */
  readonly reason?: string;
}

/** Anomaly types that make the verdict unknown rather than false (Elle's). */
const UNKNOWN_TYPES = new Set(["empty-transaction-graph", "cycle-search-timeout", "cycle-search-incomplete"]);

export function checkTransactions(
  transactions: readonly Transaction[],
  options: TransactionCheckOptions,
): TransactionVerdict {
  const rules = modelRules(options.consistency);
  const sink = new AnomalySink();
  const graph = new DependencyGraph(transactions.length);
  if (options.model === "list-append") analyzeListAppend(transactions, graph, sink);
  else analyzeRwRegister(transactions, graph, sink);
  if (rules.variantEdge === PROCESS) addProcessEdges(graph, transactions);
  if (rules.variantEdge === REALTIME) addRealtimeEdges(graph, transactions);
  graph.seal();

  const usesRw = rules.cycleTypes.some((type) => !/^(G0|G1c)(-|$)/.test(type));
  const mask = WW | WR | (usesRw ? RW : 0) | rules.variantEdge;
  // As Elle: a graph without any edge almost surely means the history shows nothing.
  if (graph.edges === 0) {
    sink.add("empty-transaction-graph", {
      why: `no transaction depends on another: ${transactions.length} transactions, nothing to check`,
    });
  } else searchCycles(graph, transactions, rules, mask, options, sink);
  return verdict(transactions.length, rules, sink, options.consistency);
}

function searchCycles(
  graph: DependencyGraph,
  transactions: readonly Transaction[],
  rules: ModelRules,
  mask: number,
  options: TransactionCheckOptions,
  sink: AnomalySink,
): void {
  const now_ms = options.now_ms;
  const deadline =
    now_ms === undefined || options.timeout_ms === undefined ? Infinity : now_ms() + options.timeout_ms;
  const overdue = () => now_ms !== undefined && now_ms() > deadline;
  const explain = options.model === "list-append" ? explainListAppendEdge : explainRwRegisterEdge;
  const report = (type: string, cycle: readonly number[]) =>
    sink.add(type, describeCycle(graph, transactions, cycle, type, explain));
  const inComponent = new Uint8Array(graph.nodes);
  for (const members of stronglyConnectedComponents(graph, mask)) {
    for (const member of members) inComponent[member] = 1;
    const skip = new Set<string>();
    let found = false;
    let incomplete = false;
    let searching = "";
    try {
      for (const type of rules.cycleTypes) {
        if (skip.has(type)) continue;
        searching = type;
        const result = findCycle(graph, members, inComponent, type, overdue);
        incomplete ||= result.incomplete;
        if (result.cycle === null) continue;
        found = true;
        report(type, result.cycle.edges);
        for (const implied of impliedCycleTypes(type)) skip.add(implied);
      }
    } catch (error) {
      if (!(error instanceof SearchTimeout)) throw error;
      sink.add("cycle-search-timeout", {
        scc_size: members.length,
        searching,
        why: `the time limit passed while searching a cycle of ${members.length} transactions for ${searching}`,
      });
      return;
    }
    if (!found && rules.everyCycleForbidden) {
      // Every cycle of this graph is forbidden: report one, whatever the searches passed over.
      const cycle = anyCycle(graph, members, inComponent, mask);
      report(classify(graph, cycle), cycle);
    } else if (!found && incomplete) {
      sink.add("cycle-search-incomplete", {
        scc_size: members.length,
        why: `a cycle of ${members.length} transactions was not classified: the shortest walks found revisit transactions`,
      });
    }
    for (const member of members) inComponent[member] = 0;
  }
}

type EdgeExplainer = (graph: DependencyGraph, edge: number, a: string, b: string) => string;

function describeCycle(
  graph: DependencyGraph,
  transactions: readonly Transaction[],
  cycle: readonly number[],
  type: string,
  explain: EdgeExplainer,
): Anomaly {
  const steps = cycle.map((edge) => {
    const a = transactions[graph.source(edge)] as Transaction;
    const b = transactions[graph.target(edge)] as Transaction;
    const edgeType = graph.type(edge);
    const why =
      edgeType === PROCESS
        ? `${nameOf(a)} completed before ${nameOf(b)} began, on process ${a.operation.process}`
        : edgeType === REALTIME
          ? `${nameOf(a)} completed (index ${a.operation.completeIndex}) before ${nameOf(b)} was invoked (index ${b.operation.invokeIndex})`
          : explain(graph, edge, nameOf(a), nameOf(b));
    const key = graph.key(edge);
    const value = graph.value(edge);
    const next = graph.nextValue(edge);
    return {
      from: nameOf(a),
      to: nameOf(b),
      type: EDGE_NAMES[edgeType],
      ...(key === null ? {} : { key }),
      ...(edgeType === WR || edgeType === WW || edgeType === RW
        ? { value: value === INITIAL ? null : value }
        : {}),
      ...(edgeType === WW || edgeType === RW ? { next_value: next === INITIAL ? null : next } : {}),
      why,
    };
  });
  const sentences = steps.map((step, i) =>
    i === steps.length - 1 && steps.length > 1
      ? `however, ${step.from} < ${step.to}, because ${step.why}: a contradiction`
      : `${step.from} < ${step.to}, because ${step.why}`,
  );
  return {
    type,
    cycle: cycle.map((edge) => summarize(transactions[graph.source(edge)] as Transaction)),
    steps,
    why: `${type}: ${sentences.join("; ")}`,
  };
}

function verdict(
  count: number,
  rules: ModelRules,
  sink: AnomalySink,
  consistency: ConsistencyModel,
): TransactionVerdict {
  const types = [...sink.found.keys()]
    .filter((type) => rules.forbidden.has(type) || UNKNOWN_TYPES.has(type))
    .sort();
  const invalid = types.some((type) => rules.forbidden.has(type));
  const unknown = types.some((type) => UNKNOWN_TYPES.has(type));
  const valid = invalid ? false : unknown ? "unknown" : true;
  const anomalies: Record<string, Anomaly[]> = {};
  const anomaly_counts: Record<string, number> = {};
  for (const type of types) {
    anomalies[type] = sink.found.get(type) as Anomaly[];
    anomaly_counts[type] = sink.counts.get(type) as number;
  }
  const first = types.find((type) => (invalid ? rules.forbidden.has(type) : true));
  const reason =
    valid === true || first === undefined
      ? undefined
      : valid === false
        ? `not ${consistency}: ${types.filter((type) => rules.forbidden.has(type)).join(", ")}; ${anomalies[first]?.[0]?.why}`
        : (anomalies[first]?.[0]?.why as string);
  return {
    valid,
    anomaly_types: types,
    anomalies,
    anomaly_counts,
    transactions: count,
    ...(reason === undefined ? {} : { reason }),
  };
}
