// The connectivity policy: many scopes' views of the cluster → the one the signal reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { combine, isWatching } from "../../agent/source/connectivity.ts";
import type { Connectivity } from "../../agent/model.ts";

const synced: Connectivity = { state: "synced" };
const listing: Connectivity = { state: "listing" };
const down: Connectivity = { state: "unreachable", since: 5, error: "ECONNREFUSED" };
const denied: Connectivity = { state: "denied", error: "403", fix: "bind a Role" };
const noCrd: Connectivity = { state: "missing-crd", error: "404", fix: "install Flux" };

const cases: { name: string; parts: Connectivity[]; combined: Connectivity["state"]; watching: boolean }[] = [
  { name: "nothing yet", parts: [], combined: "listing", watching: false },
  { name: "all synced", parts: [synced, synced], combined: "synced", watching: true },
  { name: "one scope still listing holds the rest back", parts: [synced, listing], combined: "listing", watching: false },
  { name: "one namespace denied (403) while another lists fine: the whole view is in doubt", parts: [synced, denied], combined: "denied", watching: false },
  { name: "denied beats unreachable", parts: [down, denied, synced], combined: "denied", watching: false },
  { name: "unreachable beats listing", parts: [listing, down], combined: "unreachable", watching: false },
  { name: "a kind without its CRD is not watched: the others decide", parts: [synced, noCrd], combined: "synced", watching: true },
  { name: "no CRD at all: that is the view", parts: [noCrd, noCrd], combined: "missing-crd", watching: false },
];

for (const c of cases) {
  test(`connectivity: ${c.name}`, () => {
    assert.equal(combine(c.parts).state, c.combined);
    assert.equal(isWatching(c.parts), c.watching);
  });
}

test("connectivity: the worst part is returned whole (its error and fix reach the log)", () => {
  assert.deepEqual(combine([synced, denied]), denied);
  assert.deepEqual(combine([down, synced]), down);
});
