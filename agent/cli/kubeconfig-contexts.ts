// The contexts a lights file names (a light's `clusters`), checked as --context's are: by asking
// loadClusters for each, so that the same rules hold (in the kubeconfig; `in-cluster` only in a pod).
import { loadClusters, UsageError } from "./kubeconfig.ts";

/**
 * Why a context named elsewhere than --context (a light's `clusters` in the lights file) cannot be
 * watched — not in the kubeconfig, `in-cluster` outside a pod — or undefined. Any other trouble
 * (no kubeconfig at all, a bad field) is thrown, to be named by its own flag.
 */
export function contextProblem(opts: { kubeconfig?: string }, env: Record<string, string | undefined>): (context: string) => string | undefined {
  return (context) => {
    try {
      loadClusters({ kubeconfig: opts.kubeconfig, contexts: [context] }, env);
      return undefined;
    } catch (err) {
      if (err instanceof UsageError && err.message.startsWith("--context: ")) return err.message.slice("--context: ".length);
      throw err;
    }
  };
}
