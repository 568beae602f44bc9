// One complete list of a Flux kind, page by page, each item projected as it arrives so that
// whole objects (inventories of tens of kilobytes) are never held together.
import type { KubeClient } from "../kube/client.ts";
import type { ObjectView } from "../model.ts";
import { project } from "./project.ts";
import type { WatchedKind } from "./kinds.ts";

export interface ListOptions {
  labelSelector?: string;
  /** Only these namespaces; absent or empty: the whole cluster. */
  namespace?: string;
  pageSize?: number;
}

/** The collection's path: `/apis/{group}/{version}[/namespaces/{ns}]/{plural}`. */
export function collectionPath(kind: WatchedKind, namespace?: string): string {
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `/apis/${kind.group}/${kind.version}${scope}/${kind.plural}`;
}

/** `tooLarge`: items skipped unread for their size (BOUNDS.maxObjectChars), with the largest seen. */
export async function listKind(api: KubeClient, kind: WatchedKind, opts: ListOptions = {}): Promise<{ views: ObjectView[]; resourceVersion: string; tooLarge: { count: number; largest: number } }> {
  const views: ObjectView[] = [];
  const tooLarge = { count: 0, largest: 0 };
  const onTooLarge = (chars: number) => {
    tooLarge.count += 1;
    tooLarge.largest = Math.max(tooLarge.largest, chars);
  };
  let token: string | undefined;
  let resourceVersion = "";
  do {
    const query = { labelSelector: opts.labelSelector, limit: opts.pageSize ?? 500, continue: token };
    const page = (await api.getList(collectionPath(kind, opts.namespace), query, (item) => views.push(project(item, kind.kind)), onTooLarge)) as { metadata?: { resourceVersion?: string; continue?: string } };
    token = page.metadata?.continue || undefined;
    resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
  } while (token);
  return { views, resourceVersion, tooLarge };
}
