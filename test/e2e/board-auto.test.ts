// Issue 3: `--serial auto` finds the board by USB id: the same board on every start when there
// are several, a clear line when none matches (and it keeps looking), `--usb-id` for the others.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import type { PortInfo, SerialAccess } from "../../agent/link/ports.ts";
import { board, startInProcess, FLUXLIGHT_HEX, RGB } from "./harness.ts";

const objects = [kustomization({ name: "apps", ready: "True" })];

test("two boards: it picks /dev/ttyACM0 and says which it chose among which", async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const rig = await startInProcess({
    objects,
    settings: { serial: "auto" },
    // The kernel lists ports in discovery order: here ACM1 first.
    access: (inner): SerialAccess => ({ list: async () => (await gate, (await inner.list()).reverse()), open: (p) => inner.open(p) }),
  });
  const other = await EmulatedUno.load(FLUXLIGHT_HEX);
  other.start();
  t.after(async () => {
    await rig.stop();
    other.stop();
  });
  rig.binding.attach("/dev/ttyACM1", other);
  release();

  const chosen = await rig.logs.waitFor((l) => l.event === "board-chosen", 5000, "board-chosen");
  assert.equal(chosen.path, "/dev/ttyACM0");
  assert.deepEqual(chosen.candidates, ["/dev/ttyACM0", "/dev/ttyACM1"]);
  assert.match(String(chosen.msg), /\/dev\/ttyACM0/);
  await rig.waitForLed("green");
  assert.equal((await rig.logs.waitFor((l) => l.event === "board-connected", 1000)).path, "/dev/ttyACM0");
  assert.deepEqual([...new Set(await board(other, RGB).sample(300))], ["off"], "the other board is left alone");
});

test("no board with a known USB id: board-not-found names the ids, it keeps looking; --usb-id adds one", async (t) => {
  // A board behind a USB-serial chip fluxlight does not know (Silicon Labs CP2102, 10c4:ea60).
  let lists = 0;
  const asCp2102 = (inner: SerialAccess): SerialAccess => ({
    list: async () => (lists++, (await inner.list()).map((p): PortInfo => ({ ...p, vendorId: "10c4", productId: "ea60" }))),
    open: (p) => inner.open(p),
  });

  await t.test("without --usb-id: not found, still looking", async (t) => {
    const rig = await startInProcess({ objects, access: asCp2102 });
    t.after(() => rig.stop());
    const line = await rig.logs.waitFor((l) => l.event === "board-not-found", 5000, "board-not-found");
    assert.deepEqual(line.usbIds, ["2341:*", "1a86:7523", "0403:6001"]);
    assert.match(String(line.msg), /2341/, `the sentence names the ids: ${line.msg}`);
    assert.match(String(line.msg), /--usb-id/, "and the fix");
    assert.match(String(line.msg), /10c4:ea60/, "and what is there");
    const before = lists;
    await rig.logs.waitFor(() => lists >= before + 2, 10_000, "more looks at the ports");
    assert.equal(rig.logs.events("board-connected").length, 0);
    assert.equal(rig.led().name, "off");
  });

  await t.test("with --usb-id 10c4:ea60: connects", async (t) => {
    const rig = await startInProcess({ objects, access: asCp2102, settings: { usbIds: [{ vendorId: "10c4", productId: "ea60" }] } });
    t.after(() => rig.stop());
    await rig.logs.waitFor((l) => l.event === "board-connected", 10_000, "board-connected");
    await rig.waitForLed("green");
    assert.equal(rig.logs.events("board-not-found").length, 0);
  });
});
