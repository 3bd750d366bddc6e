// The domain workloads by `workload.type`.
//
// API:
//   createDomainWorkload(type, knobs?, epoch_us?): DomainWorkload
//       knobs: the workload's knobs (see each module) and `mix`: {template: weight}, which replaces
//       the default mix (templates it leaves out weigh 0); unknown or out-of-range knobs throw
//       SchemaError with the knob's path (["orders_per_customer"], ["mix", "x"]).
//   DOMAIN_KNOBS: each type's knob specs (name -> {default, min, max, integer, description})
//   DOMAIN_TEMPLATES: each type's templates (name, default weight, description)

import type { DomainType, DomainWorkload, KnobSpec, TemplateSpec } from "./domain.js";
import { createEcommerce, ECOMMERCE_KNOBS, ECOMMERCE_TEMPLATES } from "./ecommerce.js";
import { createSocial, SOCIAL_KNOBS, SOCIAL_TEMPLATES } from "./social.js";
import { createTimeseries, TIMESERIES_KNOBS, TIMESERIES_TEMPLATES } from "./timeseries.js";

export const DOMAIN_KNOBS: Readonly<Record<DomainType, Readonly<Record<string, KnobSpec>>>> = {
  ecommerce: ECOMMERCE_KNOBS,
  social: SOCIAL_KNOBS,
  timeseries: TIMESERIES_KNOBS,
};

export const DOMAIN_TEMPLATES: Readonly<Record<DomainType, readonly TemplateSpec[]>> = {
  ecommerce: ECOMMERCE_TEMPLATES,
  social: SOCIAL_TEMPLATES,
  timeseries: TIMESERIES_TEMPLATES,
};

export function createDomainWorkload(
  type: DomainType,
  knobs?: Readonly<Record<string, unknown>>,
  epoch_us?: number,
): DomainWorkload {
  switch (type) {
    case "ecommerce":
      return createEcommerce(knobs, epoch_us);
    case "social":
      return createSocial(knobs, epoch_us);
    case "timeseries":
      return createTimeseries(knobs, epoch_us);
  }
}
