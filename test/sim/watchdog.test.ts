// The emulated Uno's watchdog and reset flags follow the ATmega328P datasheet (agent/sim/uno/
// watchdog.ts), and its two ways to hang a chip do what they say. Small programs, compiled here
// with avr-gcc, probe it: a firmware that gets the boot sequence wrong must be seen to reset-loop,
// or no test of the real firmware could fail for that reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { EXTRF, PORF, WDRF } from "../../agent/sim/uno/watchdog.ts";

/** Compiles a C program for the Uno; returns the Intel HEX text. */
function compile(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-wdt-"));
  try {
    writeFileSync(join(dir, "p.c"), `#include <avr/io.h>\n#include <avr/interrupt.h>\n#include <avr/wdt.h>\n#include <util/delay.h>\n${source}`);
    const cc = ["-mmcu=atmega328p", "-DF_CPU=16000000UL", "-Os", "-o", join(dir, "p.elf"), join(dir, "p.c")];
    execFileSync("avr-gcc", cc, { stdio: "inherit" });
    execFileSync("avr-objcopy", ["-O", "ihex", join(dir, "p.elf"), join(dir, "p.hex")]);
    return readFileSync(join(dir, "p.hex"), "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const load = (source: string) => EmulatedUno.fromHex(compile(source), { paced: false });
const UP = "DDRB = _BV(5); PORTB = _BV(5);"; // pin 13 high: the program got past its start-up
const EARLY_CLEAR = `void early(void) __attribute__((naked, used, section(".init3")));
void early(void) { MCUSR = 0; wdt_disable(); }`;

test("power-on sets PORF, the RESET pin adds EXTRF; the watchdog starts off", async () => {
  const uno = load(`int main(void) { ${UP} for (;;) {} }`);
  assert.equal(uno.watchdog.mcusr, PORF);
  assert.equal(uno.watchdog.resets, false);
  await uno.runFor(5);
  uno.reset();
  assert.equal(uno.watchdog.mcusr, PORF | EXTRF, "flags survive a reset that is not power-on");
  uno.powerOff();
  assert.equal(uno.watchdog.mcusr, PORF);
});

// On power-on the program lets the watchdog reset it; after that reset it turns the watchdog off,
// having cleared WDRF first or not.
const afterWatchdogReset = (clearFirst: boolean) => `
int main(void) {
  if (!(MCUSR & _BV(WDRF))) { wdt_enable(WDTO_15MS); for (;;) {} }
  ${clearFirst ? "MCUSR = 0;" : ""}
  wdt_disable();
  ${UP}
  for (;;) {}
}`;

test("after a watchdog reset: WDRF set, the watchdog on at 16 ms; clearing WDRF then WDE turns it off", async () => {
  const uno = load(afterWatchdogReset(true));
  await uno.runFor(20);
  assert.equal(uno.stats.watchdogResets, 1);
  await uno.runFor(500);
  assert.equal(uno.stats.watchdogResets, 1, "off for good");
  assert.deepEqual(uno.watchdog, { resets: false, timeoutMs: 16, mcusr: 0 });
  assert.equal(uno.pin(13).level, 1);
});

test("while WDRF is set, WDE cannot be cleared: a program that only disables the watchdog resets every 16 ms", async () => {
  const uno = load(afterWatchdogReset(false));
  await uno.runFor(20);
  assert.equal(uno.stats.watchdogResets, 1);
  assert.deepEqual(uno.watchdog, { resets: true, timeoutMs: 16, mcusr: PORF | WDRF });
  await uno.runFor(500);
  assert.ok(uno.stats.watchdogResets >= 30, `${uno.stats.watchdogResets} watchdog resets in 500 ms`);
  assert.equal(uno.watchdog.resets, true);
});

// A firmware that starts slower than 16 ms and only then turns its watchdog on (at 1 s, fed from
// its main loop), with or without turning it off first thing at boot.
const slowStart = (earlyClear: boolean) => `
${earlyClear ? EARLY_CLEAR : ""}
int main(void) {
  _delay_ms(20);
  wdt_enable(WDTO_1S);
  ${UP}
  for (;;) wdt_reset();
}`;

test("halt: no instruction runs, the watchdog still resets the chip; without an early clear the restart loops", async () => {
  for (const earlyClear of [true, false]) {
    const uno = load(slowStart(earlyClear));
    await uno.runFor(100);
    assert.equal(uno.pin(13).level, 1);
    assert.equal(uno.watchdog.timeoutMs, 1024);
    uno.wedge("halt");
    const pc = (uno as unknown as { cpu: { pc: number } }).cpu.pc;
    await uno.runFor(500);
    assert.equal((uno as unknown as { cpu: { pc: number } }).cpu.pc, pc, "halted: the program counter did not move");
    assert.equal(uno.pin(13).level, 1, "halted: the pins hold");
    assert.equal(uno.stats.watchdogResets, 0);
    await uno.runFor(600);
    assert.equal(uno.wedged, undefined, "a reset ends the hang");
    await uno.runFor(1000);
    if (earlyClear) {
      assert.equal(uno.stats.watchdogResets, 1, "one reset, then it runs");
      assert.equal(uno.pin(13).level, 1);
    } else {
      assert.ok(uno.stats.watchdogResets >= 40, `reset-loops: ${uno.stats.watchdogResets} watchdog resets in about 1 s`);
      assert.equal(uno.pin(13).mode, "input", "never gets past its start-up");
    }
  }
});

// Timer0 overflows every 1.024 ms; the watchdog (1 s) is fed from its interrupt or from the main loop.
const fedFrom = (where: "interrupt" | "main loop") => `
${EARLY_CLEAR}
volatile unsigned long ticks;
ISR(TIMER0_OVF_vect) { ticks++; ${where === "interrupt" ? "wdt_reset();" : ""} }
int main(void) {
  TCCR0B = _BV(CS01) | _BV(CS00); TIMSK0 = _BV(TOIE0);
  wdt_enable(WDTO_1S);
  sei();
  ${UP}
  for (;;) { ${where === "main loop" ? "wdt_reset();" : ""} }
}`;

test("spin: the main program stops, interrupts go on; only a watchdog fed from the main loop notices", async () => {
  for (const where of ["interrupt", "main loop"] as const) {
    const uno = load(fedFrom(where));
    await uno.runFor(50);
    uno.wedge("spin");
    await uno.runFor(3000);
    if (where === "interrupt") {
      assert.equal(uno.stats.watchdogResets, 0, "the timer interrupt kept feeding it: the hang goes unseen");
      assert.equal(uno.wedged, "spin");
    } else {
      assert.equal(uno.stats.watchdogResets, 1, "fed from the main loop: one reset");
      assert.equal(uno.wedged, undefined);
    }
  }
});
