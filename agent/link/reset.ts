// Noticing that the board reset itself (a brown-out, a DTR glitch, the firmware's watchdog): every
// pin is back to input and the dead-man's switch is disarmed, so the session is over and the
// link connects afresh. Firmata boards announce their firmware when they boot, so a firmware
// report nobody asked for means a reset.

/** What reset detection needs of firmata-io's Firmata. */
export interface Announcer {
  on(event: "queryfirmware", listener: () => void): unknown;
}

export function onReset(io: Announcer, reset: (why: string) => void): void {
  io.on("queryfirmware", () => reset("the board reset itself (it announced its firmware again)"));
}
