// The Flux kinds the simulated cluster serves: the agent's own list (agent/source/kinds.ts), each
// read from its upstream CRD copied into crds/ where there is one, which must agree with it.
import { existsSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { packageFile } from "../package-files.ts";
import { FLUX_KINDS as WATCHED_KINDS, type WatchedKind } from "../../source/kinds.ts";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface FluxKind {
  kind: string;
  listKind: string;
  group: string;
  version: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** `openAPIV3Schema` of the served (storage) version. */
  schema: JsonObject;
  /**
   * "crd": the schema is the upstream CRD's, byte for byte from crds/.
   * "permissive": no upstream CRD was copied for this kind; the schema is a stand-in that
   * only knows the common Flux status shape and accepts any spec. Validation of such objects
   * proves nothing about their spec.
   */
  schemaSource: "crd" | "permissive";
  /** The CustomResourceDefinition document itself (undefined for permissive kinds). */
  crd?: JsonObject;
}

/** Where a kind's upstream CRD is, when it was copied: `<group>_<plural>.yaml`, as Flux names them. */
function crdFile(k: WatchedKind): string {
  return packageFile(`agent/sim/flux/crds/${k.group}_${k.plural}.yaml`);
}

function obj(v: Json | undefined, what: string): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`CRD: ${what} is not an object`);
  return v;
}

function strs(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function fromCrd(watched: WatchedKind): FluxKind {
  const file = crdFile(watched);
  const crd = obj(parse(readFileSync(file, "utf8")) as Json, file);
  const spec = obj(crd.spec, `${file} spec`);
  const names = obj(spec.names, `${file} spec.names`);
  const versions = Array.isArray(spec.versions) ? spec.versions.map((v) => obj(v, `${file} version`)) : [];
  const served = versions.find((v) => v.storage === true && v.served === true);
  if (!served) throw new Error(`CRD ${file}: no served storage version`);
  const found = `${String(names.kind)} ${String(spec.group)}/${String(served.name)} ${String(names.plural)}`;
  const wanted = `${watched.kind} ${watched.group}/${watched.version} ${watched.plural}`;
  if (found !== wanted) throw new Error(`CRD ${file} serves ${found}, but the agent watches ${wanted} (agent/source/kinds.ts)`);
  return {
    kind: String(names.kind),
    listKind: String(names.listKind),
    group: String(spec.group),
    version: String(served.name),
    plural: String(names.plural),
    singular: String(names.singular),
    namespaced: spec.scope === "Namespaced",
    shortNames: strs(names.shortNames),
    categories: strs(names.categories),
    schema: obj(obj(served.schema, `${file} schema`).openAPIV3Schema, `${file} openAPIV3Schema`),
    schemaSource: "crd",
    crd,
  };
}

const crdKinds = WATCHED_KINDS.filter((k) => existsSync(crdFile(k))).map(fromCrd);

// Short names of the kinds served without their CRD (kubectl's `helmrepo`, `hc`).
const SHORT_NAMES: Record<string, string> = { HelmRepository: "helmrepo", HelmChart: "hc" };

// HelmRepository and HelmChart are real Flux kinds whose CRDs were not copied into shared/.
// Serving them lets the agent watch every Flux source; the schema is our stand-in (see
// FluxKind.schemaSource): the metav1.Condition item schema borrowed from the Bucket CRD, the
// `{observedGeneration: -1}` status default all source-controller kinds declare, any spec.
function permissive({ kind, group, version, plural }: WatchedKind): FluxKind {
  const bucket = crdKinds.find((k) => k.kind === "Bucket");
  if (!bucket) throw new Error("the Bucket CRD is missing from agent/sim/flux/crds/: the stand-in schemas borrow its conditions");
  const bucketStatus = obj(obj(bucket.schema.properties, "properties").status, "status");
  const conditions = obj(obj(bucketStatus.properties, "status.properties").conditions, "conditions");
  return {
    kind,
    listKind: `${kind}List`,
    group,
    version,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: SHORT_NAMES[kind] ? [SHORT_NAMES[kind]] : [],
    categories: ["all", "fluxcd", "fluxcd-sources"],
    schemaSource: "permissive",
    schema: {
      description: `PERMISSIVE STAND-IN for ${kind}: not the upstream CRD schema.`,
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        status: {
          type: "object",
          default: { observedGeneration: -1 },
          "x-kubernetes-preserve-unknown-fields": true,
          properties: { conditions, observedGeneration: { type: "integer", format: "int64" } },
        },
      },
    },
  };
}

/** In the agent's order (sources first); a kind without a copied CRD is served with a stand-in schema. */
export const FLUX_KINDS: readonly FluxKind[] = WATCHED_KINDS.map((k) => crdKinds.find((c) => c.kind === k.kind) ?? permissive(k));

// The two built-in kinds fluxlight reads to tell whether a Flux controller runs: its
// leader-election Lease and its Deployment. Always served (they are not CRDs); the schema is a
// stand-in that accepts any spec and status (no defaults: neither kind has a status default).
function builtin(kind: string, group: string, plural: string): FluxKind {
  return {
    kind,
    listKind: `${kind}List`,
    group,
    version: "v1",
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    schemaSource: "permissive",
    schema: {
      description: `PERMISSIVE STAND-IN for the built-in ${kind}.`,
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { type: "object" },
        spec: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
      },
    },
  };
}

export const BUILTIN_KINDS: readonly FluxKind[] = [builtin("Lease", "coordination.k8s.io", "leases"), builtin("Deployment", "apps", "deployments")];

const SERVED_KINDS: readonly FluxKind[] = [...FLUX_KINDS, ...BUILTIN_KINDS];

/** A Flux kind, or one of the built-in kinds the simulator serves (BUILTIN_KINDS). */
export function fluxKind(kind: string): FluxKind | undefined {
  return SERVED_KINDS.find((k) => k.kind === kind);
}

/** The kind an `apiVersion` + `kind` pair names, only if that version is the served one. */
export function kindOf(apiVersion: unknown, kind: unknown): FluxKind | undefined {
  return SERVED_KINDS.find((k) => k.kind === kind && `${k.group}/${k.version}` === apiVersion);
}
