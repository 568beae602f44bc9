/**
 * EmulatedUno — an Arduino Uno (ATmega328P @ 16 MHz) running a real firmware image on avr8js.
 *
 *   const uno = await EmulatedUno.load("firmware.hex", { paced: true });
 *   uno.start(paced?) / uno.stop() run in the background on the event loop (or pause)
 *   uno.reset()                    board reset; flash and EEPROM kept, emulated time continues
 *   uno.powerOff()                 stop + reset, pins float, serial input dropped until start()
 *   await uno.runFor(ms)           advance emulated time by ms (runs unpaced if not started)
 *   uno.millis                     emulated ms since load; uno.lag: ms behind the wall clock
 *   uno.onSerialData(cb)           bytes the chip transmits (TX), batched per slice
 *   uno.writeSerial(bytes)         bytes on the wire to the chip's RX, one per byte time
 *   uno.wireBaud = 57600           the host's baud rate; a mismatch with the chip garbles bytes
 *   uno.pin(n)                     Arduino pin 0..19 → { mode, level, duty, pwm }
 *   uno.onPinChange(cb)            fires with { pin, millis, ...state } when level/duty/mode change
 *   uno.eeprom                     the 1 KiB EEPROM contents (survives reset)
 *   uno.serialBacklog, clearSerialQueue(), chipBaud, isRunning,
 *   stats { rxDropped, garbled, resets, watchdogResets }
 *   uno.wedge("halt" | "spin")     the chip hangs until its next reset (see wedge())
 *   uno.watchdog                   { resets, timeoutMs, mcusr }: the watchdog as the firmware set it
 *
 * Peripherals: timers 0/1/2, ports B/C/D, USART0, EEPROM, ADC (inputs read 0), watchdog (its
 * reset is a board reset, with MCUSR and WDE as the datasheet has them: ./watchdog.ts). Pin
 * changes are reported once settled for 2 µs, stamped with the time of the first register
 * write; a PWM pin reports duty changes, not its PWM-rate level toggles.
 * RX: a byte the firmware has not read yet holds back the next (no overrun); bytes arriving while
 * the receiver is off are lost, as on silicon. There is no bootloader: the app starts at once.
 *
 * Paced (default): emulated time follows the wall clock and never runs ahead of it; if the host
 * is too slow, it falls behind by at most MAX_CATCH_UP_MS and the rest is counted in `lag`.
 * Unpaced: as fast as possible, yielding to the event loop every slice so serial I/O flows.
 * The on* methods return an unsubscribe function.
 */
import { readFile } from "node:fs/promises";
import {
  AVRADC, AVRClock, AVREEPROM, AVRIOPort, AVRTimer, AVRUSART, AVRWatchdog, CPU,
  EEPROMMemoryBackend, PinState as AvrPin, adcConfig, avrInstruction, clockConfig, portBConfig,
  portCConfig, portDConfig, timer0Config, timer1Config, timer2Config, usart0Config, watchdogConfig,
} from "avr8js";
import { parseIntelHex } from "./hex.ts";
import { MCUSR, PORF, applyReset, mcusrAfter, watchdogState, type ResetCause, type WatchdogState } from "./watchdog.ts";
import { PWM_PINS, TIMERS, pinLocation, timerDuty, type PinState, type PortName, type TimerRegs } from "./pins.ts";

export type { PinState } from "./pins.ts";
export type { WatchdogState } from "./watchdog.ts";
/** How the chip hangs: see EmulatedUno.wedge(). */
export type Wedge = "halt" | "spin";
export interface PinChange extends PinState { pin: number; millis: number }
export interface UnoOptions {
  /** Follow the wall clock (default true). false: run as fast as the host allows. */
  paced?: boolean;
  /** Initial EEPROM contents (≤ 1024 bytes); default erased (0xFF). */
  eeprom?: Uint8Array;
}

