/**
 * A serialport 13 BindingInterface whose ports are emulated Unos, behaving like Linux's binding
 * on a real /dev/ttyACM0:
 *
 *   const binding = new UnoBinding();
 *   const dev = binding.attach("/dev/ttyACM0", uno, { autoReset: true, serialNumber: "…" });
 *   const port = new SerialPortStream({ binding, path: "/dev/ttyACM0", baudRate: 57600 });
 *   dev.unplug(); dev.plug();
 *
 * - list(): plugged boards, with the Uno R3's USB ids 2341:0043.
 * - Opening (DTR asserted) resets the board, like the auto-reset capacitor (autoReset, default on);
 *   so does set({ dtr: true }) after set({ dtr: false }).
 * - unplug(): the board loses USB power; a pending or next read fails with "bad file descriptor"
 *   (what libuv's poll reports on the hung-up tty), writes with EIO, so SerialPortStream closes
 *   with a DisconnectedError. While unplugged, open fails with ENOENT as the device node is gone.
 *   unplug("eof") models the other thing Linux does (bindings-cpp issue #162): the read sees EOF
 *   and bindings-cpp retries it forever, so nothing is reported until the host writes (EIO).
 * - A second open of an open port fails like the port lock (lock: true) does.
 * - Baud rates that do not match the firmware's garble bytes both ways (see EmulatedUno.wireBaud).
 */
import type {
  BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions, UpdateOptions,
} from "@serialport/bindings-interface" with { "resolution-mode": "require" }; // its ESM entry ships no types
import type { EmulatedUno } from "./uno.ts";

export interface UnoDeviceOptions {
  /** Reset the board when the port is opened (DTR), as a stock Uno does. Default true. */
  autoReset?: boolean;
  serialNumber?: string;
}

class BindingError extends Error {
  constructor(message: string, readonly canceled = false, readonly code?: string) { super(message); }
}

export class UnoDevice {
  port: UnoPort | undefined;
  private wasRunning = false;
  private pluggedIn = true;
  constructor(readonly path: string, readonly uno: EmulatedUno, readonly opts: Required<UnoDeviceOptions>) {}

  get plugged(): boolean { return this.pluggedIn; }

  /** Pull the USB cable: the board powers off and the open port fails as on Linux. */
  unplug(how: "error" | "eof" = "error"): void {
    if (!this.pluggedIn) return;
    this.pluggedIn = false;
    this.wasRunning = this.uno.isRunning;
    this.uno.powerOff();
    this.port?.hangUp(how);
  }
  /** Plug it back in: power-on reset; the board runs again if it was running. */
  plug(): void {
    if (this.pluggedIn) return;
    this.pluggedIn = true;
    if (this.wasRunning) this.uno.start();
  }
}

export class UnoBinding implements BindingInterface<UnoPort, OpenOptions, PortInfo> {
  private readonly devices = new Map<string, UnoDevice>();

  attach(path: string, uno: EmulatedUno, opts: UnoDeviceOptions = {}): UnoDevice {
    if (this.devices.has(path)) throw new Error(`${path} already attached`);
    const serialNumber = opts.serialNumber ?? `FL${(this.devices.size + 1).toString().padStart(18, "0")}`;
    const dev = new UnoDevice(path, uno, { autoReset: opts.autoReset ?? true, serialNumber });
    this.devices.set(path, dev);
    return dev;
  }
  device(path: string): UnoDevice | undefined { return this.devices.get(path); }

  async list(): Promise<PortInfo[]> {
    return [...this.devices.values()].filter((d) => d.plugged).map((d) => ({
      path: d.path,
      manufacturer: "Arduino (www.arduino.cc)",
      serialNumber: d.opts.serialNumber,
      pnpId: `usb-Arduino__www.arduino.cc__0043_${d.opts.serialNumber}-if00`,
      locationId: undefined,
      vendorId: "2341",
      productId: "0043",
    }));
  }

  async open(options: OpenOptions): Promise<UnoPort> {
    if (!options || typeof options.path !== "string") throw new TypeError('"path" is not a valid port');
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0) throw new TypeError('"baudRate" is not a valid baudRate');
    const dev = this.devices.get(options.path);
    if (!dev || !dev.plugged) throw new BindingError(`Error: No such file or directory, cannot open ${options.path}`, false, "ENOENT");
    const openOptions: Required<OpenOptions> = {
      dataBits: 8, lock: true, stopBits: 1, parity: "none", rtscts: false, xon: false, xoff: false,
      xany: false, hupcl: true, ...options,
    };
    if (dev.port && openOptions.lock) throw new BindingError("Error Resource temporarily unavailable Cannot lock port");
    const port = new UnoPort(dev, openOptions);
    dev.port = port;
    return port;
  }
}

