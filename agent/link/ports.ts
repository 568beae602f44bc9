// Finding the board: a given device path, or the first serial port whose USB vendor/product id
// is a known Arduino-compatible one.
import type { EventEmitter } from "node:events";

/** What the link needs of a serial port: serialport's SerialPort and SerialPortStream both fit. */
export interface SerialPortLike extends EventEmitter {
  readonly path: string;
  readonly isOpen: boolean;
  write(data: Buffer | number[], cb?: (err?: Error | null) => void): boolean;
  close(cb?: (err?: Error | null) => void): void;
  drain?(cb: (err?: Error | null) => void): void;
}

export interface PortInfo {
  path: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

/** How the link reaches serial ports: the real `serialport`, or an emulated board in tests. */
export interface SerialAccess {
  open(path: string): SerialPortLike;
  list(): Promise<PortInfo[]>;
}

/**
 * A USB vendor or product id as udev and serialport report it: 4 hex digits, lowercase (the
 * NixOS module's udev rule takes the same, nix/module.nix; a test holds the two together).
 */
export const USB_ID_HEX = "[0-9a-f]{4}";

/** What `--usb-id` and the known boards name; no productId: any product of that vendor. */
export interface UsbId {
  vendorId: string;
  productId?: string;
}

/** Arduino (any product), CH340 clones, FTDI: the boards an Uno-class user plugs in. */
export const KNOWN_USB_IDS: UsbId[] = [
  { vendorId: "2341" },
  { vendorId: "1a86", productId: "7523" },
  { vendorId: "0403", productId: "6001" },
];

const norm = (id: string | undefined) => (id ?? "").toLowerCase().replace(/^0x/, "");

export function matches(port: PortInfo, ids: UsbId[]): boolean {
  return ids.some((id) => norm(port.vendorId) === norm(id.vendorId) && (!id.productId || norm(port.productId) === norm(id.productId)));
}

/**
 * The board `--serial auto` picks: the matching port with the smallest path, so that the choice
 * is the same on every start (ports are listed in the kernel's discovery order, which is not).
 */
export function pickBoard(ports: PortInfo[], ids: UsbId[]): { chosen?: PortInfo; candidates: PortInfo[] } {
  const candidates = ports.filter((p) => matches(p, ids)).sort((a, b) => a.path.localeCompare(b.path));
  return { chosen: candidates[0], candidates };
}

/** What port search says, so that its lines live with the link's others (./say.ts). */
export interface SearchSay {
  notFound(usbIds: string[], ports: PortInfo[]): void;
  found(path: string, candidates: string[]): void;
  listFailed(error: string): void;
}

/** `--serial auto`: the first port with a known (or added) USB id, or undefined when none is there. */
export async function findBoard(access: SerialAccess, extra: readonly UsbId[], say: SearchSay): Promise<string | undefined> {
  const ids = [...KNOWN_USB_IDS, ...extra];
  let ports: PortInfo[];
  try {
    ports = await access.list();
  } catch (err) {
    say.listFailed((err as Error).message);
    return undefined;
  }
  const { chosen, candidates } = pickBoard(ports, ids);
  if (!chosen) {
    say.notFound(ids.map((i) => `${i.vendorId}:${i.productId ?? "*"}`), ports);
    return undefined;
  }
  say.found(chosen.path, candidates.map((c) => c.path));
  return chosen.path;
}
