// FluxLight's `lights`: several lights, in the lights file's own shape (agent/cli/lights-file.ts),
// written into a ConfigMap the agent reads with --config. The file the chart writes is parsed by
// the agent's own parser at synth, so a light the agent would refuse fails the synth in its words;
// and what the chart grants in a cluster is what the agent's own watch plan lists there.
import { createHash } from "node:crypto";
import { dump } from "js-yaml";
import { lightContexts, parseLightsFile } from "../../agent/cli/lights-file.ts";
import type { LightSettings } from "../../agent/lights.ts";
import { watchPlan } from "../../agent/source/light-scope.ts";
import type { FluxKindName } from "./kinds.ts";

/** `--context in-cluster`: the pod's own service account (agent/cli/kubeconfig.ts). */
export const IN_CLUSTER = "in-cluster";

/** One light, as a light of the lights file: the same fields, as objects. */
export interface LightProps {
  /** How logs, /metrics and `fluxlight status` name it. Default `lights[i]`. */
  readonly name?: string;
  /** Any `--led` wiring: `single:13`, `rgb:9,10,11`, `traffic:2,3,4`, … Each pin once over all lights. */
  readonly led: string;
  /** Only these namespaces. Default: all. */
  readonly namespaces?: readonly string[];
  /** A label selector, as `kubectl -l`. */
  readonly selector?: string;
  /** Only these kinds. Default: every watched kind. */
  readonly kinds?: readonly FluxKindName[];
  /** `namespace/name` patterns with `*` globs, e.g. `flux-system/apps-*`. */
  readonly names?: readonly string[];
  /** Context names (the chart's `contexts`). Default: every cluster watched. */
  readonly clusters?: readonly string[];
}

/** The lights file as the chart writes it: the props, in the file's shape, nothing added. */
export function lightsFileText(lights: readonly LightProps[]): string {
  const plain = lights.map((l) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== undefined).map(([k, v]) => [k, Array.isArray(v) ? [...(v as unknown[])] : v])));
  return `# Written by the FluxLight chart (lights prop); the agent reads it with --config.\n${dump({ lights: plain }, { lineWidth: -1, noRefs: true })}`;
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** The file read by the agent's own parser: its lights, or the synth fails with the agent's line. */
export function agentLights(text: string, construct = "FluxLight"): LightSettings[] {
  const parsed = parseLightsFile(text);
  if (!parsed.ok) throw new Error(`${construct}: lights: the agent would refuse the lights file (exit 2): ${parsed.error}`);
  return parsed.value;
}

/**
 * The contexts the agent watches: those given (`contexts`), then those the lights name, as the
 * agent adds them (lightContexts). `remote`: whether a kubeconfig is mounted for contexts other
 * than in-cluster; without one, such a context would exit 2 at start.
 */
export function watchedContexts(lights: readonly LightSettings[], given: readonly string[], remote: boolean): string[] {
  const problem = (context: string) => (context === IN_CLUSTER || remote ? undefined : `${JSON.stringify(context)} is not ${IN_CLUSTER} and needs remoteKubeconfig: an existing Secret holding a kubeconfig with that context`);
  const watched = lightContexts(lights, given, problem);
  if (!watched.ok) throw new Error(`FluxLight: lights: ${watched.error}`);
  return watched.value;
}

/**
 * What the agent lists and watches for these lights, as a grant: the union of their scopes, as
 * the agent's own watch plan makes it (kinds absent: every kind; namespaces empty: the whole
 * cluster). The agent lists that union in every cluster it watches, whichever lights cover the
 * cluster, so every cluster needs all of it.
 */
export function lightsGrant(lights: readonly LightSettings[]): { kinds?: FluxKindName[]; namespaces: string[] } {
  const plan = watchPlan(lights);
  return { ...(plan.kinds ? { kinds: plan.kinds.map((k) => k.kind as FluxKindName) } : {}), namespaces: plan.namespaces };
}
