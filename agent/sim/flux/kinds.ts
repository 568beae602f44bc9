// The Flux kinds the simulated cluster serves, read from the upstream CRDs copied into crds/.
import { readFileSync } from "node:fs";
import { parse } from "yaml";

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

const CRD_FILES = [
  "kustomize.toolkit.fluxcd.io_kustomizations.yaml",
  "source.toolkit.fluxcd.io_buckets.yaml",
  "source.toolkit.fluxcd.io_gitrepositories.yaml",
  "source.toolkit.fluxcd.io_ocirepositories.yaml",
  "helm.toolkit.fluxcd.io_helmreleases.yaml",
];

function obj(v: Json | undefined, what: string): JsonObject {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`CRD: ${what} is not an object`);
  return v;
}

function strs(v: Json | undefined): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

function fromCrd(file: string): FluxKind {
  const crd = obj(parse(readFileSync(new URL(`./crds/${file}`, import.meta.url), "utf8")) as Json, file);
  const spec = obj(crd.spec, `${file} spec`);
  const names = obj(spec.names, `${file} spec.names`);
  const versions = Array.isArray(spec.versions) ? spec.versions.map((v) => obj(v, `${file} version`)) : [];
  const served = versions.find((v) => v.storage === true && v.served === true);
  if (!served) throw new Error(`CRD ${file}: no served storage version`);
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

const crdKinds = CRD_FILES.map(fromCrd);

// HelmRepository and HelmChart are real Flux kinds whose CRDs were not copied into shared/.
// Serving them lets the agent watch every Flux source; the schema is our stand-in (see
// FluxKind.schemaSource): the metav1.Condition item schema borrowed from the Bucket CRD, the
// `{observedGeneration: -1}` status default all source-controller kinds declare, any spec.
function permissive(kind: string, plural: string, shortName: string): FluxKind {
  const bucket = crdKinds.find((k) => k.kind === "Bucket")!;
  const bucketStatus = obj(obj(bucket.schema.properties, "properties").status, "status");
  const conditions = obj(obj(bucketStatus.properties, "status.properties").conditions, "conditions");
  return {
    kind,
    listKind: `${kind}List`,
    group: "source.toolkit.fluxcd.io",
    version: "v1",
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [shortName],
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

export const FLUX_KINDS: readonly FluxKind[] = [
  ...crdKinds,
  permissive("HelmRepository", "helmrepositories", "helmrepo"),
  permissive("HelmChart", "helmcharts", "hc"),
];

export function fluxKind(kind: string): FluxKind | undefined {
  return FLUX_KINDS.find((k) => k.kind === kind);
}

/** The kind an `apiVersion` + `kind` pair names, only if that version is the served one. */
export function kindOf(apiVersion: unknown, kind: unknown): FluxKind | undefined {
  return FLUX_KINDS.find((k) => k.kind === kind && `${k.group}/${k.version}` === apiVersion);
}
