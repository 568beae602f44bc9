// JSON Schemas for what the chart emits, built offline:
// - Kubernetes kinds: from @kubernetes/client-node's generated models (attribute type maps and
//   required fields), which openapi-generator derived from the Kubernetes OpenAPI spec. Every
//   object is closed (additionalProperties: false), like `kubectl apply --validate=strict`.
// - Flux kinds: the upstream CRDs' openAPIV3Schema, closed the same way, as the API server's
//   pruning would silently drop an unknown field.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";
import * as models from "@kubernetes/client-node/dist/gen/models/all.js";

type Schema = Record<string, unknown>;
interface Attr { name: string; baseName: string; type: string; format: string }
interface Model { getAttributeTypeMap(): Attr[] }

const modelDir = join(dirname(createRequire(import.meta.url).resolve("@kubernetes/client-node/dist/gen/models/all.js")));
const modelTable = models as unknown as Record<string, Model | undefined>;

/** The apiVersion/kind pairs the chart may emit, and the model each one is checked against. */
export const K8S_KINDS: Record<string, string> = {
  "v1/Namespace": "V1Namespace",
  "v1/ServiceAccount": "V1ServiceAccount",
  "v1/Service": "V1Service",
  "v1/ConfigMap": "V1ConfigMap",
  "v1/Secret": "V1Secret",
  "apps/v1/Deployment": "V1Deployment",
  "rbac.authorization.k8s.io/v1/ClusterRole": "V1ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "V1ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1/Role": "V1Role",
  "rbac.authorization.k8s.io/v1/RoleBinding": "V1RoleBinding",
};

function requiredOf(model: string): Set<string> {
  const dts = readFileSync(join(modelDir, `${model}.d.ts`), "utf8");
  return new Set([...dts.matchAll(/^\s+'([A-Za-z0-9_$]+)': /gm)].map((m) => m[1] as string));
}

function typeSchema(t: string, format: string, defs: Schema, pending: string[]): Schema {
  if (t === "string" || t === "Date") return { type: "string" };
  if (t === "boolean") return { type: "boolean" };
  if (t === "number") return format.startsWith("int") ? { type: "integer" } : { type: "number" };
  if (t === "IntOrString") return { type: ["integer", "string"] };
  if (t === "any") return {};
  const arr = /^Array<(.+)>$/.exec(t);
  if (arr) return { type: "array", items: typeSchema(arr[1] as string, "", defs, pending) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(t);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1] as string, "", defs, pending) };
  if (!modelTable[t]) throw new Error(`schemas: no model for type ${t}`);
  if (!(t in defs)) pending.push(t);
  return { $ref: `#/definitions/${t}` };
}

function buildDefinitions(roots: string[]): Schema {
  const defs: Schema = {};
  const pending = [...roots];
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (name in defs) continue;
    const model = modelTable[name];
    if (!model) throw new Error(`schemas: no model ${name}`);
    const attrs = model.getAttributeTypeMap();
    const req = requiredOf(name);
    defs[name] = {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(attrs.map((a) => [a.baseName, typeSchema(a.type, a.format, defs, pending)])),
      required: attrs.filter((a) => req.has(a.name)).map((a) => a.baseName),
    };
  }
  return defs;
}

const DEFS = buildDefinitions([...Object.values(K8S_KINDS), "V1ObjectMeta"]);

function rootSchema(model: string, apiVersion: string, kind: string): Schema {
  return {
    definitions: DEFS,
    allOf: [
      { $ref: `#/definitions/${model}` },
      { properties: { apiVersion: { const: apiVersion }, kind: { const: kind } }, required: ["apiVersion", "kind", "metadata"] },
    ],
  };
}

// Closes every object schema that lists its properties, unless the CRD says it keeps unknown fields.
function closeObjects(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(closeObjects);
  if (s === null || typeof s !== "object") return s;
  const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === "properties" ? Object.fromEntries(Object.entries(v as Schema).map(([pk, pv]) => [pk, closeObjects(pv)])) : closeObjects(v)]));
  if (o.properties && o.additionalProperties === undefined && o["x-kubernetes-preserve-unknown-fields"] !== true) {
    o.additionalProperties = false;
  }
  return o;
}

export const CRD_DIR = new URL("../../agent/sim/flux/crds/", import.meta.url);

function crdSchemas(): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const file of ["source.toolkit.fluxcd.io_buckets.yaml", "kustomize.toolkit.fluxcd.io_kustomizations.yaml"]) {
    const crd = parse(readFileSync(new URL(file, CRD_DIR), "utf8")) as {
      spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[] };
    };
    for (const v of crd.spec.versions.filter((x) => x.served)) {
      const s = closeObjects(v.schema.openAPIV3Schema) as Schema & { properties: Schema };
      // The CRD leaves metadata open; the API server checks it as ObjectMeta.
      s.properties.metadata = { $ref: "#/definitions/V1ObjectMeta" };
      const apiVersion = `${crd.spec.group}/${v.name}`;
      out.set(`${apiVersion}/${crd.spec.names.kind}`, {
        definitions: DEFS,
        allOf: [s, { properties: { apiVersion: { const: apiVersion }, kind: { const: crd.spec.names.kind } }, required: ["apiVersion", "kind", "metadata"] }],
      });
    }
  }
  return out;
}

// Formats (duration, date-time) and CEL rules are the API server's, not checked here.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
for (const [key, model] of Object.entries(K8S_KINDS)) {
  const [apiVersion, kind] = [key.slice(0, key.lastIndexOf("/")), key.slice(key.lastIndexOf("/") + 1)];
  validators.set(key, ajv.compile(rootSchema(model, apiVersion, kind)));
}
for (const [key, schema] of crdSchemas()) validators.set(key, ajv.compile(schema));

/** Validation errors for one object (empty when valid); an unknown apiVersion/kind is an error. */
export function validate(obj: { apiVersion?: unknown; kind?: unknown }): string[] {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const v = validators.get(key);
  if (!v) return [`${key}: no schema (not a kind the chart may emit)`];
  if (v(obj)) return [];
  return (v.errors ?? []).map((e) => `${key} ${e.instancePath || "/"}: ${e.message ?? "invalid"} ${JSON.stringify(e.params)}`);
}
