// The lights an agent drives: each a wiring on the board and the objects it stands for. Made by
// the command line (one light from --led, --namespace, --selector, --kinds) or the lights file
// (--config, agent/cli/lights-file.ts), both checked before anything starts.
import type { LedSpec } from "./light/led-spec.ts";
import type { WatchedKind } from "./source/kinds.ts";
import type { LightScope } from "./source/light-scope.ts";

export interface LightSettings extends LightScope {
  /** How logs, /metrics and `fluxlight status` name the light: the file's `name`, else `lights[i]`. */
  name: string;
  led: LedSpec;
}

/** The one light the single-light flags describe (no lights file): named as a file's first light would be. */
export function singleLight(flags: { led: LedSpec; namespaces: readonly string[]; selector?: string; kinds?: readonly WatchedKind[] }): LightSettings {
  const { led, namespaces, selector, kinds } = flags;
  return { name: "lights[0]", led, namespaces: [...namespaces], ...(selector === undefined ? {} : { selector }), ...(kinds === undefined ? {} : { kinds }), names: [], clusters: [] };
}
