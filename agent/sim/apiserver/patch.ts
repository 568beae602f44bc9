// PATCH bodies the API server accepts for custom resources: JSON merge patch (RFC 7386) and
// JSON patch (RFC 6902). Strategic merge patch is not supported for custom resources by the
// real server either; server-side apply is out of scope here (415).
import type { Json, JsonObject } from "../flux/schema.ts";
import { ApiError, badRequest, unsupportedMediaType } from "./status.ts";

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(seg: string): string {
  return seg.replace(/~1/g, "/").replace(/~0/g, "~");
}

function jsonPatch(doc: JsonObject, ops: Json): JsonObject {
  if (!Array.isArray(ops)) throw badRequest("json patch must be an array of operations");
  const root: { v: Json } = { v: structuredClone(doc) };
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") throw badRequest("invalid json patch operation");
    const segs = raw.path.split("/").slice(1).map(unescape);
    let parent: Json = root.v;
    for (const s of segs.slice(0, -1)) {
      parent = Array.isArray(parent) ? parent[Number(s)]! : isObject(parent) ? parent[s]! : (undefined as unknown as Json);
      if (parent === undefined) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: missing path ${raw.path}`);
    }
    const last = segs.at(-1);
    if (last === undefined) {
      if (raw.op === "test") continue;
      root.v = structuredClone(raw.value as Json);
      continue;
    }
    const arr = Array.isArray(parent) ? parent : undefined;
    const obj = isObject(parent) ? parent : undefined;
    const idx = last === "-" && arr ? arr.length : Number(last);
    switch (raw.op) {
      case "add":
        if (arr) arr.splice(idx, 0, structuredClone(raw.value as Json));
        else if (obj) obj[last] = structuredClone(raw.value as Json);
        break;
      case "replace":
        if (arr) arr[idx] = structuredClone(raw.value as Json);
        else if (obj && last in obj) obj[last] = structuredClone(raw.value as Json);
        else throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${raw.path}`);
        break;
      case "remove":
        if (arr) arr.splice(idx, 1);
        else if (obj && last in obj) delete obj[last];
        else throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: ${raw.path}`);
        break;
      case "test":
        if (JSON.stringify(arr ? arr[idx] : obj?.[last]) !== JSON.stringify(raw.value)) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: testing value ${raw.path} failed`);
        break;
      default:
        throw badRequest(`unsupported json patch operation ${raw.op}`);
    }
  }
  if (!isObject(root.v)) throw badRequest("patch result is not an object");
  return root.v;
}

export function applyPatch(doc: JsonObject, contentType: string | undefined, body: Json): JsonObject {
  const type = (contentType ?? "").split(";")[0]!.trim();
  if (type === "application/merge-patch+json") {
    const out = mergePatch(doc, body);
    if (!isObject(out)) throw badRequest("patch result is not an object");
    return out;
  }
  if (type === "application/json-patch+json") return jsonPatch(doc, body);
  throw unsupportedMediaType(type || "<none>");
}
