// Discovery documents (`/version`, `/api`, `/apis`, `/apis/{g}`, `/apis/{g}/{v}`) for the
// CRDs currently installed, shaped like kube-apiserver's legacy (non-aggregated) discovery.
import { createHash } from "node:crypto";
import type { FluxKind, JsonObject } from "../flux/schema.ts";

export const VERSION_INFO: JsonObject = {
  major: "1",
  minor: "33",
  gitVersion: "v1.33.0+fluxlight-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.24.0",
  compiler: "gc",
  platform: "linux/amd64",
};

export function apiVersions(serverAddress: string): JsonObject {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

// The simulator serves no core resources; an empty list still lets discovery clients proceed.
export const CORE_V1: JsonObject = { kind: "APIResourceList", groupVersion: "v1", resources: [] };

function groupDoc(group: string, kinds: FluxKind[]): JsonObject {
  const versions = [...new Set(kinds.map((k) => k.version))].map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions, preferredVersion: versions[0]! };
}

export function apiGroupList(installed: FluxKind[]): JsonObject {
  const groups = [...new Set(installed.map((k) => k.group))].sort();
  return { kind: "APIGroupList", apiVersion: "v1", groups: groups.map((g) => groupDoc(g, installed.filter((k) => k.group === g))) };
}

export function apiGroup(installed: FluxKind[], group: string): JsonObject | undefined {
  const kinds = installed.filter((k) => k.group === group);
  return kinds.length ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(group, kinds) } : undefined;
}

export function apiResourceList(installed: FluxKind[], group: string, version: string): JsonObject | undefined {
  const kinds = installed.filter((k) => k.group === group && k.version === version);
  if (!kinds.length) return undefined;
  const resources = kinds.flatMap((k) => [
    {
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"],
      ...(k.shortNames.length ? { shortNames: k.shortNames } : {}),
      ...(k.categories.length ? { categories: k.categories } : {}),
      storageVersionHash: createHash("sha256").update(`${group}/${version}/${k.kind}`).digest("base64").slice(0, 11),
    },
    { name: `${k.plural}/status`, singularName: "", namespaced: k.namespaced, kind: k.kind, verbs: ["get", "patch", "update"] },
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: `${group}/${version}`, resources };
}
