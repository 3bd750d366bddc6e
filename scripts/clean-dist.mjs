// Removes dist/ before a build so files deleted from the source do not linger in it.
import { rmSync } from "node:fs";

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
