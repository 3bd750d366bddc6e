// @ts-check
// One replica of a chain (van Renesse & Schneider, "Chain Replication for Supporting High Throughput
// and Availability", OSDI 2004), written against dbsim's public protocol interface alone
// (engine/replication/protocol.ts; its types only, so this file runs as it is).
//
// - Writes go to the head, which executes them (the node logs their entries) and sends the entries
//   down the chain; each replica appends them and passes them on. The tail commits an entry once it
//   holds it durably (by the fsync policy) and answers the client of each write it commits. Every
//   entry carries, to whichever replica ends up committing it, the write it answers (`InService`).
// - Reads go to the tail, which answers them from what it holds: every read sees exactly the
//   committed writes. dbsim's clients send every request to the node they believe leads, the head
//   (`leader_hint`), so a replica that is not the tail forwards a read to it (`refusal` answers
//   "forwarded"; the tail `serve`s it and answers the client): one network hop more than the paper's
//   clients, which know the tail.
// - The configuration service (master.js) removes a failed replica; its neighbours then repair the
//   chain: a predecessor sends its new successor what the failed one had not passed on (logs down a
//   chain are prefixes of each other, so a handshake finds where to resume), and a new tail commits
//   and answers what it holds. A node that restarts or resumes rejoins at the tail from a snapshot.
// - Entries are applied as they are logged (`applies_on_append`); only the tail answers reads, and
//   every entry it holds is committed or, if it fails, held by its predecessor, which then commits it.
//
// Messages of an older configuration (epoch) are ignored: after every change each side starts over
// with a handshake. Replies carry what the tail has committed up the chain, so replicas forget the
// writes they carried once committed.

/** @import { InService, LogEntry, Message, ProtocolContext, RefusalStatus, ReplicationProtocol, Request, Snapshot } from "../../engine/replication/protocol.js" */
/** @import { ChainMaster } from "./master.js" */

/**
 * Predecessor -> successor: the entries after `prev_lsn` (none: a handshake).
 * @typedef {object} ChainAppend
 * @property {"chain_append"} kind
 * @property {number} digest
 * @property {number} epoch
 * @property {number} prev_lsn
 * @property {readonly LogEntry[]} entries
 * @property {readonly (InService | null)[]} writes the client write each entry answers (null: none)
 * @property {number} committed_lsn what the sender knows the tail committed
 */

/**
 * Predecessor -> joining node: the sender's state as of its log's end, then entries follow.
 * @typedef {object} ChainSnapshot
 * @property {"chain_snapshot"} kind
 * @property {number} epoch
 * @property {Snapshot} snapshot
 * @property {number} committed_lsn
 */

/**
 * Successor -> predecessor: what it holds, or that it needs a snapshot first; also sent on its own
 * when its knowledge of what is committed advances.
 * @typedef {object} ChainReply
 * @property {"chain_reply"} kind
 * @property {number} digest
 * @property {number} epoch
 * @property {number} held_lsn the sender's log holds the chain's entries up to here
 * @property {number} committed_lsn
 * @property {boolean} snapshot_needed
 */

/**
 * Any replica -> the tail: a client's read, for the tail to serve.
 * @typedef {object} ChainRead
 * @property {"chain_read"} kind
 * @property {number} digest
 * @property {number} client
 * @property {Request} req
 */

/** @typedef {ChainAppend | ChainSnapshot | ChainReply | ChainRead} ChainMessage */

/**
 * What a replica knows of its successor.
 * @typedef {object} Successor
 * @property {number} id
 * @property {number} held_lsn its log holds the chain's entries up to here (-1: not known yet)
 * @property {boolean} snapshot_needed
 * @property {boolean} inflight a message to it awaits its reply
 * @property {number} sent_us when that message was sent
 */

/** The replica's one timer: heartbeat to the master, look at the configuration, resend. */
const TICK = 0;
/** Most entries in one message. */
const BATCH_MAX = 256;

