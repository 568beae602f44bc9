// One complete list of a Flux kind, page by page, each item projected as it arrives so that
// whole objects (inventories of tens of kilobytes) are never held together.
import type { CustomObjectsApi } from "@kubernetes/client-node";
import type { ObjectView } from "../model.ts";
import { project } from "../status/project.ts";
import type { WatchedKind } from "./kinds.ts";

export interface ListOptions {
  labelSelector?: string;
  /** Only these namespaces; absent or empty: the whole cluster. */
  namespace?: string;
  pageSize?: number;
}

export async function listKind(api: CustomObjectsApi, kind: WatchedKind, opts: ListOptions = {}): Promise<{ views: ObjectView[]; resourceVersion: string }> {
  const views: ObjectView[] = [];
  let token: string | undefined;
  let resourceVersion = "";
  do {
    const common = { group: kind.group, version: kind.version, plural: kind.plural, labelSelector: opts.labelSelector, limit: opts.pageSize ?? 500, _continue: token };
    const page = (opts.namespace
      ? await api.listNamespacedCustomObject({ ...common, namespace: opts.namespace })
      : await api.listClusterCustomObject(common)) as { metadata?: { resourceVersion?: string; continue?: string }; items?: unknown[] };
    for (const item of page.items ?? []) views.push(project(item, kind.kind));
    token = page.metadata?.continue || undefined;
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
  } while (token);
  return { views, resourceVersion };
}
