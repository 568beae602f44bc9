#include "clock.h"
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

/* Timer0 runs at F_CPU/64 and overflows every 256 ticks: 1024 us at 16 MHz. The whole
 * milliseconds are added per overflow and the remainder is accumulated in 8 us units. */
#define US_PER_OVERFLOW ((64UL * 256UL) / ((F_CPU) / 1000000UL))
#define MS_INC (US_PER_OVERFLOW / 1000)
#define FRACT_INC ((US_PER_OVERFLOW % 1000) >> 3)
#define FRACT_MAX (1000 >> 3)

static volatile uint32_t ms_count;
static volatile uint8_t ms_fract;

ISR(TIMER0_OVF_vect) {
  uint32_t m = ms_count + MS_INC;
  uint8_t f = ms_fract + FRACT_INC;
  if (f >= FRACT_MAX) {
    f -= FRACT_MAX;
    m++;
  }
  ms_fract = f;
  ms_count = m;
}

uint32_t millis(void) {
  uint32_t m;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { m = ms_count; }
  return m;
}

void clock_init(void) {
  /* timer0: fast PWM, /64 (pins 6 = OC0A, 5 = OC0B); its overflow is the clock */
  TCCR0A = _BV(WGM01) | _BV(WGM00);
  TCCR0B = _BV(CS01) | _BV(CS00);
  TIMSK0 = _BV(TOIE0);
  /* timer1: 8-bit phase-correct PWM, /64 (pins 9 = OC1A, 10 = OC1B) */
  TCCR1A = _BV(WGM10);
  TCCR1B = _BV(CS11) | _BV(CS10);
  /* timer2: phase-correct PWM, /64 (pins 11 = OC2A, 3 = OC2B) */
  TCCR2A = _BV(WGM20);
  TCCR2B = _BV(CS22);
}
