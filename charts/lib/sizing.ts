// The agent's resources, in one place so the benchmark (test/bench) can refine them.
// Provisional numbers: one Node.js process holding a small projection of Flux objects.
// No CPU limit on purpose: CFS throttling would delay the firmware heartbeat and make a
// healthy agent look dead to the board's watchdog; the request alone keeps scheduling honest.
export const AGENT_RESOURCES = {
  requests: { cpu: "10m", memory: "96Mi" },
  limits: { memory: "192Mi" },
} as const;
