// Runs before every test file (vitest.config.ts, setupFiles). Every fast-check property runs from
// this seed, so a test passes or fails the same way on every run; on failure fast-check prints the
// seed and the counterexample's path, to replay with fc.assert(..., { seed, path }).

import fc from "fast-check";

const PROPERTY_SEED = 20_261_206;

fc.configureGlobal({ seed: PROPERTY_SEED });
