// Order-preserving key encoding: a tuple of typed values becomes one string whose code-unit order
// (JS `<`, the B+tree's fast default order) is the tuple's order, column by column. So composite
// keys need no comparator, and a prefix of columns is a prefix of the string.
//
// API:
//   encodeValue(value): string                  one value (its type decides the encoding)
//   encodeTuple(values): string                 a tuple, column by column
//   prefixSuccessor(key): string | undefined    the least string above every string starting with key
//   compareValues(a, b): number                 the same order on raw values of one type
//
// Encodings (each self-delimiting, so a tuple's columns never bleed into each other):
// - number (int, float, timestamp): 4 code units, the IEEE-754 bits big-endian, the sign bit
//   flipped for positives and every bit flipped for negatives; -0 is encoded as 0;
// - bool: one unit, 0 or 1;
// - string: its code units, a 0 unit escaped as 0,1, then the terminator 0,0; so "a" < "a\0" <
//   "a\x01" < "b", and a shorter string sorts before its extensions whatever column follows.

import type { Value } from "./schema.js";

const view = new DataView(new ArrayBuffer(8));

export function encodeNumber(value: number): string {
  view.setFloat64(0, value === 0 ? 0 : value);
  let u0 = view.getUint16(0);
  let u1 = view.getUint16(2);
  let u2 = view.getUint16(4);
  let u3 = view.getUint16(6);
  if (u0 & 0x8000) {
    u0 ^= 0xffff;
    u1 ^= 0xffff;
    u2 ^= 0xffff;
    u3 ^= 0xffff;
  } else {
    u0 ^= 0x8000;
  }
  return String.fromCharCode(u0, u1, u2, u3);
}

export function encodeString(value: string): string {
  return value.includes("\u0000")
    ? `${value.replaceAll("\u0000", "\u0000\u0001")}\u0000\u0000`
    : `${value}\u0000\u0000`;
}

export function encodeValue(value: Value): string {
  switch (typeof value) {
    case "number":
      return encodeNumber(value);
    case "string":
      return encodeString(value);
    default:
      return value ? "\u0001" : "\u0000";
  }
}

export function encodeTuple(values: readonly Value[]): string {
  let out = "";
  for (let i = 0; i < values.length; i++) out += encodeValue(values[i] as Value);
  return out;
}

/** The values at `positions` of `row`, encoded. */
export function encodeAt(row: readonly Value[], positions: readonly number[]): string {
  let out = "";
  for (let i = 0; i < positions.length; i++) out += encodeValue(row[positions[i] as number] as Value);
  return out;
}

/**
 * The least string greater than every string that starts with `key`, or undefined when there is
 * none (an empty key, or one made only of 0xFFFF units).
 */
export function prefixSuccessor(key: string): string | undefined {
  let end = key.length;
  while (end > 0 && key.charCodeAt(end - 1) === 0xffff) end--;
  if (end === 0) return undefined;
  return key.slice(0, end - 1) + String.fromCharCode(key.charCodeAt(end - 1) + 1);
}

/** Orders two values of the same column type as their encodings do. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  throw new TypeError(`compareValues: values of different types (${typeof a}, ${typeof b})`);
}