/** @implements {ReplicationProtocol} */
export class ChainReplica {
  /** Entries are applied as they are logged: only the tail answers reads, and what it holds commits (by its predecessor, should it fail). */
  applies_on_append = true;
  /** The node, from start() on. */
  node = /** @type {ProtocolContext} */ (/** @type {unknown} */ (undefined));
  /** The configuration this replica last looked at (0: none yet). */
  epoch = 0;
  isHead = false;
  isTail = false;
  /** @type {"leader" | "follower" | null} the role last reported (the head reports itself leader) */
  role = null;
  predecessor = -1;
  /** @type {Successor | null} */
  successor = null;
  /** The tail committed the log up to here, as far as this replica knows. */
  committed_lsn = 0;
  /** @type {Map<number, InService>} client writes logged here and not known committed, by log position */
  writes = new Map();
  /** A joining node has installed its predecessor's snapshot (a member always counts as installed). */
  installed = true;
  /**
   * The log holds the chain's entries up to here, to be sent on: all of it, except at the head, where
   * a write's entries are logged when it executes but sent only once onWrite hands over the write
   * its client awaits (so that they travel together).
   */
  ready_lsn = 0;

  /**
   * @param {ChainMaster} master the shard's configuration service
   * @param {{ tick_us: number }} settings heartbeat and resend interval
   */
  constructor(master, settings) {
    this.master = master;
    this.tick_us = settings.tick_us;
  }

  /** The configuration's epoch: responses carry it. */
  get term() {
    return this.master.epoch;
  }

  /** Where clients send requests: the head. */
  get leader_hint() {
    return this.master.head;
  }

  /** @param {ProtocolContext} node */
  start(node) {
    this.node = node;
    const life = node.persistent(() => ({ starts: 0 }));
    life.starts++;
    // A restarted server is a new one (fail-stop): it leaves the chain, if it was not removed yet,
    // and rejoins at the tail from a snapshot, whatever its disk kept. The chain's last member stays,
    // with what its disk kept.
    if (life.starts > 1) this.master.leave(node.id);
    this.ready_lsn = node.log.last_lsn;
    this.refresh();
    node.setTimer(this.tick_us, TICK);
  }

  /**
   * @param {Request} req
   * @param {number} from
   * @returns {RefusalStatus | "forwarded" | null}
   */
  refusal(req, from) {
    this.refresh();
    const node = this.node;
    if (!this.master.isMember(node.id)) return "not_leader"; // joining or waiting: not the chain's state yet
    if (node.leaderOnly(req)) return this.isHead ? null : "not_leader";
    if (!req.require_leader || this.isTail) return null; // a read any replica may answer, or the tail's
    /** @type {ChainRead} */
    const read = { kind: "chain_read", digest: req.digest ?? 0, client: from, req };
    node.send(this.master.tail, read);
    return "forwarded";
  }

  /** @param {InService} write a client's write, executed and logged here (the head) */
  onWrite(write) {
    this.refresh();
    if (!this.isHead) return; // removed while executing it: no one commits it (the client times out)
    this.writes.set(write.lsn, write);
    this.ready_lsn = write.lsn;
    this.pump(); // the tail (a chain of one) commits it in onDurable
  }

  /** @param {InService} read */
  onRead(read) {
    this.node.respond(read);
  }

  /** @param {number} _lsn */
  onDurable(_lsn) {
    this.refresh();
    if (this.isTail && this.commitTo(this.durableReadyLsn())) this.replyTo(this.predecessor);
  }

  /** @param {number} tag */
  onTimer(tag) {
    if (tag !== TICK) throw new Error(`chain replication: unknown timer tag ${tag}`);
    this.node.setTimer(this.tick_us, TICK);
    this.master.beat(this.node.id);
    this.refresh();
    this.pump();
  }

