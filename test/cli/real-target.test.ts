import { describe, expect, it } from "vitest";
import { CliError } from "../../cli/errors.js";
import { errorText, parseTarget, redact, TARGET_MAX_CHARS } from "../../cli/real/target.js";

function refusal(text: string): string {
  try {
    parseTarget(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error(`accepted ${text}`);
}

describe("--target", () => {
  it("takes pglite, postgres:// (postgresql://) and redis:// (rediss://) URLs", () => {
    expect(parseTarget("pglite")).toEqual({ kind: "pglite", url: "", name: "pglite", secrets: [] });
    expect(parseTarget("postgresql://bob@db.example:5433/shop")).toMatchObject({
      kind: "postgres",
      name: "postgresql://db.example:5433/shop",
      secrets: [],
    });
    expect(parseTarget("redis://localhost")).toMatchObject({ kind: "redis", name: "redis://localhost" });
    expect(parseTarget("rediss://:pw@cache:6380/2")).toMatchObject({
      kind: "redis",
      name: "rediss://cache:6380/2",
    });
  });

  it("names a target without user, password or query, and knows its password to hide it", () => {
    const target = parseTarget(
      "postgres://alice:p%40ss-w0rd@127.0.0.1:5432/db?sslmode=disable&password=other",
    );
    expect(target.name).toBe("postgres://127.0.0.1:5432/db");
    expect(target.secrets).toEqual(["p%40ss-w0rd", "p@ss-w0rd", "other"]);
    // A password that is not valid percent-encoding is hidden as written.
    expect(parseTarget("postgres://u:pw%zz@h/db").secrets).toEqual(["pw%zz"]);
    expect(redact(`failed for ${target.url}: p@ss-w0rd, other`, target)).toBe(
      "failed for postgres://127.0.0.1:5432/db: ***, ***",
    );
  });

  it("refuses anything else in one line that never quotes what may hold a password", () => {
    for (const text of [
      "mysql://u:hunter2@h/db",
      "postgres://u:hunter2@",
      "hunter2",
      "redis://:hunter2@h/x",
    ]) {
      const message = refusal(text);
      expect(message).not.toContain("hunter2");
      expect(message).toMatch(/^--target: /);
    }
    expect(refusal("mysql://x")).toContain("unknown scheme mysql://");
    expect(refusal("redis://h/x")).toContain("a redis:// URL's path is a database number");
    expect(refusal(`postgres://h/${"x".repeat(TARGET_MAX_CHARS)}`)).toContain(
      `longer than ${TARGET_MAX_CHARS} characters`,
    );
  });

  it("turns a driver's error into one line with its code, without credentials", () => {
    const target = parseTarget("postgres://u:hunter2@127.0.0.1:1/db");
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1\n    at stack"), {
      code: "ECONNREFUSED",
    });
    expect(errorText(error, target)).toBe("connect ECONNREFUSED 127.0.0.1:1");
    expect(errorText(Object.assign(new Error("password hunter2 rejected"), { code: "28P01" }), target)).toBe(
      "password *** rejected (28P01)",
    );
  });
});
