/* Boot self-test, non-blocking: each configured pin lit once for SELFTEST_STEP_MS, then dark
 * (at its off level) until the host speaks. With no stored configuration: pin 13 blinks once.
 * Any byte from the host ends it at once. */
#ifndef FLUXLIGHT_SELFTEST_H
#define FLUXLIGHT_SELFTEST_H
#include <stdint.h>

#define SELFTEST_STEP_MS 150

void selftest_start(uint32_t now_ms);
void selftest_poll(uint32_t now_ms);
void selftest_stop(void);    /* the host spoke: everything the test lit goes dark */
uint8_t selftest_active(void);

#endif
