/* fluxlight firmware: Firmata 2.5 over USART0 at 57600 baud, plus a dead-man's switch. */
#include <avr/interrupt.h>
#include "clock.h"
#include "deadman.h"
#include "econfig.h"
#include "firmata.h"
#include "pins.h"
#include "selftest.h"
#include "uart.h"
#include "watchdog.h"

int main(void) {
  watchdog_start(); /* from here on a hang, even in the set-up below, resets the chip */
  clock_init();
  pins_init();
  uart_init();
  sei();

  econfig_load(&dm_config);
  /* The self-test drives the configured pins first, so that Firmata's reset (which makes every
   * digital pin an output, LOW unless already set) never flashes a common-anode LED. */
  selftest_start(millis());
  firmata_init(); /* pins to StandardFirmata's reset state; REPORT_VERSION + firmware report */
  deadman_init(millis(), watchdog_caused_reset());

  for (;;) {
    watchdog_feed(); /* only here: a main loop that stops coming round resets the chip */
    /* one byte per pass: a pass stays short (a byte's work is at most ~30 ms, a capability
     * answer through a full transmit buffer), however fast and long a host sends */
    if (uart_available()) {
      uint8_t b = uart_getc();
      selftest_stop();
      deadman_host_byte(millis()); /* hands the pins back before the byte is obeyed */
      firmata_byte(b);
    }
    uint32_t now = millis();
    selftest_poll(now);
    deadman_poll(now, selftest_active());
    firmata_poll(now);
    econfig_poll();
  }
}
