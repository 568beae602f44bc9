// What the link says in the log, once per trouble: the same failure on every retry (a board
// without Firmata, a device that is not there) is said at warn level once, then at debug level.
import type { Log } from "../log/logger.ts";
import type { BoardInfo } from "./board.ts";

export class LinkSay {
  private lastTrouble = "";
  /** board-not-found is said once per search, then only at debug level until a board turns up. */
  private saidNotFound = false;
  private saidStock = false;

  constructor(private readonly log: Log) {}

  private once(trouble: string): "warn" | "debug" {
    const level = trouble === this.lastTrouble ? "debug" : "warn";
    this.lastTrouble = trouble;
    return level;
  }

  notFound(usbIds: string[], ports: { path: string; vendorId?: string; productId?: string }[]): void {
    const present = ports.map((p) => `${p.path}${p.vendorId ? ` (${p.vendorId}:${p.productId ?? "?"})` : ""}`);
    const level = this.saidNotFound ? "debug" : "warn";
    this.saidNotFound = true;
    this.log[level](
      { event: "board-not-found", usbIds, ports: ports.map((p) => p.path) },
      `no board found: no serial port has a known USB id (${usbIds.join(", ")}); ${present.length ? `serial ports here: ${present.join(", ")}` : "no serial ports here"}. ` +
        "Add the board's id with --usb-id VID:PID, or name the device with --serial; still looking",
    );
  }

  found(path: string, candidates: string[]): void {
    this.saidNotFound = false;
    if (candidates.length > 1) this.log.info({ event: "board-chosen", path, candidates }, `several boards match; using ${path} (the first by path)`);
  }

  listFailed(error: string): void {
    this.log.warn({ event: "board-list-failed", error }, `cannot list serial ports: ${error}`);
  }

  openFailed(path: string, error: string): void {
    this.log.warn({ event: "board-open-failed", path, error }, `cannot open ${path}: ${error}`);
  }

  handshakeFailed(path: string, error: string): void {
    this.log[this.once(`${path}:handshake:${error}`)]({ event: "board-handshake-failed", path, error }, `${error}; retrying`);
  }

  connected(info: BoardInfo, signal: string): void {
    this.log.info({ event: "board-connected", path: info.path, firmware: info.firmware, firmwareVersion: info.version, signal }, `board connected on ${info.path} (${info.firmware} ${info.version}); showing ${signal}`);
  }

  lost(path: string, why: string, wasConnected: boolean): void {
    if (wasConnected) {
      this.log.warn({ event: "board-disconnected", path, reason: why }, `board on ${path} disconnected: ${why}; reconnecting`);
      this.lastTrouble = "";
      return;
    }
    // Not there yet (no such device, no permission, busy): say so once, then quietly retry.
    this.log[this.once(`${path}:${why}`)]({ event: "board-open-failed", path, error: why }, `cannot use the board on ${path}: ${why}; retrying (is it plugged in, and is the agent in the device's group, e.g. dialout?)`);
  }

  noDeadman(firmware: string | undefined): void {
    if (this.saidStock) return;
    this.saidStock = true;
    this.log.warn({ event: "no-deadman", firmware }, `firmware ${firmware ?? "unknown"} cannot show a dead agent: if the agent dies, the LED keeps its last colour; flash fluxlight's firmware (firmware/README.md) for the dead-man's switch`);
  }
}
