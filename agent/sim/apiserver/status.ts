// Kubernetes `Status` bodies for the failures the simulated API server returns, worded as the
// real kube-apiserver words them (clients and the agent's logs match on these strings).
import type { FluxKind, JsonObject } from "../flux/schema.ts";

export class ApiError extends Error {
  readonly code: number;
  readonly status: JsonObject;
  constructor(code: number, reason: string, message: string, details?: JsonObject) {
    super(message);
    this.code = code;
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
}

const qualified = (k: Pick<FluxKind, "plural" | "group">) => `${k.plural}.${k.group}`;

export const unauthorized = () => new ApiError(401, "Unauthorized", "Unauthorized");

export const notFoundPath = () => new ApiError(404, "NotFound", "the server could not find the requested resource", {});

export const notFound = (k: FluxKind, name: string) =>
  new ApiError(404, "NotFound", `${qualified(k)} "${name}" not found`, { name, group: k.group, kind: k.plural });

export const alreadyExists = (k: FluxKind, name: string) =>
  new ApiError(409, "AlreadyExists", `${qualified(k)} "${name}" already exists`, { name, group: k.group, kind: k.plural });

export const conflict = (k: FluxKind, name: string) =>
  new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualified(k)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: k.group, kind: k.plural });

export const badRequest = (message: string) => new ApiError(400, "BadRequest", message);

export const methodNotAllowed = () => new ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});

export const unsupportedMediaType = (type: string) =>
  new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got ${type}`);

export function forbidden(k: Pick<FluxKind, "plural" | "group">, user: string, verb: string, namespace: string | undefined, name?: string, subresource?: string): ApiError {
  const resource = subresource ? `${k.plural}/${subresource}` : k.plural;
  const scope = namespace ? `in the namespace "${namespace}"` : "at the cluster scope";
  const subject = name ? `${qualified(k)} "${name}"` : qualified(k);
  const message = `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${k.group}" ${scope}`;
  return new ApiError(403, "Forbidden", message, { ...(name ? { name } : {}), group: k.group, kind: k.plural });
}

/** 422 with one cause per field error, e.g. `Kustomization.kustomize.toolkit.fluxcd.io "web" is invalid: ...`. */
export function invalid(k: FluxKind, name: string, errors: string[]): ApiError {
  const causes = errors.map((e) => {
    const i = e.indexOf(": ");
    const field = i > 0 ? e.slice(0, i) : "";
    const rest = i > 0 ? e.slice(i + 2) : e;
    const reason = rest.startsWith("Required value") ? "FieldValueRequired" : rest.startsWith("Unsupported value") ? "FieldValueNotSupported" : rest.startsWith("Too long") ? "FieldValueTooLong" : rest.startsWith("Forbidden") ? "FieldValueForbidden" : "FieldValueInvalid";
    return { reason, message: rest, field };
  });
  const list = errors.length === 1 ? errors[0]! : `[${errors.join(", ")}]`;
  return new ApiError(422, "Invalid", `${k.kind}.${k.group} "${name}" is invalid: ${list}`, { name, group: k.group, kind: k.kind, causes });
}

export function expired(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export const CONTINUE_EXPIRED =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";
