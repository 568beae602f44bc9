// The real serial ports, through serialport's native binding (prebuilt; npm runs no install
// scripts here, and none are needed).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { SerialPort } from "serialport";
import type { PortInfo, SerialAccess, SerialPortLike } from "./ports.ts";

export const BAUD_RATE = 57600; // StandardFirmata's, and fluxlight firmware's

export const realSerial: SerialAccess = {
  open(path) {
    return new SerialPort({ path, baudRate: BAUD_RATE }) as unknown as SerialPortLike;
  },
  async list() {
    // serialport lists Linux ports with `udevadm`, and crashes the process (an unhandled spawn
    // error) where it is missing, as in a slim container image: read sysfs instead there.
    return hasUdevadm() ? SerialPort.list() : listFromSysfs();
  },
};

function hasUdevadm(): boolean {
  try {
    execFileSync("udevadm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** USB serial ports as the kernel describes them in /sys/class/tty: idVendor/idProduct/serial. */
export function listFromSysfs(root = "/sys/class/tty"): PortInfo[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const ports: PortInfo[] = [];
  for (const name of names) {
    if (!/^tty(ACM|USB)\d+$/.test(name)) continue;
    try {
      // …/usbN/N-M/N-M:1.0/ttyACM0 → the USB device is two levels above the interface.
      // (Resolve the link first: join() would fold "device/.." away before the kernel follows it.)
      const usbDevice = dirname(realpathSync(join(root, name, "device")));
      const read = (f: string) => readFileSync(join(usbDevice, f), "utf8").trim();
      const info: PortInfo = { path: `/dev/${name}`, vendorId: read("idVendor"), productId: read("idProduct") };
      try {
        info.serialNumber = read("serial");
        info.manufacturer = read("manufacturer");
      } catch {
        // optional attributes
      }
      ports.push(info);
    } catch {
      // not a USB device, or gone while we looked
    }
  }
  return ports;
}
