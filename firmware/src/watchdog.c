#include "watchdog.h"
#include <avr/io.h>

/* MCUSR as it was at reset; .noinit, as .bss is zeroed after .init3 runs. */
static uint8_t mcusr_at_boot __attribute__((section(".noinit")));

/* avr-libc's recipe (<avr/wdt.h>): naked, in .init3, so it runs before anything else can take
 * 16 ms. WDRF first: while it is set, WDE cannot be cleared. */
void watchdog_boot(void) __attribute__((naked, used, section(".init3")));
void watchdog_boot(void) {
  mcusr_at_boot = MCUSR;
  MCUSR = 0;
  wdt_disable();
}

void watchdog_start(void) { wdt_enable(WATCHDOG_TIMEOUT); }

uint8_t watchdog_caused_reset(void) { return (mcusr_at_boot & _BV(WDRF)) != 0; }
