// Two-phase commit's coordinator, inside the router host (routing: proxy), as Vitess's vtgate: every
// statement of a transaction passes through the router, which maps the transaction it names to the
// open transaction on each shard it touched. A commit touching one shard is that shard's own
// one-phase commit; one touching several runs two-phase commit:
//
// 1. prepare: each participant runs its part of the statement, validates it (serializable) and logs
//    a prepare record; from then on it holds the transaction's keys (engine/txn/prepared.ts).
// 2. decision: all prepared -> commit, logged on the router's disk (durable) before any participant
//    hears it; any refusal or silence -> abort, not logged ("presumed abort": no record means abort).
// 3. each participant logs the decision and releases the keys; a decision is resent until each
//    participant acknowledged it. The client hears ok once every participant committed (so a
//    transaction begun after that reads its effects on every shard), an abort at once.
//
// The lesson: a router that crashes after its participants prepared leaves them holding their keys
// (every other transaction touching them aborts `prepared`) until it restarts. Recovery, as XA's
// `xa_recover`: the restarted router asks every shard which transactions are prepared there
// (`in_doubt`) and resolves each from its decision log: commit if logged, abort otherwise.
//
// The router's open transactions (the per-shard ids) are volatile: a crash forgets them (their next
// statement hears `unknown_txn`); one idle longer than the transactions' timeout is forgotten too.

import type { HostContext, HostId } from "../../sim/host.js";
import {
  NO_WORK,
  type RequestOf,
  type Response,
  type TwoPhaseStep,
  type TxnResponse,
  type TxnSpec,
} from "../protocol.js";
import type { TxnMicroOp } from "../txn/transactions.js";

/** How often undelivered decisions and unanswered recovery questions are sent again. */
export const TWO_PHASE_RETRY_US = 10_000;

/** The router's disk: what survives its crash. */
interface DecisionLog {
  /** The last transaction id given out. */
  last_gtid: number;
  /** Committed transactions, each with the shards that have not acknowledged the commit yet. */
  readonly commits: Map<number, Set<number>>;
}

/** How the coordinator reaches the shards and the clients (the router host). */
export interface CoordinatorLink {
  /** The shard owning a key now. */
  shardOf(key: string): number;
  /** The shards in use. */
  shards(): readonly number[];
  /** Sends a request to a shard's leader; `onAnswer` gets its response, or null when none came in time. */
  call(
    ctx: HostContext,
    shard: number,
    spec: TxnSpec,
    onAnswer: (ctx: HostContext, r: Response | null) => void,
  ): void;
  /** Counts a transaction that committed over several shards as a cross-shard operation. */
  crossShard(): void;
  /** Answers a client's request. */
  reply(ctx: HostContext, client: HostId, id: number, response: Response): void;
}

interface OpenTxn {
  /** Per shard touched: the participant's own transaction id. */
  readonly parts: Map<number, number>;
  last_us: number;
}

/** A shard's part of a committing transaction: its transaction there, and the statement's micro-operations it runs. */
interface Part {
  readonly txn: number;
  readonly mops: TxnMicroOp[];
  /** Where each of its micro-operations stands in the statement. */
  readonly at: number[];
}

interface Commit {
  readonly gtid: number;
  readonly client: HostId;
  readonly id: number;
  readonly statement: readonly TxnMicroOp[];
  /** The statement commits (one-phase when it has one part). */
  readonly commit: boolean;
  readonly parts: Map<number, Part>;
  readonly answers: Map<number, Response | null>;
}

export class TxnCoordinator {
  private readonly link: CoordinatorLink;
  private readonly timeout_us: number;
  private log: DecisionLog = { last_gtid: 0, commits: new Map() };
  private readonly open = new Map<number, OpenTxn>();
  /** Decisions and questions to send again at the next retry. */
  private retries: ((ctx: HostContext) => void)[] = [];
  private retryArmed = false;
  /** Client replies held until every participant acknowledged the commit, by transaction. */
  private readonly pendingReplies = new Map<number, () => void>();
  private readonly retryTag: number;

  /** `timeout_us`: the transactions' timeout (an idle open transaction is forgotten after it). */
  constructor(link: CoordinatorLink, timeout_us: number, retryTag: number) {
    this.link = link;
    this.timeout_us = timeout_us;
    this.retryTag = retryTag;
  }

  /** The router (re)started: a restart recovers the transactions its participants hold in doubt. */
  onStart(ctx: HostContext): void {
    const disk = ctx.disk;
    if (disk.data === undefined) {
      disk.data = this.log;
      return;
    }
    this.log = disk.data as DecisionLog;
    for (const shard of this.link.shards()) this.askInDoubt(ctx, shard);
  }

