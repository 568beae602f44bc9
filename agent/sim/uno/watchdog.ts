// The ATmega328P's reset flags and watchdog as the datasheet has them (§10.9.1 MCUSR, §10.9.2
// WDTCSR), where avr8js 0.21 differs: its watchdog reset forgets WDRF and leaves the watchdog off,
// so a firmware that never turned the watchdog off at boot could not be seen to reset-loop.
//
// - MCUSR's flags survive every reset but power-on, which clears them and sets PORF; a reset sets
//   its own flag (EXTRF for the RESET pin, WDRF for the watchdog). Writing 0 to a flag clears it.
// - After a reset WDTCSR is 0 (prescaler 0: 16 ms) with WDE set while WDRF is: "WDE is overridden
//   by WDRF in MCUSR ... To clear WDE, WDRF must be cleared first."
import { watchdogConfig, type CPU } from "avr8js";

export const MCUSR = watchdogConfig.MCUSR;
export const WDTCSR = watchdogConfig.WDTCSR;
export const PORF = 0x01;
export const EXTRF = 0x02;
export const WDRF = 0x08;
const WDE = 0x08;
const WDCE = 0x10;
const WDP3 = 0x20;

export type ResetCause = "power-on" | "external" | "watchdog";
const FLAG: Record<ResetCause, number> = { "power-on": PORF, external: EXTRF, watchdog: WDRF };

/** MCUSR after a reset of this cause, given its value before. */
export function mcusrAfter(cause: ResetCause, before: number): number {
  return cause === "power-on" ? PORF : (before & 0x0f) | FLAG[cause];
}

/** On a CPU just built (all registers at reset values): set MCUSR, and WDE as WDRF forces it. */
export function applyReset(cpu: CPU, mcusr: number): void {
  cpu.data[MCUSR] = mcusr;
  cpu.writeHooks[MCUSR] = (value, old) => ((cpu.data[MCUSR] = old & value), true); // a 1 sets no flag
  const avrHook = cpu.writeHooks[WDTCSR]!;
  // WDRF holds WDE on: a write that is not the change-enable step keeps WDE whatever it says.
  cpu.writeHooks[WDTCSR] = (value, old, addr, mask) =>
    avrHook(value & WDCE || !(cpu.data[MCUSR]! & WDRF) ? value : value | WDE, old, addr, mask);
  if (mcusr & WDRF) {
    // avr8js starts its timer only through the timed sequence: the hardware's reset value, WDE at 16 ms.
    cpu.writeData(WDTCSR, WDCE | WDE);
    cpu.writeData(WDTCSR, WDE);
  }
}

export interface WatchdogState {
  /** The watchdog resets the chip when it runs out (WDE), as opposed to off or interrupt-only. */
  resets: boolean;
  /** Its timeout in ms (16 ms · 2^WDP). */
  timeoutMs: number;
  /** MCUSR's reset flags as the firmware would read them now. */
  mcusr: number;
}

export function watchdogState(data: Uint8Array): WatchdogState {
  const w = data[WDTCSR]!;
  const wdp = ((w & WDP3) >> 2) | (w & 0x07);
  return { resets: (w & WDE) !== 0, timeoutMs: 16 * 2 ** wdp, mcusr: data[MCUSR]! };
}
