/* fluxlight firmware: Firmata 2.5 over USART0 at 57600 baud, plus a dead-man's switch. */
#include <avr/interrupt.h>
#include "clock.h"
#include "deadman.h"
#include "econfig.h"
#include "firmata.h"
#include "pins.h"
#include "selftest.h"
#include "uart.h"

int main(void) {
  clock_init();
  pins_init();
  uart_init();
  sei();

  econfig_load(&dm_config);
  /* The self-test drives the configured pins first, so that Firmata's reset (which makes every
   * digital pin an output, LOW unless already set) never flashes a common-anode LED. */
  selftest_start(millis());
  firmata_init(); /* pins to StandardFirmata's reset state; REPORT_VERSION + firmware report */
  deadman_init(millis());

  for (;;) {
    while (uart_available()) {
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
