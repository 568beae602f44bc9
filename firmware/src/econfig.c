#include "econfig.h"
#include "pins.h"
#include <avr/eeprom.h>
#include <string.h>
#include <util/crc16.h>

/* Layout at EE_BASE:
 *   0 'F'  1 'L'  2 layout version (1)  3 entry count n (0..8)
 *   4..7 timeout ms, little-endian
 *   8 + 6i: pin, pattern, period lo, period hi, level, off     (i < n)
 *   8 + 6n: CRC-16 (avr-libc _crc16_update, init 0xFFFF) of the bytes before it, little-endian */
#define EE_BASE ((uint8_t *)0)
#define EE_MAGIC0 'F'
#define EE_MAGIC1 'L'
#define EE_LAYOUT 1
#define EE_MAX (8 + 6 * DM_MAX_ENTRIES + 2)

static uint8_t image[EE_MAX];
static uint8_t image_len, write_pos, persisted;

static uint16_t crc(const uint8_t *p, uint8_t n) {
  uint16_t c = 0xFFFF;
  while (n--) c = _crc16_update(c, *p++);
  return c;
}

static uint8_t serialize(const struct dm_config *c, uint8_t *b) {
  uint8_t n = 8;
  b[0] = EE_MAGIC0, b[1] = EE_MAGIC1, b[2] = EE_LAYOUT, b[3] = c->count;
  b[4] = c->timeout, b[5] = c->timeout >> 8, b[6] = c->timeout >> 16, b[7] = c->timeout >> 24;
  for (uint8_t i = 0; i < c->count; i++) {
    const struct dm_entry *e = &c->entry[i];
    b[n++] = e->pin, b[n++] = e->pattern, b[n++] = e->period, b[n++] = e->period >> 8;
    b[n++] = e->level, b[n++] = e->off;
  }
  uint16_t s = crc(b, n);
  b[n++] = s, b[n++] = s >> 8;
  return n;
}

uint8_t econfig_load(struct dm_config *c) {
  uint8_t b[EE_MAX];
  memset(c, 0, sizeof *c);
  eeprom_read_block(b, EE_BASE, 8);
  if (b[0] != EE_MAGIC0 || b[1] != EE_MAGIC1 || b[2] != EE_LAYOUT || b[3] > DM_MAX_ENTRIES) return 0;
  uint8_t n = 8 + 6 * b[3];
  eeprom_read_block(b + 8, EE_BASE + 8, n - 8 + 2);
  if (crc(b, n) != (b[n] | (uint16_t)b[n + 1] << 8)) return 0;
  struct dm_config t;
  t.count = b[3];
  t.timeout = b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
  if (t.timeout > DM_MAX_TIMEOUT) return 0;
  for (uint8_t i = 0; i < t.count; i++) {
    const uint8_t *a = b + 8 + 6 * i;
    struct dm_entry *e = &t.entry[i];
    e->pin = a[0], e->pattern = a[1], e->period = a[2] | (uint16_t)a[3] << 8, e->level = a[4], e->off = a[5];
    if (!PIN_IS_DIGITAL(e->pin) || e->pattern > DM_PULSE || e->off > 1) return 0;
  }
  *c = t;
  persisted = 1;
  return 1;
}

void econfig_save(const struct dm_config *c) {
  image_len = serialize(c, image);
  write_pos = 0;
  persisted = 0;
}

void econfig_poll(void) {
  while (write_pos < image_len) {
    if (!eeprom_is_ready()) return;
    uint8_t *addr = EE_BASE + write_pos;
    uint8_t v = image[write_pos++];
    if (eeprom_read_byte(addr) != v) {
      eeprom_write_byte(addr, v); /* starts a ~3.4 ms write and returns */
      return;
    }
  }
  if (image_len && eeprom_is_ready()) { /* the last write has finished too */
    image_len = 0;
    persisted = 1;
  }
}

uint8_t econfig_persisted(void) { return persisted; }