export class UnoPort implements BindingPortInterface {
  isOpen = true;
  private hungUp: "error" | "eof" | undefined;
  private dtr = true;
  private readonly rx: Buffer[] = [];
  private pending: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly dev: UnoDevice, readonly openOptions: Required<OpenOptions>) {
    const uno = dev.uno;
    uno.wireBaud = openOptions.baudRate;
    this.unsubscribe = uno.onSerialData((bytes) => {
      this.rx.push(Buffer.from(bytes));
      this.wake();
    });
    if (dev.opts.autoReset) uno.reset();
  }

  /** Called by UnoDevice.unplug(). */
  hangUp(how: "error" | "eof"): void {
    this.hungUp = how;
    if (how === "error") this.wake(new BindingError("bad file descriptor"));
  }

  async close(): Promise<void> {
    if (!this.isOpen) throw new Error("Port is not open");
    // The native close goes through libuv's threadpool; keep its ordering of events (after a failed
    // write, the stream's own destroy-"close" comes before the "close" with the DisconnectedError).
    await new Promise((r) => setImmediate(r));
    if (!this.isOpen) throw new Error("Port is not open");
    this.isOpen = false;
    this.unsubscribe();
    this.rx.length = 0;
    if (this.dev.port === this) this.dev.port = undefined;
    if (this.dev.uno.wireBaud === this.openOptions.baudRate) this.dev.uno.wireBaud = undefined;
    this.wake(new BindingError("Port is not open", true));
  }

  async read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!Buffer.isBuffer(buffer)) throw new TypeError('"buffer" is not a Buffer');
    if (!this.isOpen) throw new BindingError("Port is not open", true);
    for (;;) {
      if (this.hungUp === "error") throw Object.assign(new BindingError("bad file descriptor"), { disconnect: true });
      if (this.rx.length > 0) break;
      await new Promise<void>((resolve, reject) => { this.pending = { resolve, reject }; });
    }
    let bytesRead = 0;
    while (bytesRead < length && this.rx.length > 0) {
      const head = this.rx[0]!;
      const n = head.copy(buffer, offset + bytesRead, 0, Math.min(head.length, length - bytesRead));
      bytesRead += n;
      if (n === head.length) this.rx.shift();
      else this.rx[0] = head.subarray(n);
    }
    return { buffer, bytesRead };
  }

  async write(buffer: Buffer): Promise<void> {
    if (!Buffer.isBuffer(buffer)) throw new TypeError('"buffer" is not a Buffer');
    if (!this.isOpen) throw new BindingError("Port is not open", true);
    if (this.hungUp) throw Object.assign(new BindingError("EIO: i/o error, write", false, "EIO"), { disconnect: true });
    this.dev.uno.writeSerial(buffer);
  }

  async update(options: UpdateOptions): Promise<void> {
    if (typeof options?.baudRate !== "number") throw new TypeError('"options.baudRate" is not a number');
    this.assertOpen();
    this.openOptions.baudRate = options.baudRate;
    this.dev.uno.wireBaud = options.baudRate;
  }

  async set(options: SetOptions): Promise<void> {
    this.assertOpen();
    const dtr = options.dtr ?? true;
    if (dtr && !this.dtr && this.dev.opts.autoReset) this.dev.uno.reset();
    this.dtr = dtr;
  }

  async get(): Promise<PortStatus> {
    this.assertOpen();
    return { cts: false, dsr: false, dcd: false };
  }

  async getBaudRate(): Promise<{ baudRate: number }> {
    this.assertOpen();
    return { baudRate: this.openOptions.baudRate };
  }

  async flush(): Promise<void> {
    this.assertOpen();
    this.rx.length = 0;
    this.dev.uno.clearSerialQueue();
  }

  async drain(): Promise<void> {
    this.assertOpen();
    // Until the queued bytes have gone out on the wire (to the chip), as tcdrain() waits.
    while (this.isOpen && !this.hungUp && this.dev.uno.serialBacklog > 0) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  private assertOpen(): void {
    if (!this.isOpen) throw new Error("Port is not open");
    if (this.hungUp) throw new BindingError("Error: Input/output error", false, "EIO");
  }

  private wake(err?: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (p && err) p.reject(err);
    else if (p) p.resolve();
  }
}
