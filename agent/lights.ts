// The lights an agent drives: each a wiring on the board and the objects it stands for, made by
// the command line (one light from --led, --namespace, --selector, --kinds) or the lights file
// (--config, agent/cli/lights-file.ts), both checked before anything starts.
//
// Each light has its own signal state (agent/signal/), fed only the objects its scope matches,
// with the same verdicts, grace and stuck limit. The shell hands over each list and each burst of
// watch events once; here it is routed: per object, a few comparisons per light (at most eight
// lights: the dead-man's switch's pins), then one observeList per light the batch touched — so
// a burst still costs one state copy and one decision per light it concerns, not per event.
import type { Connectivity, Evaluation, ObjectRef, Signal } from "./model.ts";
import { refKey } from "./model.ts";
import type { LedSpec } from "./light/led-spec.ts";
import { createSignalState, decide, observeConnectivity, observeControllers, observeList, transition, type ControllerDown, type SignalState, type Transition } from "./signal/index.ts";
import type { WatchedKind } from "./source/kinds.ts";
import { scopeMatcher, type Candidate, type LightScope } from "./source/light-scope.ts";
import { CONTROLLER_OF } from "./status/controllers.ts";

export interface LightSettings extends LightScope {
  /** How logs, /metrics and `fluxlight status` name the light: the file's `name`, else `lights[i]`. */
  name: string;
  led: LedSpec;
  /** Where the wiring was given, for the line when the board cannot draw it; default the lights file's `lights[i].led`. */
  ledField?: string;
}

/** The one light the single-light flags describe (no lights file): named as a file's first light would be. */
export function singleLight(flags: { led: LedSpec; namespaces: readonly string[]; selector?: string; kinds?: readonly WatchedKind[] }): LightSettings {
  const { led, namespaces, selector, kinds } = flags;
  return { name: "lights[0]", led, ledField: "--led", namespaces: [...namespaces], ...(selector === undefined ? {} : { selector }), ...(kinds === undefined ? {} : { kinds }), names: [], clusters: [] };
}

/** Whether a Flux controller's absence matters to a light: it reconciles one of the light's kinds (all, without `kinds`). */
export function caresAbout(scope: Pick<LightScope, "kinds">): (down: { name: string }) => boolean {
  if (!scope.kinds) return () => true;
  const controllers = new Set(scope.kinds.map((k) => CONTROLLER_OF[k.kind]));
  return (down) => controllers.has(down.name);
}

/** One object as the shell hands it over: what the matcher reads, and its verdict. */
export interface Observed {
  ref: ObjectRef & Candidate;
  evaluation: Evaluation;
}

/** What one light shows, for /metrics and `fluxlight status`. */
export interface LightSnapshot {
  name: string;
  signal: Signal | undefined;
  /** ms (the agent's clock) of the light's last transition. */
  lastTransitionAt: number | undefined;
}

/** A light whose signal changed, for the board and the log. */
export interface LightChange {
  index: number;
  name: string;
  change: Transition;
}

class Light {
  state: SignalState;
  shown: Signal | undefined;
  lastTransitionAt: number | undefined;
  /** The matcher per cluster ("" the one cluster); undefined: the light does not cover that cluster. */
  private readonly matchers = new Map<string, ((o: Candidate) => boolean) | undefined>();
  /** Does a Flux controller's absence matter to this light (it reconciles one of the light's kinds)? */
  readonly caresAbout: (down: ControllerDown) => boolean;

  /**
   * `watched`: what is watched is exactly this light's scope (the only light, without `names`: its
   * kinds, namespaces and selector are the watches'), so every object of a cluster it covers is its.
   */
  constructor(
    readonly settings: LightSettings,
    options: { progressGrace: number; stuckAfter: number },
    private readonly watched: boolean,
  ) {
    this.state = createSignalState(options);
    this.caresAbout = caresAbout(settings);
  }

  matcherFor(cluster: string | undefined): ((o: Candidate) => boolean) | undefined {
    const key = cluster ?? "";
    if (!this.matchers.has(key)) {
      const match = scopeMatcher(this.settings, cluster);
      this.matchers.set(key, match && this.watched ? () => true : match);
    }
    return this.matchers.get(key);
  }
}

export class Lights {
  private readonly lights: Light[];

  constructor(settings: readonly LightSettings[], options: { progressGrace: number; stuckAfter: number }) {
    this.lights = settings.map((s) => new Light(s, options, settings.length === 1 && s.names.length === 0));
  }

  get settings(): LightSettings[] {
    return this.lights.map((l) => l.settings);
  }

  /**
   * A list or a burst of one cluster (undefined: the only one): `observed` added or changed, `gone`
   * deleted from every scope. An object that no longer matches a light (its labels changed) leaves it.
   */
  observe(cluster: string | undefined, observed: readonly Observed[], gone: readonly ObjectRef[], now: number): void {
    for (const light of this.lights) {
      const match = light.matcherFor(cluster);
      if (!match) continue;
      const tracked = light.state.objects;
      const mine: Observed[] = [];
      const lost: ObjectRef[] = [];
      // A key only for what does not match (none, for a light whose scope is what is watched).
      for (const o of observed) {
        if (match(o.ref)) mine.push(o);
        else if (tracked.has(refKey(o.ref))) lost.push(o.ref);
      }
      for (const ref of gone) if (tracked.has(refKey(ref))) lost.push(ref);
      if (mine.length || lost.length) light.state = observeList(light.state, mine, lost, now);
    }
  }

  /** The view changed: each light hears the view of the clusters it covers (`viewOf` combines them). */
  connectivity(viewOf: (clusters: readonly string[]) => Connectivity, now: number): void {
    for (const light of this.lights) light.state = observeConnectivity(light.state, viewOf(light.settings.clusters), now);
  }

  /** The Flux controllers not running now; each light hears of those that reconcile its kinds, in the clusters it covers. */
  controllers(down: readonly ControllerDown[], now: number): void {
    for (const light of this.lights) {
      const mine = down.filter((d) => light.caresAbout(d) && (d.cluster === undefined || light.matcherFor(d.cluster) !== undefined));
      if (mine.length || light.state.controllersDown.length) light.state = observeControllers(light.state, mine, now);
    }
  }

  /** Is any light holding a controller that is down (its evidence is worded again before each decision)? */
  get anyControllerDown(): boolean {
    return this.lights.some((l) => l.state.controllersDown.length > 0);
  }

  /** Decide every light at `now`: the lights whose signal changed, and the earliest instant any decision could change on its own. */
  decide(now: number): { changes: LightChange[]; nextWakeAt: number | undefined } {
    const changes: LightChange[] = [];
    let nextWakeAt: number | undefined;
    this.lights.forEach((light, index) => {
      const decision = decide(light.state, now);
      const change = transition(light.shown, decision);
      if (change) {
        light.shown = change.to;
        light.lastTransitionAt = now;
        changes.push({ index, name: light.settings.name, change });
      }
      if (decision.nextWakeAt !== undefined) nextWakeAt = Math.min(nextWakeAt ?? Infinity, decision.nextWakeAt);
    });
    return { changes, nextWakeAt };
  }

  snapshot(): LightSnapshot[] {
    return this.lights.map((l) => ({ name: l.settings.name, signal: l.shown, lastTransitionAt: l.lastTransitionAt }));
  }
}