  /**
   * @param {number} from
   * @param {Message} message
   */
  onMessage(from, message) {
    this.refresh();
    const msg = /** @type {ChainMessage} */ (message);
    switch (msg.kind) {
      case "chain_read":
        this.node.serve(msg.client, msg.req);
        return;
      case "chain_append":
        if (this.fromPredecessor(from, msg.epoch)) this.onAppend(msg);
        return;
      case "chain_snapshot":
        if (this.fromPredecessor(from, msg.epoch)) this.onSnapshot(msg);
        return;
      case "chain_reply":
        this.onReply(from, msg);
        return;
      default:
        throw new Error(`chain replication: unexpected message ${message.kind}`);
    }
  }

  /**
   * @param {number} from
   * @param {number} epoch
   */
  fromPredecessor(from, epoch) {
    return epoch === this.master.epoch && from === this.predecessor;
  }

  /** @param {ChainAppend} msg */
  onAppend(msg) {
    const node = this.node;
    const log = node.log;
    if (!this.installed || msg.prev_lsn > log.last_lsn) {
      this.replyTo(this.predecessor); // a snapshot first, or a gap: the predecessor resends from what this holds
      return;
    }
    let appended = false;
    for (let i = 0; i < msg.entries.length; i++) {
      const entry = /** @type {LogEntry} */ (msg.entries[i]);
      if (entry.lsn <= log.last_lsn) continue; // held already: the same entry (logs are prefixes)
      node.append(entry);
      this.ready_lsn = entry.lsn;
      const write = msg.writes[i];
      if (write) this.writes.set(entry.lsn, write);
      appended = true;
    }
    this.learnCommitted(msg.committed_lsn);
    if (appended) {
      if (node.fsync_each_write) node.requestFsync();
      if (this.isTail) this.commitTo(this.durableReadyLsn());
      else this.pump();
    }
    this.replyTo(this.predecessor);
  }

  /** @param {ChainSnapshot} msg */
  onSnapshot(msg) {
    const node = this.node;
    if (!this.installed) {
      node.install(msg.snapshot);
      this.installed = true;
      this.ready_lsn = msg.snapshot.last_lsn;
      this.writes.clear();
      node.emit({ type: "snapshot", node: node.id, lsn: msg.snapshot.last_lsn });
    }
    this.learnCommitted(msg.committed_lsn);
    this.replyTo(this.predecessor);
  }

  /**
   * @param {number} from
   * @param {ChainReply} msg
   */
  onReply(from, msg) {
    const s = this.successor;
    if (s === null || from !== s.id || msg.epoch !== this.master.epoch) return;
    s.inflight = false;
    s.snapshot_needed = msg.snapshot_needed;
    if (msg.held_lsn > s.held_lsn) s.held_lsn = msg.held_lsn;
    if (!this.isTail && this.learnCommitted(msg.committed_lsn)) this.replyTo(this.predecessor);
    if (s.id === this.master.joining && !s.snapshot_needed && s.held_lsn >= this.ready_lsn) {
      // The joining node holds everything this tail does: it becomes the tail (the paper's extension).
      this.master.promote(s.id);
      this.refresh();
      return;
    }
    this.pump();
  }

  /**
   * The tail commits the log up to `lsn` and answers the writes it carries there.
   * @param {number} lsn
   * @returns {boolean} whether it committed anything
   */
  commitTo(lsn) {
    if (lsn <= this.committed_lsn) return false;
    this.committed_lsn = lsn;
    const now = this.node.now_us();
    for (const [at, write] of this.writes) {
      if (at > lsn) break;
      this.writes.delete(at);
      // Answered with a copy, timed by this replica's clock (never before its CPU work at the head ended).
      this.node.respond({
        ...write,
        response: { ...write.response },
        cpu_done_us: Math.min(write.cpu_done_us, now),
      });
    }
    return true;
  }

  /** What the tail may commit: what it holds durably, of what is ready. */
  durableReadyLsn() {
    return Math.min(this.node.durableLsn(), this.ready_lsn);
  }

  /**
   * A replica that is not the tail forgets the writes committed up to `lsn`.
   * @param {number} lsn
   * @returns {boolean} whether it learnt anything
   */
  learnCommitted(lsn) {
    if (lsn <= this.committed_lsn) return false;
    this.committed_lsn = lsn;
    for (const at of this.writes.keys()) {
      if (at > lsn) break;
      this.writes.delete(at);
    }
    return true;
  }

