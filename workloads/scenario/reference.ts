// The scenario reference (path | type / allowed values | default | description), generated from the
// schema so the documentation cannot drift from the code. Walks the schema's JSON Schema form.

import { stringify } from "yaml";
import { z } from "zod";
import { scenarioSchema } from "./schema.js";

/** The parts of a JSON Schema that z.toJSONSchema produces for the scenario schema. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  pattern?: string;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** The schema's own meta: allowed values of a field checked by code (durations, rates, ...). */
  allowed?: string;
}

export interface ReferenceRow {
  readonly path: string;
  /** Set for the fields of one form of a discriminated union, e.g. "dist: lognormal". */
  readonly form?: string;
  readonly type: string;
  /** The default as YAML; null when there is none (required fields, mappings of defaulted fields). */
  readonly default: string | null;
  readonly required: boolean;
  readonly description: string;
}

/** One row per field of the scenario, parents before children, in the schema's order. */
export function scenarioReferenceRows(): ReferenceRow[] {
  const root = z.toJSONSchema(scenarioSchema, { io: "input" }) as JsonSchema;
  const rows: ReferenceRow[] = [];
  addFieldRows(root, "", undefined, rows);
  return rows;
}

const UNITS_NOTE =
  "Durations are a number and a unit (`us`, `ms`, `s`, `m`, `h`), e.g. `500us`, `2ms`, `1.5s`, `5m`; " +
  "`0` alone is zero; they resolve to whole microseconds. Rates are per second: `2000/s`, `2.5k/s`.";