const F_CPU = 16_000_000;
const CYCLES_PER_MS = F_CPU / 1000;
const FLASH_BYTES = 32 * 1024;
const SRAM_BYTES = 2048;
const EEPROM_BYTES = 1024;
const MAX_SLICE = 10 * CYCLES_PER_MS; // per macrotask, so timers and I/O of the host stay responsive
const UNPACED_SLICE = 20 * CYCLES_PER_MS;
const MAX_CATCH_UP_MS = 250; // beyond this, slip rather than burst after a long host stall
const UCSR0A = usart0Config.UCSRA;
const RXC0 = 0x80;
const SREG = 0x5f;
const SREG_I = 0x80;
const PORT_PINS: Record<PortName, number[]> = {
  D: [0, 1, 2, 3, 4, 5, 6, 7], B: [8, 9, 10, 11, 12, 13], C: [14, 15, 16, 17, 18, 19],
};
const ALL_PINS_MASK = (1 << 20) - 1;
const SETTLE_CYCLES = 32; // 2 µs
const TIMER_PINS = new Map<TimerRegs, number[]>(TIMERS.map((t) => [t, [...PWM_PINS].filter(([, v]) => v.t === t).map(([p]) => p)]));

export class EmulatedUno {
  static async load(hexPath: string, opts: UnoOptions = {}): Promise<EmulatedUno> {
    return EmulatedUno.fromHex(await readFile(hexPath, "utf8"), opts);
  }
  static fromHex(hexText: string, opts: UnoOptions = {}): EmulatedUno {
    return new EmulatedUno(parseIntelHex(hexText, FLASH_BYTES), opts);
  }