  /** @param {number} to the predecessor (nothing when -1) */
  replyTo(to) {
    if (to < 0) return;
    const held_lsn = this.installed ? this.node.log.last_lsn : -1;
    /** @type {ChainReply} */
    const reply = {
      kind: "chain_reply",
      digest: held_lsn >>> 0,
      epoch: this.master.epoch,
      held_lsn,
      committed_lsn: this.committed_lsn,
      snapshot_needed: !this.installed,
    };
    this.node.send(to, reply);
  }

  /**
   * Sends the successor what it lacks: one message in flight, resent after a tick unanswered; a
   * handshake first, a snapshot when it needs one (joining, or behind what this log still holds).
   */
  pump() {
    const s = this.successor;
    if (s === null) return;
    const node = this.node;
    const now = node.now_us();
    if (s.inflight && now - s.sent_us < this.tick_us) return;
    const log = node.log;
    const epoch = this.master.epoch;
    if (s.snapshot_needed || (s.held_lsn >= 0 && s.held_lsn < log.base_lsn)) {
      /** @type {ChainSnapshot} */
      const msg = {
        kind: "chain_snapshot",
        epoch,
        snapshot: node.snapshot(),
        committed_lsn: this.committed_lsn,
      };
      node.send(s.id, msg);
    } else if (s.held_lsn < this.ready_lsn) {
      const from = s.held_lsn < 0 ? this.ready_lsn + 1 : s.held_lsn + 1; // unknown: a handshake, no entries
      const to = Math.min(this.ready_lsn, from + BATCH_MAX - 1);
      /** @type {LogEntry[]} */
      const entries = [];
      /** @type {(InService | null)[]} */
      const writes = [];
      for (let lsn = from; lsn <= to; lsn++) {
        entries.push(/** @type {LogEntry} */ (log.entryAt(lsn)));
        writes.push(this.writes.get(lsn) ?? null);
      }
      /** @type {ChainAppend} */
      const msg = {
        kind: "chain_append",
        digest: (from ^ entries.length) >>> 0,
        epoch,
        prev_lsn: from - 1,
        entries,
        writes,
        committed_lsn: this.committed_lsn,
      };
      node.send(s.id, msg);
    } else {
      return; // it holds everything
    }
    s.inflight = true;
    s.sent_us = now;
  }

  /**
   * Looks at the configuration (an instant read of the master) and adapts to a change: its place in
   * the chain, its successor (a handshake starts over), its role; out of the chain, it asks to join.
   */
  refresh() {
    const master = this.master;
    const node = this.node;
    const id = node.id;
    if (this.epoch === master.epoch) return;
    if (!master.isMember(id) && master.joining !== id && !master.waiting.includes(id)) {
      this.installed = false; // removed (it failed, or seemed to): it rejoins from a snapshot
      this.writes.clear();
      master.join(id);
    } else if (master.joining === id) {
      this.installed = false; // the chain changed during the join: a fresh snapshot of the new tail
    }
    this.epoch = master.epoch;
    const wasTail = this.isTail;
    this.isHead = master.head === id;
    this.isTail = master.tail === id;
    this.predecessor = master.predecessorOf(id);
    const next = master.successorOf(id);
    this.successor =
      next < 0 ? null : { id: next, held_lsn: -1, snapshot_needed: false, inflight: false, sent_us: 0 };
    const role = this.isHead ? "leader" : "follower";
    if (role !== this.role) {
      this.role = role;
      node.emit({ type: "role", node: id, role, term: master.epoch });
    }
    if (this.isTail && !wasTail) {
      // Now the commit point: what this replica holds durably is committed; the rest once synced.
      if (node.fsync_each_write) node.requestFsync();
      if (this.commitTo(this.durableReadyLsn())) this.replyTo(this.predecessor);
    }
    this.pump();
  }
}