/** The scenario reference as Markdown: a note on units, then the table. */
export function scenarioReferenceMarkdown(): string {
  const lines = [
    UNITS_NOTE,
    "",
    "| Path | Type / allowed values | Default | Description |",
    "| --- | --- | --- | --- |",
  ];
  for (const row of scenarioReferenceRows()) {
    const path = `\`${row.path}\`${row.form === undefined ? "" : ` (\`${row.form}\`)`}`;
    const defaultCell = row.default === null ? (row.required ? "required" : "") : `\`${row.default}\``;
    const cells = [path, row.type, defaultCell, row.description];
    lines.push(`| ${cells.map(escapeCell).join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Rows for the fields of an object schema at `path`. */
function addFieldRows(
  object: JsonSchema,
  path: string,
  form: string | undefined,
  rows: ReferenceRow[],
): void {
  const required = new Set(object.required ?? []);
  for (const [key, field] of Object.entries(object.properties ?? {})) {
    const fieldPath = path === "" ? key : `${path}.${key}`;
    const inner = nonNull(field);
    if (form !== undefined && inner.const !== undefined && form === `${key}: ${String(inner.const)}`) {
      continue; // a form's discriminator: its row names it
    }
    rows.push({
      path: fieldPath,
      ...(form === undefined ? {} : { form }),
      type: typeText(field),
      default: defaultText(field),
      required: required.has(key) && !("default" in field),
      description: field.description ?? inner.description ?? "",
    });
    if (inner.properties !== undefined) addFieldRows(inner, fieldPath, form, rows);
    // A list of mappings (cluster.indexes) or of the forms of a union (faults.schedule): the
    // fields of each item, as `path[].field`.
    if (inner.items?.properties !== undefined) addFieldRows(inner.items, `${fieldPath}[]`, form, rows);
    if (inner.items?.oneOf !== undefined) addFormRows(inner.items.oneOf, `${fieldPath}[]`, rows);
    if (inner.oneOf !== undefined) addFormRows(inner.oneOf, fieldPath, rows);
  }
}

/**
 * Rows for a discriminated union: the discriminator and the fields every form shares alike, then
 * each form (a row naming it) with its other fields.
 */
function addFormRows(forms: JsonSchema[], path: string, rows: ReferenceRow[]): void {
  const key = discriminatorKey(forms);
  const shared = sharedFields(forms, key);
  const first = forms[0] as JsonSchema;
  const values = forms.map((formSchema) => `\`${String(formSchema.properties?.[key]?.const)}\``);
  rows.push({
    path: `${path}.${key}`,
    type: `one of ${values.join(", ")}`,
    default: null,
    required: true,
    description: "Which form the mapping takes; the rows of each form follow.",
  });
  addFieldRows({ ...first, properties: pick(first.properties ?? {}, shared) }, path, undefined, rows);
  for (const formSchema of forms) {
    const form = `${key}: ${String(formSchema.properties?.[key]?.const)}`;
    rows.push({
      path,
      form,
      type: "mapping",
      default: null,
      required: false,
      description: formSchema.description ?? "",
    });
    const own = Object.keys(formSchema.properties ?? {}).filter((field) => !shared.includes(field));
    addFieldRows({ ...formSchema, properties: pick(formSchema.properties ?? {}, own) }, path, form, rows);
  }
}

/** The field whose constant tells the forms apart. */
function discriminatorKey(forms: readonly JsonSchema[]): string {
  const keys = Object.entries(forms[0]?.properties ?? {})
    .filter(([, field]) => field.const !== undefined)
    .map(([key]) => key);
  const key = keys.find((candidate) =>
    forms.every((form) => form.properties?.[candidate]?.const !== undefined),
  );
  if (key === undefined) throw new Error("reference: a union without a discriminator");
  return key;
}

/** Fields (other than the discriminator) that every form has, with the same schema. */
function sharedFields(forms: readonly JsonSchema[], discriminator: string): string[] {
  const first = forms[0]?.properties ?? {};
  return Object.keys(first).filter(
    (key) =>
      key !== discriminator &&
      forms.every((form) => JSON.stringify(form.properties?.[key]) === JSON.stringify(first[key])),
  );
}

function pick(properties: Record<string, JsonSchema>, keys: readonly string[]): Record<string, JsonSchema> {
  return Object.fromEntries(keys.map((key) => [key, properties[key] as JsonSchema]));
}

/** The schema without its `null` alternative (a nullable field). */
function nonNull(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf?.filter((alternative) => alternative.type !== "null");
  return alternatives?.length === 1 && alternatives[0] !== undefined ? alternatives[0] : schema;
}

function isNullable(schema: JsonSchema): boolean {
  return (schema.anyOf ?? []).some((alternative) => alternative.type === "null");
}

function typeText(schema: JsonSchema): string {
  const inner = nonNull(schema);
  const text = schema.allowed ?? inner.allowed ?? plainTypeText(inner);
  return isNullable(schema) ? `${text}, or null` : text;
}

function plainTypeText(schema: JsonSchema): string {
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  if (schema.enum !== undefined)
    return `one of ${schema.enum.map((value) => `\`${String(value)}\``).join(", ")}`;
  if (schema.oneOf !== undefined) return "mapping: one of the forms below";
  if (schema.type === "object") return "mapping";
  if (schema.type === "string" && schema.pattern !== undefined)
    return `string matching \`${schema.pattern}\``;
  if (schema.type === "string" && schema.maxLength !== undefined)
    return `string of at most ${schema.maxLength} characters`;
  const bounds = [
    schema.minimum === undefined ? undefined : `>= ${schema.minimum}`,
    schema.exclusiveMinimum === undefined ? undefined : `> ${schema.exclusiveMinimum}`,
    schema.maximum === undefined ? undefined : `<= ${schema.maximum}`,
    schema.exclusiveMaximum === undefined ? undefined : `< ${schema.exclusiveMaximum}`,
  ].filter((bound) => bound !== undefined);
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : (schema.type ?? "any");
  return bounds.length === 0 ? type : `${type} ${bounds.join(" and ")}`;
}

function defaultText(schema: JsonSchema): string | null {
  if (!("default" in schema)) return null;
  if (nonNull(schema).type === "object" && isEmptyObject(schema.default)) return null; // see its fields
  return stringify(schema.default, { collectionStyle: "flow" }).trimEnd();
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.keys(value).length === 0;
}
