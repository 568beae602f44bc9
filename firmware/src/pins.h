/* Pin numbering, directions, levels, PWM (analogWrite-like) and the ADC: the hardware only.
 * Which mode the host gave a pin is Firmata's table (firmata.c). */
#ifndef FLUXLIGHT_PINS_H
#define FLUXLIGHT_PINS_H
#include <stdint.h>
#include "config.h"

/* Firmata pin modes (the subset this firmware supports). */
#define MODE_INPUT 0x00
#define MODE_OUTPUT 0x01
#define MODE_ANALOG 0x02
#define MODE_PWM 0x03
#define MODE_PULLUP 0x0B

#define PIN_IS_DIGITAL(p) ((p) >= 2 && (p) < TOTAL_PINS) /* 0/1 belong to the serial port */
#define PIN_IS_ANALOG(p) ((p) >= 14 && (p) < TOTAL_PINS)
#define PIN_TO_ANALOG(p) ((p) - 14)
uint8_t pin_is_pwm(uint8_t pin); /* 3, 5, 6, 9, 10, 11 */

void pins_init(void);                        /* ADC on, prescaler 128 */
void pin_output(uint8_t pin);                /* DDR = output (level unchanged) */
void pin_input(uint8_t pin, uint8_t pullup); /* DDR = input, pull-up on/off, PWM off */
void pin_write(uint8_t pin, uint8_t level);  /* PWM off, then PORT bit = level */
uint8_t pin_read(uint8_t pin);               /* PIN bit */
/* analogWrite semantics: output; 0 and 255 are plain levels, 1..254 hardware PWM;
 * a pin without PWM gets LOW below 128 and HIGH from 128. */
void pin_pwm(uint8_t pin, uint8_t duty);
uint16_t analog_read(uint8_t channel);       /* 10-bit, AVcc reference, blocking ~110 us */

#endif
