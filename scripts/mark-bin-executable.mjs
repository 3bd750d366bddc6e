// Makes the built command executable (tsc writes files without the bit): `npx dbsim` runs it
// directly, through its `#!/usr/bin/env node` line.
import { chmodSync } from "node:fs";

chmodSync(new URL("../dist/cli/main.js", import.meta.url), 0o755);
