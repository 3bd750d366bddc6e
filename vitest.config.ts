import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    // Room for a machine four times slower, and busy. On 2 cores beside two busy processes the
    // slowest test took 17-37 s and the slowest beforeAll (four index scenarios) 21-32 s; about
    // 5 s and 8 s on a quiet machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every fast-check property runs from a fixed seed (test/setup.ts).
    setupFiles: ["test/setup.ts"],
  },
});