  /** Host's baud rate on the wire; undefined = always matches the chip. */
  wireBaud: number | undefined;
  readonly stats = { rxDropped: 0, garbled: 0, resets: 0, watchdogResets: 0 };
  private readonly progMem: Uint16Array;
  private readonly eepromBackend = new EEPROMMemoryBackend(EEPROM_BYTES);
  private cpu!: CPU;
  private usart!: AVRUSART;
  private ports!: Record<PortName, AVRIOPort>;
  private cycleBase = 0;
  private readonly pacedOpt: boolean;
  private paced: boolean;
  private running = false;
  private transient = false; // started by runFor(), stops when its waiters are done
  private powered = true;
  private inSlice = false;
  private resetPending: ResetCause | undefined;
  private wedgeKind: Wedge | undefined;
  private spinPc: number | undefined; // "spin": the address the main program loops on
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private anchorWall = 0;
  private anchorCycles = 0;
  private slipped = 0;
  private waiters: { cycles: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private tx: number[] = [];
  private rxQueue: number[] = [];
  private rxArmed = false;
  private readonly serialCbs = new Set<(bytes: Buffer) => void>();
  private readonly pinCbs = new Set<(c: PinChange) => void>();
  private readonly pinCache: PinState[] = [];
  private dirty = 0; // bit n: Arduino pin n may have changed
  private dirtySince = 0;
  private settleArmed = false;

  private constructor(flash: Uint8Array, opts: UnoOptions) {
    this.progMem = new Uint16Array(flash.buffer, flash.byteOffset, flash.byteLength / 2);
    this.pacedOpt = this.paced = opts.paced ?? true;
    if (opts.eeprom) this.eepromBackend.memory.set(opts.eeprom.subarray(0, EEPROM_BYTES));
    this.build();
    applyReset(this.cpu, PORF);
    for (let n = 0; n < 20; n++) this.pinCache[n] = this.pin(n);
  }

  get eeprom(): Uint8Array { return this.eepromBackend.memory; }
  get cycles(): number { return this.cycleBase + this.cpu.cycles; }
  get millis(): number { return this.cycles / CYCLES_PER_MS; }
  get isRunning(): boolean { return this.running && !this.transient; }
  /** Bytes written with writeSerial() not yet on the chip's RX. */
  get serialBacklog(): number { return this.rxQueue.length; }
  /** The baud rate the firmware configured on USART0 (0 while the USART is off). */
  get chipBaud(): number { return this.usart.rxEnable || this.usart.txEnable ? this.usart.baudRate : 0; }
  /** Emulated ms behind the wall clock since start() (paced only). */
  get lag(): number {
    if (!this.running || !this.paced) return this.slipped / CYCLES_PER_MS;
    return (this.slipped + Math.max(0, this.wallTarget() - this.cycles)) / CYCLES_PER_MS;
  }

  /** Run in the background; `paced` overrides the load option for this run. */
  start(paced = this.pacedOpt): void {
    this.powered = true;
    if (this.running && !this.transient && this.paced === paced) return;
    this.transient = false;
    this.paced = paced;
    this.begin();
  }
  stop(): void {
    this.running = false;
    this.transient = false;
    this.cancelTimer();
    for (const w of this.waiters.splice(0)) w.reject(new Error("EmulatedUno stopped"));
  }
  /** Board reset (the RESET pin): CPU and peripherals to their reset state, flash and EEPROM kept. */
  reset(): void {
    if (this.inSlice) this.resetPending = "external";
    else this.rebuild("external");
  }
  /**
   * The chip hangs until its next reset (the watchdog's, or reset()):
   * - "halt": no instruction runs, while timers (so PWM), the USART and the watchdog go on;
   * - "spin": the main program loops where it is for ever (the first instruction reached with
   *   interrupts enabled), while interrupts are still served, so millis() and serial receive go on.
   * A watchdog fed from an interrupt misses "spin"; one fed from the main loop catches both.
   */
  wedge(kind: Wedge): void {
    this.wedgeKind = kind;
    this.spinPc = undefined;
  }
  get wedged(): Wedge | undefined { return this.wedgeKind; }
  get watchdog(): WatchdogState { return watchdogState(this.cpu.data); }
  /** USB power gone: halts with pins floating; serial input is lost until start(). */
  powerOff(): void {
    this.stop();
    this.rxQueue.length = 0;
    this.rebuild("power-on");
    this.powered = false;
  }
  /** Advance emulated time by ms; if the board is not running, runs it unpaced meanwhile. */
  runFor(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ cycles: this.cycles + ms * CYCLES_PER_MS, resolve, reject });
      this.waiters.sort((a, b) => a.cycles - b.cycles);
      if (!this.running) {
        this.powered = true;
        this.transient = true;
        this.paced = false;
        this.begin();
      }
    });
  }

  onSerialData(cb: (bytes: Buffer) => void): () => void {
    this.serialCbs.add(cb);
    return () => this.serialCbs.delete(cb);
  }
  writeSerial(bytes: Uint8Array | readonly number[]): void {
    if (!this.powered) { this.stats.rxDropped += bytes.length; return; }
    for (const b of bytes) this.rxQueue.push(b & 0xff);
    this.armRx();
  }
  /** Discard bytes still queued on the wire (serial flush). */
  clearSerialQueue(): void { this.rxQueue.length = 0; }

  pin(n: number): PinState {
    const [port, bit] = pinLocation(n);
    const io = this.ports[port];
    const st = io.pinState(bit);
    if (st === AvrPin.Low || st === AvrPin.High) {
      const level = st === AvrPin.High ? 1 : 0;
      const pwm = PWM_PINS.get(n);
      const duty = pwm ? timerDuty(this.cpu.data, pwm.t, pwm.ch) : null;
      return duty === null ? { mode: "output", level, duty: level, pwm: false } : { mode: "output", level, duty, pwm: true };
    }
    // Nothing is wired to the pins: an input reads its pull-up, else whatever setPin() drove.
    const level = st === AvrPin.InputPullUp ? 1 : (this.cpu.data[io.portConfig.PIN]! >> bit) & 1 ? 1 : 0;
    return { mode: "input", level, duty: level, pwm: false };
  }
  onPinChange(cb: (c: PinChange) => void): () => void {
    this.pinCbs.add(cb);
    return () => this.pinCbs.delete(cb);
  }

  private build(): void {
    const cpu = new CPU(this.progMem, SRAM_BYTES);
    const clock = new AVRClock(cpu, F_CPU, clockConfig);
    for (const cfg of [timer0Config, timer1Config, timer2Config]) new AVRTimer(cpu, cfg);
    this.ports = { B: new AVRIOPort(cpu, portBConfig), C: new AVRIOPort(cpu, portCConfig), D: new AVRIOPort(cpu, portDConfig) };
    this.usart = new AVRUSART(cpu, usart0Config, F_CPU);
    // Without an ADC, analogRead() would spin forever on ADSC; unconnected inputs read 0.
    new AVRADC(cpu, adcConfig).channelValues.fill(0);
    new AVREEPROM(cpu, this.eepromBackend);
    new AVRWatchdog(cpu, watchdogConfig, clock);
    // avr8js's watchdog calls cpu.reset(), which resets only the core; make it a board reset,
    // taken between instructions. (On an Uno, optiboot would then clear MCUSR and the watchdog
    // before the application starts; here, as on a chip without a bootloader, the firmware must.)
    cpu.reset = () => { this.resetPending = "watchdog"; };
    this.cpu = cpu;
    this.usart.onByteTransmit = (b) => {
      if (this.baudMismatch()) { this.stats.garbled++; b = scramble(b); }
      this.tx.push(b);
    };
    for (const name of ["B", "C", "D"] as const) {
      const pins = PORT_PINS[name];
      this.ports[name].addListener(() => this.markDirty(pins));
    }
    for (const t of TIMERS) {
      const pins = TIMER_PINS.get(t)!;
      const regs = [t.TCCRA, t.TCCRB, t.OCRA, t.OCRB];
      if (t.wide) regs.push(t.OCRA + 1, t.OCRB + 1, t.ICR, t.ICR + 1);
      for (const addr of regs) this.afterWrite(addr, () => this.markDirty(pins));
    }
  }

  private afterWrite(addr: number, then: () => void): void {
    const cpu = this.cpu;
    const prev = cpu.writeHooks[addr];
    cpu.writeHooks[addr] = (value, old, a, mask) => {
      if (!prev?.(value, old, a, mask)) cpu.data[a] = value;
      then();
      return true;
    };
  }

  private rebuild(cause: ResetCause): void {
    if (this.settleArmed) this.settle(); // its clock event dies with the old CPU
    const mcusr = mcusrAfter(cause, this.cpu.data[MCUSR]!);
    this.cycleBase += this.cpu.cycles;
    this.tx.length = 0;
    this.rxArmed = false;
    this.wedgeKind = this.spinPc = undefined;
    this.build();
    applyReset(this.cpu, mcusr);
    this.stats.resets++;
    if (cause === "watchdog") this.stats.watchdogResets++;
    this.armRx();
    this.dirty = ALL_PINS_MASK;
    this.dirtySince = this.cycles;
    this.settle();
  }

  // Firmware changes a pin in a few register writes (analogWrite: COM bits, then OCR). Report the
  // state once it has settled for SETTLE_CYCLES, stamped with the time of the first write.
  private markDirty(pins: readonly number[]): void {
    for (const n of pins) this.dirty |= 1 << n;
    if (this.settleArmed) return;
    this.settleArmed = true;
    this.dirtySince = this.cycles;
    this.cpu.addClockEvent(this.settle, SETTLE_CYCLES);
  }
  private readonly settle = (): void => {
    this.settleArmed = false;
    const dirty = this.dirty;
    this.dirty = 0;
    const millis = this.dirtySince / CYCLES_PER_MS;
    for (let n = 0; n < 20; n++) {
      if (!(dirty & (1 << n))) continue;
      const now = this.pin(n);
      const was = this.pinCache[n];
      // A PWM pin's level toggles at the PWM rate; its duty is what changes meaningfully.
      if (was && was.mode === now.mode && was.pwm === now.pwm && was.duty === now.duty && (now.pwm || was.level === now.level)) continue;
      this.pinCache[n] = now;
      const change: PinChange = { pin: n, millis, ...now };
      for (const cb of this.pinCbs) cb(change);
    }
  };

  private baudMismatch(): boolean {
    const wire = this.wireBaud;
    return wire !== undefined && Math.abs(this.usart.baudRate - wire) / wire > 0.05;
  }
  private byteCycles(): number {
    const baud = this.wireBaud ?? (this.usart.rxEnable ? this.usart.baudRate : 57600);
    return Math.round((F_CPU * 10) / baud); // start + 8 data + stop bits
  }
  private armRx(): void {
    if (this.rxArmed || this.rxQueue.length === 0) return;
    this.rxArmed = true;
    this.cpu.addClockEvent(this.rxArrive, this.byteCycles());
  }
  private readonly rxArrive = (): void => {
    this.rxArmed = false;
    const usart = this.usart;
    if (usart.rxEnable && this.cpu.data[UCSR0A]! & RXC0) {
      // The previous byte is still unread. The real USART would buffer two and then overrun;
      // we hold the byte instead (no overrun model) and look again a bit time later.
      this.rxArmed = true;
      this.cpu.addClockEvent(this.rxArrive, Math.round(this.byteCycles() / 10));
      return;
    }
    const b = this.rxQueue.shift()!;
    if (!usart.rxEnable) this.stats.rxDropped++; // receiver off: the line is ignored, as on silicon
    else if (this.baudMismatch()) { this.stats.garbled++; usart.writeByte(scramble(b), true); }
    else usart.writeByte(b, true);
    this.armRx();
  };

  private begin(): void {
    this.running = true;
    this.anchorWall = performance.now();
    this.anchorCycles = this.cycles;
    this.slipped = 0;
    this.cancelTimer();
    this.timer = setImmediate(this.slice);
  }
  private cancelTimer(): void {
    if (this.timer) { clearTimeout(this.timer as NodeJS.Timeout); clearImmediate(this.timer as NodeJS.Immediate); }
    this.timer = undefined;
  }
  private wallTarget(): number {
    return this.anchorCycles + (performance.now() - this.anchorWall) * CYCLES_PER_MS;
  }

  private readonly slice = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    let target: number;
    if (this.paced) {
      target = this.wallTarget();
      const excess = target - this.cycles - MAX_CATCH_UP_MS * CYCLES_PER_MS;
      if (excess > 0) { this.slipped += excess; this.anchorCycles -= excess; target -= excess; }
    } else {
      target = this.cycles + UNPACED_SLICE;
    }
    target = Math.min(target, this.cycles + MAX_SLICE, this.waiters[0]?.cycles ?? Infinity);
    this.runUntil(target);
    this.flushTx();
    while (this.waiters[0] && this.waiters[0].cycles <= this.cycles) this.waiters.shift()!.resolve();
    if (this.transient && this.waiters.length === 0) {
      this.running = this.transient = false;
      return;
    }
    if (!this.running) return;
    const behind = this.paced ? this.wallTarget() - this.cycles : Infinity;
    this.timer = behind > CYCLES_PER_MS ? setImmediate(this.slice) : setTimeout(this.slice, 1);
  };

  private runUntil(target: number): void {
    this.inSlice = true;
    try {
      const cpu = this.cpu;
      const end = target - this.cycleBase;
      while (cpu.cycles < end && !this.resetPending) {
        if (this.wedgeKind === "halt") { this.idle(end); continue; }
        if (this.wedgeKind === "spin" && this.spinning()) cpu.cycles += 2; // rjmp .
        else avrInstruction(cpu);
        cpu.tick();
      }
    } finally {
      this.inSlice = false;
    }
    const cause = this.resetPending;
    if (cause) { this.resetPending = undefined; this.rebuild(cause); }
  }

  private spinning(): boolean {
    if (this.spinPc === undefined && this.cpu.interruptsEnabled) this.spinPc = this.cpu.pc;
    return this.cpu.pc === this.spinPc;
  }

  // "halt": time jumps to the next peripheral event (a timer step, a byte on the wire, the
  // watchdog), which runs; a pending interrupt is not taken, since taking one runs code.
  private idle(end: number): void {
    const cpu = this.cpu;
    // avr8js keeps its event queue private; only its head's time is read.
    const next = (cpu as unknown as { nextClockEvent: { cycles: number } | null }).nextClockEvent;
    cpu.cycles = Math.max(cpu.cycles, Math.min(next?.cycles ?? end, end));
    const sreg = cpu.data[SREG]!;
    cpu.data[SREG] = sreg & ~SREG_I;
    cpu.tick();
    cpu.data[SREG] = cpu.data[SREG]! | (sreg & SREG_I);
  }

  private flushTx(): void {
    if (this.tx.length === 0) return;
    const bytes = Buffer.from(this.tx);
    this.tx.length = 0;
    for (const cb of this.serialCbs) cb(bytes);
  }
}

// What a UART makes of a byte sent at the wrong rate is mostly noise; deterministic noise keeps
// a failing test reproducible.
function scramble(b: number): number {
  return (b * 0x6b + 0x35) & 0xff;
}
