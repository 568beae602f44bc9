#include "selftest.h"
#include "deadman.h"
#include "pins.h"

static const struct dm_entry builtin_led = {.pin = 13, .pattern = DM_SOLID, .level = 255, .off = 0};

static uint8_t active, step;
static uint32_t started;

static uint8_t steps(void) { return dm_config.count ? dm_config.count : 1; }
static const struct dm_entry *entry(uint8_t i) { return dm_config.count ? &dm_config.entry[i] : &builtin_led; }

static void show(uint8_t lit) { /* lit == steps(): all dark */
  for (uint8_t i = 0; i < steps(); i++) deadman_drive(entry(i), i == lit ? 255 : 0);
}

void selftest_start(uint32_t now) {
  active = 1;
  step = 0;
  started = now;
  show(0);
}

void selftest_poll(uint32_t now) {
  if (!active) return;
  uint8_t s = (now - started) / SELFTEST_STEP_MS > 255 ? 255 : (now - started) / SELFTEST_STEP_MS;
  if (s == step) return;
  step = s;
  if (step >= steps()) {
    selftest_stop();
    return;
  }
  show(step);
}

void selftest_stop(void) {
  if (!active) return;
  active = 0;
  show(steps());
}

uint8_t selftest_active(void) { return active; }
