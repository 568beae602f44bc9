// Issue 3: a wiring the board cannot draw. `--led rgb:2,4,7` names pins without PWM on an Uno: the
// real command, on a board behind a pty, exits 2 with one line on stderr naming --led and the pin
// (no retry can help, so no crash loop of reconnects either).
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { startCluster, startRunOnPty } from "./harness.ts";

test("--led rgb:2,4,7 on an Uno: exit 2, one stderr line naming --led and the pin", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const { agent, uno } = await startRunOnPty(t, cluster, ["--led", "rgb:2,4,7", "--http", "off"]);
  const killer = setTimeout(() => agent.child.kill("SIGKILL"), 60_000);
  t.after(() => clearTimeout(killer));

  const code = await agent.exited;
  assert.equal(code, 2, `exit status; stderr: ${agent.stderr()}`);
  const lines = agent.stderr().trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line: ${agent.stderr()}`);
  assert.match(lines[0]!, /^fluxlight: --led: pin 2 has no PWM on this board/);
  assert.match(lines[0]!, /PWM pins: 3, 5, 6, 9, 10, 11/, "and which pins would do");
  assert.equal(agent.logs.events("board-connected").length, 0, "never claims to show anything");
  for (const pin of [2, 4, 7]) assert.equal(uno.pin(pin).level, 0, `pin ${pin} not driven`);
});
