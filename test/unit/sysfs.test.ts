// --serial auto where udevadm is missing (a slim image): the USB ids come from sysfs, laid out
// as the kernel does — /sys/class/tty/ttyACM0/device → the interface, whose parent is the device.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listFromSysfs } from "../../agent/link/serialport.ts";
import { KNOWN_USB_IDS, pickBoard } from "../../agent/link/ports.ts";

test("sysfs: USB serial ports with their vendor/product ids; other ttys ignored", (t) => {
  const root = mkdtempSync(join(tmpdir(), "fluxlight-sysfs-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const device = (tty: string, usb: string, attrs: Record<string, string>) => {
    const dev = join(root, "devices", usb);
    mkdirSync(join(dev, `${usb}:1.0`), { recursive: true });
    for (const [k, v] of Object.entries(attrs)) writeFileSync(join(dev, k), `${v}\n`);
    mkdirSync(join(root, "class", "tty", tty), { recursive: true });
    symlinkSync(join(dev, `${usb}:1.0`), join(root, "class", "tty", tty, "device"));
  };
  device("ttyACM0", "1-1", { idVendor: "2341", idProduct: "0043", serial: "7543931383335", manufacturer: "Arduino (www.arduino.cc)" });
  device("ttyUSB0", "1-2", { idVendor: "1a86", idProduct: "7523" });
  mkdirSync(join(root, "class", "tty", "ttyS0"), { recursive: true }); // a UART: no USB device

  const ports = listFromSysfs(join(root, "class", "tty")).sort((a, b) => a.path.localeCompare(b.path));
  assert.deepEqual(ports, [
    { path: "/dev/ttyACM0", vendorId: "2341", productId: "0043", serialNumber: "7543931383335", manufacturer: "Arduino (www.arduino.cc)" },
    { path: "/dev/ttyUSB0", vendorId: "1a86", productId: "7523" },
  ]);
  assert.equal(pickBoard(ports, KNOWN_USB_IDS).chosen?.path, "/dev/ttyACM0");
  assert.deepEqual(listFromSysfs(join(root, "nowhere")), [], "no sysfs: no ports, no crash");
});
