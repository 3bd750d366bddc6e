// A node's pages: a stable integer id for every page of its tables and indexes, and the record of
// the pages each unit of work (a request, an applied log entry) touches, which the node then runs
// through its buffer pool (node/buffer-pool.ts).
//
// Ids are dense per node (a counter and a free list), so the buffer pool maps an id to its frame
// with a plain array. A structure (B+tree, hash index) is bound to its node's space once it belongs
// to a node (NodeStorage binds the table and the query database): binding gives every page it has
// an id, and from then on it allocates ids for new pages, releases those of freed pages, and
// records each page it reads, writes or creates. An unbound structure (a snapshot's copy in
// flight, `dbsim explain`'s database) records nothing.
//
// The record is cleared before each unit of work; what structures touch outside one (a snapshot
// copying the data, the inspector reading a value) is overwritten by the next.

/** How a unit of work touched a page. */
export const PAGE_READ = 0;
/** Modified a page it read (it becomes dirty in the pool). */
export const PAGE_WRITE = 1;
/** Created a page (no disk read: it starts dirty in the pool). */
export const PAGE_NEW = 2;

export type PageTouch = typeof PAGE_READ | typeof PAGE_WRITE | typeof PAGE_NEW;

export class PageSpace {
  /** The pages touched since `clear()`, in order: ids and how (PAGE_*). */
  ids = new Int32Array(64);
  kinds = new Uint8Array(64);
  length = 0;
  /** Ids handed out so far (released ones are reused first). */
  private next = 0;
  private readonly released: number[] = [];

  /** Pages alive: allocated and not released. */
  get pageCount(): number {
    return this.next - this.released.length;
  }

  /** One more than the largest id ever handed out (the buffer pool's page table size). */
  get idLimit(): number {
    return this.next;
  }

  /** A new page's id (not recorded: the structure records the page's creation itself). */
  allocate(): number {
    return this.released.pop() ?? this.next++;
  }

  /** A page was freed; its id is handed out again. */
  release(id: number): void {
    this.released.push(id);
  }

  read(id: number): void {
    this.touch(id, PAGE_READ);
  }

  write(id: number): void {
    this.touch(id, PAGE_WRITE);
  }

  create(id: number): void {
    this.touch(id, PAGE_NEW);
  }

  /** Starts a unit of work: forgets the pages touched so far. */
  clear(): void {
    this.length = 0;
  }

  private touch(id: number, kind: PageTouch): void {
    const n = this.length;
    if (n === this.ids.length) this.grow();
    this.ids[n] = id;
    this.kinds[n] = kind;
    this.length = n + 1;
  }

  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2);
    ids.set(this.ids);
    this.ids = ids;
    const kinds = new Uint8Array(this.kinds.length * 2);
    kinds.set(this.kinds);
    this.kinds = kinds;
  }
}
