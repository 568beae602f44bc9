// CRD validation, defaulting and pruning of Flux objects, in the order the real API server
// applies them to a custom resource: prune unknown fields, apply `default`s, then validate
// against the served version's openAPIV3Schema. CEL rules (x-kubernetes-validations) are not
// evaluated: a few cross-field rules pass here that a real server would reject.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { BUILTIN_KINDS, FLUX_KINDS, fluxKind, kindOf, type FluxKind, type Json, type JsonObject } from "./kinds.ts";

export { BUILTIN_KINDS, FLUX_KINDS, fluxKind, kindOf, type FluxKind, type Json, type JsonObject };

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// strict: false makes ajv skip the x-kubernetes-* keywords instead of refusing the schema.
const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false, formats: {
  "date-time": RFC3339,
  int32: true,
  int64: true,
} });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(k: FluxKind): ValidateFunction {
  let v = compiled.get(k.kind);
  if (!v) {
    v = ajv.compile(k.schema);
    compiled.set(k.kind, v);
  }
  return v;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Fill absent fields that the schema gives a `default`, recursively, as the API server does. */
export function applyDefaults(value: Json | undefined, schema: JsonObject): void {
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : {};
    for (const [key, sub] of Object.entries(props)) {
      if (!isObject(sub)) continue;
      if (value[key] === undefined && sub.default !== undefined) value[key] = clone(sub.default);
      applyDefaults(value[key], sub);
    }
    if (isObject(schema.additionalProperties)) {
      for (const key of Object.keys(value)) if (!(key in props)) applyDefaults(value[key], schema.additionalProperties);
    }
  } else if (Array.isArray(value) && isObject(schema.items)) {
    for (const item of value) applyDefaults(item, schema.items);
  }
}

/**
 * Drop fields the schema does not declare (the API server prunes them silently, unless
 * `x-kubernetes-preserve-unknown-fields`). Returns the pruned paths. `metadata` is left alone.
 */
export function pruneUnknown(value: Json | undefined, schema: JsonObject, path = ""): string[] {
  const pruned: string[] = [];
  if (isObject(value)) {
    const props = isObject(schema.properties) ? schema.properties : undefined;
    const extra = schema.additionalProperties;
    const keep = schema["x-kubernetes-preserve-unknown-fields"] === true || extra === true;
    for (const key of Object.keys(value)) {
      const p = path ? `${path}.${key}` : key;
      const sub = props?.[key] ?? (isObject(extra) ? extra : undefined);
      if (path === "" && key === "metadata") continue;
      if (isObject(sub)) pruned.push(...pruneUnknown(value[key], sub, p));
      else if (!keep && (props || isObject(extra) || schema.type === "object")) {
        delete value[key];
        pruned.push(p);
      }
    }
  } else if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((item, i) => pruned.push(...pruneUnknown(item, schema.items as JsonObject, `${path}[${i}]`)));
  }
  return pruned;
}

function fieldPath(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "null";
}

// Shaped after the apiserver's field.Error strings, e.g.
// `spec.interval: Invalid value: "5x": spec.interval in body should match '^...$'`.
function describe(e: ErrorObject): string {
  const p = fieldPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return `${p ? `${p}.` : ""}${String(params.missingProperty)}: Required value`;
    case "type": {
      const actual = Array.isArray(e.data) ? "array" : e.data === null ? "null" : typeof e.data;
      return `${p}: Invalid value: "${actual}": ${p} in body must be of type ${String(params.type)}: "${actual}"`;
    }
    case "enum":
      return `${p}: Unsupported value: ${show(e.data)}: supported values: ${(params.allowedValues as unknown[]).map(show).join(", ")}`;
    case "pattern":
      return `${p}: Invalid value: ${show(e.data)}: ${p} in body should match '${String(params.pattern)}'`;
    case "format":
      return `${p}: Invalid value: ${show(e.data)}: ${p} in body must be of type ${String(params.format)}: ${show(e.data)}`;
    case "maxLength":
      return `${p}: Too long: may not be more than ${String(params.limit)} bytes`;
    case "minimum":
      return `${p}: Invalid value: ${show(e.data)}: ${p} in body should be greater than or equal to ${String(params.limit)}`;
    default:
      return `${p || "<root>"}: Invalid value: ${show(e.data)}: ${e.message ?? e.keyword}`;
  }
}

export interface ValidateOptions {
  /** Apply the CRD's `default`s to `obj` in place first (the API server does, on create/update). */
  applyDefaults?: boolean;
  /** Prune fields the schema does not declare from `obj` in place first (the API server does). */
  prune?: boolean;
}

/**
 * Errors (empty when valid) for a Flux object against its served version's openAPIV3Schema,
 * plus the object-meta checks every custom resource gets. Mutates `obj` only when asked to.
 */
export function validateFluxObject(obj: unknown, opts: ValidateOptions = {}): string[] {
  if (!isObject(obj)) return ["<root>: Invalid value: not an object"];
  const k = kindOf(obj.apiVersion, obj.kind);
  if (!k) return [`kind: Invalid value: ${show(obj.kind)}: no matches for kind ${show(obj.kind)} in version ${show(obj.apiVersion)}`];
  const errors: string[] = [];
  const meta = obj.metadata;
  if (!isObject(meta)) {
    errors.push("metadata: Required value");
  } else {
    if (typeof meta.name !== "string" || meta.name === "") errors.push("metadata.name: Required value: name or generateName is required");
    else if (meta.name.length > 253 || !DNS1123_SUBDOMAIN.test(meta.name))
      errors.push(`metadata.name: Invalid value: ${show(meta.name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
    if (k.namespaced) {
      if (typeof meta.namespace !== "string" || meta.namespace === "") errors.push("metadata.namespace: Required value");
      else if (meta.namespace.length > 63 || !DNS1123_LABEL.test(meta.namespace))
        errors.push(`metadata.namespace: Invalid value: ${show(meta.namespace)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`);
    }
  }
  if (opts.prune) pruneUnknown(obj, k.schema);
  if (opts.applyDefaults) applyDefaults(obj, k.schema);
  const validate = validatorFor(k);
  if (!validate(obj)) errors.push(...(validate.errors ?? []).map(describe));
  return [...new Set(errors)];
}
