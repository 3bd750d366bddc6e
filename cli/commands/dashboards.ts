// dbsim dashboards [--out DIR]
//
// Writes the Grafana dashboards built from the metric catalogue (dashboards/), their Grafana
// provisioning, a Prometheus configuration and a docker-compose.yml. The repository keeps the
// output of the default directory committed (`npm run docs` regenerates it; a test checks it).

import { join } from "node:path";
import { generatedFiles } from "../../dashboards/index.js";
import { writeFileAtomic } from "../../reports/run-dir.js";
import type { CliIo } from "../cli.js";
import { CliError } from "../errors.js";
import { EXIT_OK } from "../exit-codes.js";
import { makeOutputDirectoryOrFail, preflightFileIn, preflightOutputDirectory, sayNotes } from "../output.js";

export const DEFAULT_DASHBOARDS_DIR = join("dashboards", "generated");

export interface DashboardsArgs {
  out: string;
}

export async function dashboardsCommand(args: DashboardsArgs, io: CliIo): Promise<number> {
  const files = generatedFiles();
  const state = preflightOutputDirectory("--out", args.out, "dashboards", io);
  const targets = [...files].map(([path, content]) => ({
    target: preflightFileIn("--out", state, join(args.out, path)),
    content,
  }));
  makeOutputDirectoryOrFail(args.out, "dashboards");
  for (const { target, content } of targets) {
    try {
      sayNotes(io, writeFileAtomic(target.path, content, target).notes);
    } catch (error) {
      throw new CliError(`cannot write ${target.path}: ${(error as Error).message}`);
    }
  }
  const dashboards = [...files.keys()].filter((path) => path.endsWith(".json"));
  io.stdout.write(
    `wrote ${files.size} files to ${args.out}/: ${dashboards.length} dashboards (${dashboards.join(", ")}), ` +
      "Grafana provisioning, prometheus.yml and docker-compose.yml\n",
  );
  return EXIT_OK;
}
