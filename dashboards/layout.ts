// How every dbsim dashboard is put together with the Grafana foundation SDK: a Prometheus
// datasource variable, a `run` variable (the runs the datasource knows), rows of panels laid out
// two per line, links between the dbsim dashboards, and optionally the faults as annotations.
// A dashboard is described as data (DashboardSpec) so tests can walk every query.

import * as common from "@grafana/grafana-foundation-sdk/common";
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  type ValueMapping,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PanelBuilder as HeatmapPanel, YAxisConfigBuilder } from "@grafana/grafana-foundation-sdk/heatmap";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import { PanelBuilder as StatPanel } from "@grafana/grafana-foundation-sdk/stat";
import { PanelBuilder as StateTimelinePanel } from "@grafana/grafana-foundation-sdk/statetimeline";
import { PanelBuilder as TimeseriesPanel } from "@grafana/grafana-foundation-sdk/timeseries";
import { METRICS, RUN_LABEL } from "../reports/metrics/catalogue.js";

/** The datasource every panel and variable uses: the dashboard's `datasource` variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JavaScript template
export const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** The query listing the runs the datasource holds (runs and live sweeps all have events). */
export const RUN_VARIABLE_QUERY = `label_values(${METRICS.simEvents.name}, ${RUN_LABEL})`;

export interface QuerySpec {
  readonly expr: string;
  /** Grafana legend template, e.g. `{{op}}`. */
  readonly legend?: string;
}

export type PanelSpec = {
  readonly title: string;
  readonly description: string;
  readonly queries: readonly QuerySpec[];
  readonly unit?: string;
} & (
  | { readonly kind: "timeseries"; readonly stack?: boolean; readonly steps?: boolean; readonly min?: number }
  | { readonly kind: "stat"; readonly thresholds?: readonly { value: number | null; color: string }[] }
  | { readonly kind: "heatmap" }
  | { readonly kind: "state"; readonly states: readonly { value: number; text: string; color: string }[] }
);

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface AnnotationSpec {
  readonly name: string;
  readonly expr: string;
  readonly title: string;
  readonly tagKeys: string;
  readonly color: string;
}

