#include "pins.h"
#include <avr/io.h>

static volatile uint8_t *port_reg(uint8_t p) { return p < 8 ? &PORTD : p < 14 ? &PORTB : &PORTC; }
static volatile uint8_t *ddr_reg(uint8_t p) { return p < 8 ? &DDRD : p < 14 ? &DDRB : &DDRC; }
static volatile uint8_t *pin_reg(uint8_t p) { return p < 8 ? &PIND : p < 14 ? &PINB : &PINC; }
static uint8_t bit_of(uint8_t p) { return (uint8_t)(1 << (p < 8 ? p : p < 14 ? p - 8 : p - 14)); }

uint8_t pin_is_pwm(uint8_t p) {
  return p == 3 || p == 5 || p == 6 || p == 9 || p == 10 || p == 11;
}

/* Disconnect the timer's compare output from the pin (COMxy1 = 0). */
static void pwm_off(uint8_t p) {
  switch (p) {
    case 3: TCCR2A &= ~_BV(COM2B1); break;
    case 5: TCCR0A &= ~_BV(COM0B1); break;
    case 6: TCCR0A &= ~_BV(COM0A1); break;
    case 9: TCCR1A &= ~_BV(COM1A1); break;
    case 10: TCCR1A &= ~_BV(COM1B1); break;
    case 11: TCCR2A &= ~_BV(COM2A1); break;
  }
}

/* Non-inverting compare output: COMxy1 = 1, duty in OCRxy. */
static void pwm_on(uint8_t p, uint8_t duty) {
  switch (p) {
    case 3: OCR2B = duty; TCCR2A |= _BV(COM2B1); break;
    case 5: OCR0B = duty; TCCR0A |= _BV(COM0B1); break;
    case 6: OCR0A = duty; TCCR0A |= _BV(COM0A1); break;
    case 9: OCR1A = duty; TCCR1A |= _BV(COM1A1); break;
    case 10: OCR1B = duty; TCCR1A |= _BV(COM1B1); break;
    case 11: OCR2A = duty; TCCR2A |= _BV(COM2A1); break;
  }
}

void pins_init(void) {
  ADCSRA = _BV(ADEN) | _BV(ADPS2) | _BV(ADPS1) | _BV(ADPS0);
}

void pin_output(uint8_t p) { *ddr_reg(p) |= bit_of(p); }

void pin_input(uint8_t p, uint8_t pullup) {
  pwm_off(p);
  *ddr_reg(p) &= ~bit_of(p);
  if (pullup) *port_reg(p) |= bit_of(p);
  else *port_reg(p) &= ~bit_of(p);
}

void pin_write(uint8_t p, uint8_t level) {
  /* the level first: while the timer still drives the pin, PORT does not show, so leaving
   * PWM for a plain level makes no glitch */
  if (level) *port_reg(p) |= bit_of(p);
  else *port_reg(p) &= ~bit_of(p);
  pwm_off(p);
}

uint8_t pin_read(uint8_t p) { return (*pin_reg(p) & bit_of(p)) ? 1 : 0; }

void pin_pwm(uint8_t p, uint8_t duty) {
  /* level (or timer) first, then the output driver: an input becomes an output at its new
   * level without passing through the old one */
  if (!pin_is_pwm(p)) pin_write(p, duty >= 128);
  else if (duty == 0 || duty == 255) pin_write(p, duty == 255);
  else pwm_on(p, duty);
  pin_output(p);
}

uint16_t analog_read(uint8_t ch) {
  ADMUX = _BV(REFS0) | (ch & 0x07);
  ADCSRA |= _BV(ADSC);
  while (ADCSRA & _BV(ADSC)) {
  }
  return ADC;
}
