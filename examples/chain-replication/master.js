// @ts-check
// The chain's configuration service (the paper's "master") for one shard: the chain from head to
// tail, the node being added at its tail, and an epoch that numbers every change of either.
//
// Replicas read and call it directly, as dbsim's nodes read the shard map: a configuration service
// modelled as linearizable and instant (a real one is itself replicated, e.g. with Paxos). It
// detects failures by heartbeats, counted rather than timed, so clock skew cannot fake a failure:
// a node is removed once another node it watches has beaten `misses_max` times since its own last
// beat (fail-stop: a crashed or paused node; a paused one rejoins when it resumes). A partition
// does not remove anyone: the heartbeats do not cross the network, so updates stall across a cut
// link until it is repaired (the paper assumes fail-stop servers).
//
// A node rejoins as the paper extends a chain: it waits its turn, then the tail sends it a snapshot
// and the entries after it while still serving as the tail, and promotes it once it has caught up.
// The last member is never removed (the paper's chain is lost with it): dbsim's crashed nodes
// restart with their disks, so the chain waits for it, unavailable meanwhile.

export class ChainMaster {
  /**
   * @param {readonly number[]} peers the shard's replicas: the chain, head first, at the start
   * @param {number} misses_max beats of another node after which a silent node is removed
   */
  constructor(peers, misses_max) {
    /** @type {number[]} head first */
    this.chain = [...peers];
    /** The node being added at the tail (-1: none). */
    this.joining = -1;
    /** @type {number[]} nodes waiting to join, in order */
    this.waiting = [];
    /** Numbers each configuration: messages of an older one are ignored. */
    this.epoch = 1;
    this.misses_max = misses_max;
    /** @type {Map<number, Map<number, number>>} per watched node: beats of each other node since its own last */
    this.silence = new Map(peers.map((id) => [id, new Map()]));
  }

  /** @returns {number} the head (-1: the chain is empty) */
  get head() {
    return this.chain[0] ?? -1;
  }

  /** @returns {number} the tail, which commits and serves reads (-1: the chain is empty) */
  get tail() {
    return this.chain.at(-1) ?? -1;
  }

  /** @param {number} id */
  isMember(id) {
    return this.chain.includes(id);
  }

  /** @param {number} id @returns {number} the node `id` receives entries from (-1: none) */
  predecessorOf(id) {
    if (id === this.joining) return this.tail;
    const at = this.chain.indexOf(id);
    return at > 0 ? /** @type {number} */ (this.chain[at - 1]) : -1;
  }

  /** @param {number} id @returns {number} the node `id` sends entries to (the tail: the joining node) */
  successorOf(id) {
    const at = this.chain.indexOf(id);
    if (at < 0) return -1;
    return at === this.chain.length - 1 ? this.joining : /** @type {number} */ (this.chain[at + 1]);
  }

  /**
   * A heartbeat from `id`: every other node it watches has missed one more of its beats.
   * @param {number} id
   */
  beat(id) {
    const own = this.silence.get(id);
    if (own === undefined) return; // neither in the chain nor joining: it asks to join instead
    own.clear();
    for (const [other, beats] of this.silence) {
      if (other === id) continue;
      const missed = (beats.get(id) ?? 0) + 1;
      beats.set(id, missed);
      if (missed >= this.misses_max) this.leave(other);
    }
  }

  /**
   * `id` failed (or restarted, which makes it a new server): it leaves the chain or the queue. The
   * chain's last member never leaves: it alone holds every committed write, so the chain waits for
   * it (and it comes back with what its disk kept).
   * @param {number} id
   */
  leave(id) {
    if (this.chain.length === 1 && this.chain[0] === id) return;
    this.silence.delete(id);
    const queued = this.waiting.indexOf(id);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (id === this.joining) {
      this.joining = -1;
      this.epoch++;
      this.startJoin();
    } else if (this.chain.includes(id)) {
      this.chain.splice(this.chain.indexOf(id), 1);
      this.epoch++;
    }
  }

  /**
   * `id`, outside the chain, asks to be added at its tail.
   * @param {number} id
   */
  join(id) {
    if (this.chain.includes(id) || id === this.joining || this.waiting.includes(id)) return;
    this.waiting.push(id);
    this.startJoin();
  }

  /**
   * The tail found the joining node caught up: it becomes the tail.
   * @param {number} id
   */
  promote(id) {
    if (id !== this.joining) return;
    this.chain.push(id);
    this.joining = -1;
    this.epoch++;
    this.startJoin();
  }

  /** Starts adding the next waiting node, when no other is being added and a tail can send it the state. */
  startJoin() {
    if (this.joining >= 0 || this.chain.length === 0) return;
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.joining = next;
    this.silence.set(next, new Map());
    this.epoch++;
  }
}
