/* The AVR watchdog: it resets the chip when the main loop stops coming round for 1 s,
 * whether the loop hangs with interrupts on (an endless wait) or nothing runs at all.
 *
 * It is fed from the main loop only: fed from an interrupt, a main loop that spins while the
 * timer interrupt still runs would keep it fed for ever. At boot (.init3, before the C runtime
 * and main) MCUSR is cleared and the watchdog turned off: after a watchdog reset it stays on at
 * its shortest timeout (16 ms) until WDRF is cleared, and a start-up slower than that would
 * reset-loop. main() then turns it on for WATCHDOG_TIMEOUT. */
#ifndef FLUXLIGHT_WATCHDOG_H
#define FLUXLIGHT_WATCHDOG_H
#include <stdint.h>
#include <avr/wdt.h>

#define WATCHDOG_TIMEOUT WDTO_1S /* issue 10: 2 s or less; a main-loop pass takes ≤ ~30 ms */

void watchdog_start(void);
static inline void watchdog_feed(void) { wdt_reset(); }
/* The last reset was the watchdog's: the firmware had hung. */
uint8_t watchdog_caused_reset(void);

#endif
