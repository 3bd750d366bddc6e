import { defineConfig } from "vitest/config";

// End-to-end tests (`npm run test:e2e`): they drive the system Chromium and Prometheus (with promtool),
// so they stay out of `npm test`.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