  onRequest(ctx: HostContext, client: HostId, req: RequestOf<"txn">): void {
    if (req.abort === true) {
      this.abandon(ctx, client, req);
      return;
    }
    const gtid = req.txn === 0 ? ++this.log.last_gtid : req.txn;
    const txn = req.txn === 0 ? { parts: new Map<number, number>(), last_us: 0 } : this.open.get(gtid);
    if (txn === undefined) {
      this.link.reply(ctx, client, req.id, answer(req, "unknown_txn", 0));
      return;
    }
    txn.last_us = ctx.monotonic_us();
    const parts = this.split(req.mops, txn, req.commit);
    if (parts.size === 0) {
      // Nothing to run anywhere: an empty statement of a transaction that touched no shard yet.
      if (req.commit) this.open.delete(gtid);
      else this.open.set(gtid, txn);
      this.link.reply(ctx, client, req.id, answer(req, "ok", req.commit ? 0 : gtid));
      return;
    }
    const commit: Commit = {
      gtid,
      client,
      id: req.id,
      statement: req.mops,
      commit: req.commit,
      parts,
      answers: new Map(),
    };
    if (req.commit) {
      this.open.delete(gtid);
      if (parts.size > 1) {
        this.link.crossShard();
        this.gather(ctx, commit, { step: "prepare", gtid }, (ctx) => this.decide(ctx, commit));
        return;
      }
    } else this.open.set(gtid, txn);
    // A statement (on the shards its micro-operations live on), or a one-phase commit on one shard.
    this.gather(ctx, commit, null, (ctx) => {
      const answers = [...commit.answers.values()];
      if (answers.includes(null)) return; // the client times out too
      const refused = answers.find((r) => r?.status !== "ok");
      if (refused !== undefined) {
        this.open.delete(gtid);
        this.link.reply(ctx, client, req.id, refused as Response);
        return;
      }
      if (!req.commit) for (const [shard, r] of commit.answers) txn.parts.set(shard, (r as TxnResponse).txn);
      this.link.reply(ctx, client, req.id, this.merged(commit, req.commit ? 0 : gtid));
    });
  }

  /**
   * The client gave up on an open transaction: each shard it touched ends its own there (nothing
   * waits for their answers: one unheard expires by the timeout), and the client hears ok at once.
   */
  private abandon(ctx: HostContext, client: HostId, req: RequestOf<"txn">): void {
    const txn = this.open.get(req.txn);
    this.open.delete(req.txn);
    for (const [shard, id] of txn?.parts ?? [])
      this.link.call(ctx, shard, { op: "txn", txn: id, mops: [], commit: false, abort: true }, () => {});
    this.link.reply(ctx, client, req.id, answer(req, "ok", 0));
  }

  /** Forgets open transactions idle for the timeout (their participants expire them too). */
  expire(now_us: number): void {
    for (const [gtid, txn] of this.open) if (now_us - txn.last_us >= this.timeout_us) this.open.delete(gtid);
  }

  onTimer(ctx: HostContext): void {
    this.retryArmed = false;
    const retries = this.retries;
    this.retries = [];
    for (const retry of retries) retry(ctx);
  }

  /**
   * The statement's micro-operations by shard; committing, with every other shard the transaction
   * touched (no micro-operation there).
   */
  private split(mops: readonly TxnMicroOp[], txn: OpenTxn, commit: boolean): Map<number, Part> {
    const parts = new Map<number, Part>();
    const part = (shard: number): Part => {
      let p = parts.get(shard);
      if (p === undefined) {
        p = { txn: txn.parts.get(shard) ?? 0, mops: [], at: [] };
        parts.set(shard, p);
      }
      return p;
    };
    mops.forEach((mop, i) => {
      const p = part(this.link.shardOf(mop[1]));
      p.mops.push(mop);
      p.at.push(i);
    });
    if (commit) for (const shard of txn.parts.keys()) part(shard);
    return parts;
  }

  /** Sends each part (a statement, or with `two_phase` its step), then `done` once every part answered. */
  private gather(
    ctx: HostContext,
    commit: Commit,
    two_phase: TwoPhaseStep | null,
    done: (ctx: HostContext) => void,
  ): void {
    for (const [shard, part] of commit.parts) {
      const spec: TxnSpec =
        two_phase === null
          ? { op: "txn", txn: part.txn, mops: part.mops, commit: false }
          : this.step(two_phase, part.txn, part.mops);
      this.link.call(
        ctx,
        shard,
        two_phase === null && commit.commit ? { ...spec, commit: true } : spec,
        (ctx, r) => {
          commit.answers.set(shard, r);
          if (commit.answers.size === commit.parts.size) done(ctx);
        },
      );
    }
  }

