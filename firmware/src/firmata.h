/* Firmata 2.5 protocol: parser, command handlers and input reporting, modelled on
 * StandardFirmata's behaviour (without servo, I2C, serial, stepper, one-wire). */
#ifndef FLUXLIGHT_FIRMATA_H
#define FLUXLIGHT_FIRMATA_H
#include <stdint.h>

#define START_SYSEX 0xF0
#define END_SYSEX 0xF7

void firmata_init(void);               /* reset the pins and send REPORT_VERSION + firmware report */
void firmata_byte(uint8_t b);          /* feed one received byte */
void firmata_poll(uint32_t now_ms);    /* digital change reports, analog sampling */
void firmata_send_sysex_start(uint8_t id);
void firmata_send_sysex_end(void);

#endif
