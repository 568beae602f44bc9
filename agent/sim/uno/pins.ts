// Arduino Uno pin numbering over the ATmega328P's ports, and how to read a PWM duty cycle
// out of the timer registers (datasheet §15–§18: COMnx, WGMn, OCRnx).

export type PortName = "B" | "C" | "D";

export interface PinState {
  mode: "output" | "input";
  level: 0 | 1;
  /** 0..1: the PWM duty while a timer drives the pin, else the digital level. */
  duty: number;
  /** true while a timer's compare output drives the pin; `level` then flickers at the PWM rate. */
  pwm: boolean;
}

/** Arduino pin → [port, bit]: D0–D7 = PD0–7, D8–D13 = PB0–5, A0–A5 (14–19) = PC0–5. */
export function pinLocation(pin: number): [PortName, number] {
  if (!Number.isInteger(pin) || pin < 0 || pin > 19) throw new RangeError(`no Uno pin ${pin} (0..19)`);
  if (pin < 8) return ["D", pin];
  if (pin < 14) return ["B", pin - 8];
  return ["C", pin - 14];
}

export interface TimerRegs {
  timer: 0 | 1 | 2;
  wide: boolean;
  TCCRA: number;
  TCCRB: number;
  OCRA: number;
  OCRB: number;
  ICR: number;
}

const T0: TimerRegs = { timer: 0, wide: false, TCCRA: 0x44, TCCRB: 0x45, OCRA: 0x47, OCRB: 0x48, ICR: 0 };
const T1: TimerRegs = { timer: 1, wide: true, TCCRA: 0x80, TCCRB: 0x81, OCRA: 0x88, OCRB: 0x8a, ICR: 0x86 };
const T2: TimerRegs = { timer: 2, wide: false, TCCRA: 0xb0, TCCRB: 0xb1, OCRA: 0xb3, OCRB: 0xb4, ICR: 0 };
export const TIMERS: readonly TimerRegs[] = [T0, T1, T2];

/** PWM-capable pins and the compare unit behind each. */
export const PWM_PINS: ReadonlyMap<number, { t: TimerRegs; ch: "A" | "B" }> = new Map([
  [3, { t: T2, ch: "B" }],
  [5, { t: T0, ch: "B" }],
  [6, { t: T0, ch: "A" }],
  [9, { t: T1, ch: "A" }],
  [10, { t: T1, ch: "B" }],
  [11, { t: T2, ch: "A" }],
]);

type Top = number | "OCRA" | "ICR";
// WGM → TOP for the PWM modes only; a missing entry is a non-PWM mode (normal, CTC).
const PWM8: Record<number, Top> = { 1: 0xff, 3: 0xff, 5: "OCRA", 7: "OCRA" };
const PWM16: Record<number, Top> = {
  1: 0xff, 2: 0x1ff, 3: 0x3ff, 5: 0xff, 6: 0x1ff, 7: 0x3ff,
  8: "ICR", 9: "OCRA", 10: "ICR", 11: "OCRA", 14: "ICR", 15: "OCRA",
};
// Modes where COMnA=1 toggles OCnA at TOP, i.e. a 50 % square wave.
const TOGGLE_A8 = new Set([5, 7]);
const TOGGLE_A16 = new Set([9, 11, 14, 15]);

/**
 * The duty cycle a timer drives on its compare pin, or null when the compare output is not
 * connected (the pin then follows PORTx). OCR/TOP, so analogWrite(v) reads as v/255; fast PWM's
 * extra count ((v+1)/256) is ignored. Reads the OCR register as written: the hardware applies a
 * new OCR in PWM modes only at TOP/BOTTOM, at most one PWM period later.
 */
export function timerDuty(data: Uint8Array, t: TimerRegs, ch: "A" | "B"): number | null {
  const a = data[t.TCCRA]!;
  const b = data[t.TCCRB]!;
  if ((b & 7) === 0) return null; // clock stopped: the output holds, treat as a plain pin
  const com = (a >> (ch === "A" ? 6 : 4)) & 3;
  if (com === 0) return null;
  const wgm = t.wide ? (a & 3) | ((b >> 1) & 0x0c) : (a & 3) | ((b >> 1) & 0x04);
  const top = (t.wide ? PWM16 : PWM8)[wgm];
  if (top === undefined) return null; // normal/CTC: the compare unit sets/clears the pin level
  if (com === 1) {
    return ch === "A" && (t.wide ? TOGGLE_A16 : TOGGLE_A8).has(wgm) ? 0.5 : null;
  }
  const reg = (addr: number): number => (t.wide ? data[addr]! | (data[addr + 1]! << 8) : data[addr]!);
  const topValue = top === "OCRA" ? reg(t.OCRA) : top === "ICR" ? reg(t.ICR) : top;
  const ocr = reg(ch === "A" ? t.OCRA : t.OCRB);
  const high = topValue === 0 ? 0 : Math.min(ocr, topValue) / topValue;
  return com === 2 ? high : 1 - high;
}