  private decide(ctx: HostContext, commit: Commit): void {
    const { gtid, answers } = commit;
    const refused = [...answers.values()].find((r): r is Response => r !== null && r.status !== "ok");
    const silent = [...answers.values()].includes(null);
    if (refused === undefined && !silent) {
      const shards = new Set(commit.parts.keys());
      this.log.commits.set(gtid, shards); // durable before any participant hears it
      this.pendingReplies.set(gtid, () =>
        this.link.reply(ctx, commit.client, commit.id, this.merged(commit, 0)),
      );
      for (const shard of shards) this.sendDecision(ctx, shard, gtid, "commit");
      return;
    }
    // Abort every participant that may have prepared; the client hears why (silence: it times out).
    for (const [shard, r] of answers)
      if (r === null || r.status === "ok") this.sendDecision(ctx, shard, gtid, "abort");
    if (refused !== undefined) this.link.reply(ctx, commit.client, commit.id, refused);
  }

  /** Sends a decision until the participant acknowledges it. */
  private sendDecision(ctx: HostContext, shard: number, gtid: number, decision: "commit" | "abort"): void {
    this.link.call(ctx, shard, this.step({ step: decision, gtid }, 0, []), (ctx, r) => {
      if (r === null || r.status !== "ok") {
        this.retry(ctx, (ctx) => this.sendDecision(ctx, shard, gtid, decision));
        return;
      }
      if (decision === "commit") this.acknowledged(gtid, shard);
    });
  }

  private acknowledged(gtid: number, shard: number): void {
    const waiting = this.log.commits.get(gtid);
    if (waiting === undefined) return;
    waiting.delete(shard);
    if (waiting.size > 0) return;
    this.log.commits.delete(gtid);
    this.pendingReplies.get(gtid)?.();
    this.pendingReplies.delete(gtid);
  }

  /** Recovery: which transactions does `shard` hold prepared? Each is resolved from the decision log. */
  private askInDoubt(ctx: HostContext, shard: number): void {
    this.link.call(ctx, shard, this.step({ step: "in_doubt", gtid: 0 }, 0, []), (ctx, r) => {
      if (r === null || r.status !== "ok") {
        this.retry(ctx, (ctx) => this.askInDoubt(ctx, shard));
        return;
      }
      const inDoubt = new Set((r as TxnResponse).in_doubt ?? []);
      for (const gtid of inDoubt)
        this.sendDecision(ctx, shard, gtid, this.log.commits.has(gtid) ? "commit" : "abort");
      // A logged commit the shard does not hold in doubt was applied there before the crash.
      for (const gtid of [...this.log.commits.keys()]) if (!inDoubt.has(gtid)) this.acknowledged(gtid, shard);
    });
  }

  private step(two_phase: TwoPhaseStep, txn: number, mops: readonly TxnMicroOp[]): TxnSpec {
    return { op: "txn", txn, mops, commit: false, two_phase };
  }

  private retry(ctx: HostContext, resend: (ctx: HostContext) => void): void {
    this.retries.push(resend);
    if (this.retryArmed) return;
    this.retryArmed = true;
    ctx.setTimer(TWO_PHASE_RETRY_US, this.retryTag);
  }

  /** The committed statement's answer: its micro-operations as the participants answered them, in order. */
  private merged(commit: Commit, txn: number): Response {
    const mops: TxnMicroOp[] = [...commit.statement];
    let first: TxnResponse | null = null;
    for (const [shard, part] of commit.parts) {
      const r = commit.answers.get(shard) as TxnResponse;
      first ??= r;
      part.at.forEach((at, i) => {
        mops[at] = r.mops[i] as TxnMicroOp;
      });
    }
    return { ...(first as TxnResponse), txn, mops };
  }
}

/** The router's own answer to a statement it sent nowhere. */
function answer(req: RequestOf<"txn">, status: "ok" | "unknown_txn", txn: number): TxnResponse {
  return {
    kind: "resp",
    digest: req.id >>> 0,
    id: req.id,
    op: "txn",
    status,
    txn,
    mops: [],
    lsn: 0,
    ...NO_WORK,
    term: 0,
    leader_hint: -1,
  };
}
