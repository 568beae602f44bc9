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

/* The pin interface for a feature that draws on pins (the dead-man's switch and its boot
 * self-test), as ConfigurableFirmata's features go through Firmata's setPinMode/setPinState:
 * the host's pin table is Firmata's, and only these change it on a feature's behalf. */
#define PIN_BIT(p) ((uint32_t)1 << (p))
/* analogWrite-like (a pin without PWM: LOW below 128, HIGH from 128); PIN_STATE_QUERY shows it */
void firmata_pin_draw(uint8_t pin, uint8_t duty);
/* Host lost begins: every pin the host drives (OUTPUT, PWM) outside `pins` goes LOW, and the
 * pins in `pins` (PIN_BIT per pin) become outputs for the feature; the host's modes are kept. */
void firmata_pins_take(uint32_t pins);
/* Host lost ends: the pins taken get back the modes (and pull-ups) the host had set. */
void firmata_pins_give_back(void);

#endif