export interface DashboardSpec {
  /** Also the file name: `<uid>.json`. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly rows: readonly RowSpec[];
  readonly annotations?: readonly AnnotationSpec[];
}

/** Every query of a dashboard (panels, then annotations), for tests and the Prometheus end-to-end test. */
export function dashboardQueries(spec: DashboardSpec): { where: string; expr: string }[] {
  const queries = spec.rows.flatMap((row) =>
    row.panels.flatMap((panel) =>
      panel.queries.map((query) => ({ where: `${spec.uid} / ${panel.title}`, expr: query.expr })),
    ),
  );
  for (const annotation of spec.annotations ?? [])
    queries.push({ where: `${spec.uid} / annotation ${annotation.name}`, expr: annotation.expr });
  return queries;
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;
const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function targets(queries: readonly QuerySpec[], heatmap = false): DataqueryBuilder[] {
  return queries.map((query, i) => {
    const target = new DataqueryBuilder()
      .refId(REF_IDS[i] as string)
      .datasource(DATASOURCE)
      .expr(query.expr)
      .range();
    if (query.legend !== undefined) target.legendFormat(query.legend);
    if (heatmap) target.format(PromQueryFormat.Heatmap);
    return target;
  });
}

function valueMappings(states: readonly { value: number; text: string; color: string }[]): ValueMapping[] {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  states.forEach((state, index) => {
    options[String(state.value)] = { text: state.text, color: state.color, index };
  });
  return [{ type: MappingType.ValueToText, options }];
}

type AnyPanel = TimeseriesPanel | StatPanel | HeatmapPanel | StateTimelinePanel;

function panel(
  spec: PanelSpec,
  id: number,
  gridPos: { x: number; y: number; w: number; h: number },
): AnyPanel {
  let built: AnyPanel;
  switch (spec.kind) {
    case "timeseries": {
      const p = new TimeseriesPanel()
        .legend(
          new common.VizLegendOptionsBuilder()
            .displayMode(common.LegendDisplayMode.List)
            .placement(common.LegendPlacement.Bottom)
            .showLegend(true),
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder()
            .mode(common.TooltipDisplayMode.Multi)
            .sort(common.SortOrder.Descending),
        )
        .fillOpacity(spec.stack ? 40 : 10)
        .lineWidth(1)
        .targets(targets(spec.queries));
      if (spec.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      if (spec.steps) p.lineInterpolation(common.LineInterpolation.StepAfter);
      if (spec.min !== undefined) p.min(spec.min);
      built = p;
      break;
    }
    case "stat": {
      const p = new StatPanel()
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .graphMode(common.BigValueGraphMode.None)
        .colorMode(common.BigValueColorMode.Value)
        .targets(targets(spec.queries));
      if (spec.thresholds !== undefined)
        p.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([...spec.thresholds]));
      built = p;
      break;
    }
    case "heatmap":
      built = new HeatmapPanel()
        .calculate(false)
        .yAxis(new YAxisConfigBuilder().unit(spec.unit ?? "s"))
        .targets(targets(spec.queries, true));
      break;
    case "state":
      built = new StateTimelinePanel()
        .mappings(valueMappings(spec.states))
        .showValue(common.VisibilityMode.Never)
        .mergeValues(true)
        .targets(targets(spec.queries));
      break;
  }
  built.id(id).title(spec.title).description(spec.description).datasource(DATASOURCE).gridPos(gridPos);
  if (spec.unit !== undefined && spec.kind !== "heatmap") built.unit(spec.unit);
  return built;
}

/** The dashboard as Grafana JSON (the foundation SDK's model). */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(["dbsim"])
    .editable()
    .timezone("browser")
    .time({ from: "now-1h", to: "now" })
    .refresh("")
    // One cursor on every panel: a fault and the latency it causes line up.
    .tooltip(DashboardCursorSync.Crosshair)
    .link(
      new DashboardLinkBuilder("dbsim dashboards")
        .type(DashboardLinkType.Dashboards)
        .tags(["dbsim"])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    )
    .withVariable(
      new DatasourceVariableBuilder("datasource")
        .label("Prometheus")
        .type("prometheus")
        .description(
          "The Prometheus holding dbsim's metrics (a backfilled TSDB, or one scraping --metrics-port)",
        ),
    )
    .withVariable(
      new QueryVariableBuilder("run")
        .label("Run")
        .description("The run (<scenario>/seed-<seed>) or live sweep (<scenario>/sweep) to show")
        .datasource(DATASOURCE)
        .query({ query: RUN_VARIABLE_QUERY, refId: "run" })
        .definition(RUN_VARIABLE_QUERY)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc),
    );
  for (const annotation of spec.annotations ?? []) {
    builder.annotation(
      new AnnotationQueryBuilder()
        .name(annotation.name)
        .datasource(DATASOURCE)
        .enable(true)
        .iconColor(annotation.color)
        .expr(annotation.expr)
        .titleFormat(annotation.title)
        .tagKeys(annotation.tagKeys)
        .step("1s"),
    );
  }
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title).id(id++).gridPos({ x: 0, y, w: 24, h: 1 }));
    y += 1;
    row.panels.forEach((p, i) => {
      const full = row.panels.length % 2 === 1 && i === row.panels.length - 1;
      const gridPos = { x: full ? 0 : (i % 2) * PANEL_WIDTH, y, w: full ? 24 : PANEL_WIDTH, h: PANEL_HEIGHT };
      builder.withPanel(panel(p, id++, gridPos));
      if (i % 2 === 1 || full) y += PANEL_HEIGHT;
    });
  }
  return builder.build();
}
