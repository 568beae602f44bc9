/* Millisecond clock on timer0 overflow (as the Arduino core), and the PWM timer setup. */
#ifndef FLUXLIGHT_CLOCK_H
#define FLUXLIGHT_CLOCK_H
#include <stdint.h>

void clock_init(void);  /* timers 0/1/2 as the Arduino core sets them; enables TOV0 irq */
uint32_t millis(void);

#endif
