#include "deadman.h"
#include "econfig.h"
#include "firmata.h"
#include "pins.h"
#include "uart.h"

/* The dead-man's switch is a Firmata feature: it draws on its pins through Firmata's pin
 * interface (firmata_pin_draw, firmata_pins_take/give_back), never Firmata's tables. */

struct dm_config dm_config;

static uint32_t last_rx;      /* time of the last byte from the host */
static uint32_t lost_since;   /* when host-lost started */
static uint32_t last_render;
static uint8_t lost;          /* host-lost being drawn now */
static uint8_t lost_latched;  /* host-lost was drawn since the last QUERY */
static uint16_t lost_count;   /* host-lost episodes since boot (saturates at 14 bits) */
static uint8_t wd_reset;      /* this run began with a watchdog reset */

void deadman_init(uint32_t now, uint8_t watchdog_reset) {
  last_rx = now;
  wd_reset = watchdog_reset;
}

void deadman_drive(const struct dm_entry *e, uint8_t b) { firmata_pin_draw(e->pin, e->off ? (uint8_t)(255 - b) : b); }

static uint8_t brightness(const struct dm_entry *e, uint32_t t) {
  uint16_t period = e->period ? e->period : DM_DEFAULT_PERIOD;
  uint16_t phase = t % period;
  switch (e->pattern) {
    case DM_SOLID: return e->level;
    case DM_PULSE:
      if (pin_is_pwm(e->pin)) { /* triangle 0 -> level -> 0 over one period */
        uint16_t x = (uint32_t)phase * 510 / period;
        uint16_t tri = x <= 255 ? x : 510 - x;
        return (uint16_t)e->level * tri / 255;
      }
      /* no PWM on this pin: blink */
      /* fall through */
    case DM_BLINK: return phase < period / 2 ? e->level : 0;
    default: return 0;
  }
}

static void enter_lost(uint32_t now) {
  lost = 1;
  lost_latched = 1;
  if (lost_count < 0x3FFF) lost_count++;
  lost_since = now;
  /* Every other pin the host drives goes LOW; the configured pins are ours until the host speaks. */
  uint32_t pins = 0;
  for (uint8_t i = 0; i < dm_config.count; i++) pins |= PIN_BIT(dm_config.entry[i].pin);
  firmata_pins_take(pins);
}

static void render(uint32_t now) {
  uint32_t t = now - lost_since;
  for (uint8_t i = 0; i < dm_config.count; i++) deadman_drive(&dm_config.entry[i], brightness(&dm_config.entry[i], t));
}

void deadman_host_byte(uint32_t now) {
  last_rx = now;
  if (lost) {
    lost = 0;
    for (uint8_t i = 0; i < dm_config.count; i++) deadman_drive(&dm_config.entry[i], 0);
    firmata_pins_give_back(); /* inputs the host had set are inputs again */
  }
}

void deadman_poll(uint32_t now, uint8_t hold_off) {
  if (!lost) {
    if (!dm_config.timeout || hold_off || now - last_rx < dm_config.timeout) return;
    enter_lost(now);
    last_render = now - 1;
  }
  if (now != last_render) { /* redraw at most once per millisecond */
    last_render = now;
    render(now);
  }
}

/* CONFIGURE: t0 t1 t2 { pin pattern period0 period1 level0 level1 off }* */
static void configure(uint8_t argc, const uint8_t *argv) {
  if (argc < 3 || (argc - 3) % 7) return;
  uint8_t n = (argc - 3) / 7;
  if (n > DM_MAX_ENTRIES) return;
  struct dm_config c;
  c.timeout = argv[0] | (uint32_t)argv[1] << 7 | (uint32_t)argv[2] << 14;
  c.count = n;
  for (uint8_t i = 0; i < n; i++) {
    const uint8_t *a = argv + 3 + 7 * i;
    struct dm_entry *e = &c.entry[i];
    e->pin = a[0];
    e->pattern = a[1];
    e->period = a[2] | (uint16_t)a[3] << 7;
    uint16_t level = a[4] | (uint16_t)a[5] << 7;
    e->off = a[6];
    if (!PIN_IS_DIGITAL(e->pin) || e->pattern > DM_PULSE || level > 255 || e->off > 1) return;
    e->level = (uint8_t)level;
    for (uint8_t j = 0; j < i; j++)
      if (c.entry[j].pin == e->pin) return; /* one entry per pin */
  }
  dm_config = c;
  econfig_save(&dm_config);
}

static void query_reply(void) {
  uint8_t flags = 0;
  if (dm_config.timeout) flags |= 0x01;
  if (lost_latched) flags |= 0x02;
  if (econfig_persisted()) flags |= 0x04;
  if (wd_reset) flags |= 0x08;
  lost_latched = 0;
  firmata_send_sysex_start(DM_SYSEX_QUERY);
  uart_putc(flags);
  uart_putc(dm_config.timeout & 0x7F);
  uart_putc((dm_config.timeout >> 7) & 0x7F);
  uart_putc((dm_config.timeout >> 14) & 0x7F);
  uart_putc(lost_count & 0x7F);
  uart_putc((lost_count >> 7) & 0x7F);
  for (uint8_t i = 0; i < dm_config.count; i++) {
    const struct dm_entry *e = &dm_config.entry[i];
    uart_putc(e->pin);
    uart_putc(e->pattern);
    uart_putc(e->period & 0x7F);
    uart_putc((e->period >> 7) & 0x7F);
    uart_putc(e->level & 0x7F);
    uart_putc(e->level >> 7);
    uart_putc(e->off);
  }
  firmata_send_sysex_end();
}

void deadman_sysex(uint8_t id, uint8_t argc, const uint8_t *argv) {
  switch (id) {
    case DM_SYSEX_CONFIGURE: configure(argc, argv); break;
    case DM_SYSEX_HEARTBEAT: break; /* its bytes already counted as life */
    case DM_SYSEX_QUERY: query_reply(); break;
  }
}
