// The domain workloads' sections of a scenario (`workload.ecommerce`, `.social`, `.timeseries`):
// each one's schema (its knobs and template mix, from the workload's own specs) with defaults, and
// the resolution to what createDomainWorkload takes.

import { z } from "zod";
import { WHEN_FIELDS_VALID } from "../../../engine/settings/fields.js";
import { DOMAIN_TYPES, type DomainType, type KnobSpec, type TemplateSpec } from "./domain.js";
import { DOMAIN_KNOBS, DOMAIN_TEMPLATES } from "./registry.js";

const DOMAIN_DESCRIPTIONS: Readonly<Record<DomainType, string>> = {
  ecommerce:
    "The ecommerce workload (workload.type `ecommerce`): tables customers, products, orders and " +
    "order_items; templates orders_by_customer, recent_orders_by_customer, orders_by_status_in_range, " +
    "new_order, update_order_status. The YCSB keys do not apply to it.",
  social:
    "The social workload (workload.type `social`): tables users, posts and comments; templates " +
    "user_feed, post_comments, new_post, new_comment. The YCSB keys do not apply to it.",
  timeseries:
    "The timeseries workload (workload.type `timeseries`): table measurements (primary key device_id, " +
    "ts); templates record_measurement, device_range, device_latest, device_range_stats, " +
    "all_devices_range. The YCSB keys do not apply to it.",
};

export function isDomainType(type: string): type is DomainType {
  return (DOMAIN_TYPES as readonly string[]).includes(type);
}

function knobSchema(spec: KnobSpec) {
  return (spec.integer ? z.int() : z.number())
    .min(spec.min)
    .max(spec.max)
    .default(spec.default)
    .describe(spec.description);
}

function domainMixSchema(templates: readonly TemplateSpec[]) {
  const defaults = templates.map((t) => `${t.name} ${t.weight}`).join(", ");
  const shape: Record<string, z.ZodDefault<z.ZodNumber>> = {};
  for (const t of templates) {
    shape[t.name] = z.number().min(0).default(0).describe(`Weight of ${t.name}: ${t.description}`);
  }
  return z
    .strictObject(shape)
    .superRefine((mix, ctx) => {
      if (!(Object.values(mix).reduce((sum, w) => sum + w, 0) > 0)) {
        ctx.addIssue({
          code: "custom",
          message: `at least one of ${templates.map((t) => t.name).join(", ")} must be more than 0`,
        });
      }
    }, WHEN_FIELDS_VALID)
    .nullable()
    .default(null)
    .describe(
      `Template weights, normalized to sum 1; replaces the default mix (templates left out weigh 0). null: the default mix (${defaults}).`,
    );
}

function domainSchema(type: DomainType) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(DOMAIN_KNOBS[type])) shape[name] = knobSchema(spec);
  shape.mix = domainMixSchema(DOMAIN_TEMPLATES[type]);
  return z.strictObject(shape).describe(DOMAIN_DESCRIPTIONS[type]);
}

/** The domain workloads' sections of `workload`, one per type, in the order the file lists them. */
export const domainFields = {
  ecommerce: domainSchema("ecommerce").prefault({}),
  social: domainSchema("social").prefault({}),
  timeseries: domainSchema("timeseries").prefault({}),
};

export type DomainDoc = z.output<z.ZodObject<typeof domainFields>>;

/** A domain workload as createDomainWorkload takes it: its type, and its knobs (`mix` only when given). */
export interface DomainSettings {
  readonly type: DomainType;
  readonly knobs: Readonly<Record<string, unknown>>;
}

/** The knobs of the document's domain workload, as createDomainWorkload takes them (mix only when given). */
export function domainKnobs(workload: DomainDoc, type: DomainType): Record<string, unknown> {
  const { mix, ...knobs } = workload[type] as Record<string, unknown>;
  return mix === null || mix === undefined ? knobs : { ...knobs, mix };
}

/** The workload's domain settings; null when `type` is not a domain workload's. */
export function resolveDomain(type: string, workload: DomainDoc): DomainSettings | null {
  return isDomainType(type) ? { type, knobs: domainKnobs(workload, type) } : null;
}
