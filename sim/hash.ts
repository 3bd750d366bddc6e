// Small non-cryptographic hashes used for stream derivation, trace hashing and key digests.
// All operate on 32-bit lanes with Math.imul so results are identical on every platform.

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the UTF-16 code units of a string. */
export function fnv1a32(text: string): number {
  let hash = FNV32_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV32_PRIME);
  }
  return hash >>> 0;
}

/** Finalizer of MurmurHash3: a bijective avalanche of one 32-bit word. */
export function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, "0");
}
