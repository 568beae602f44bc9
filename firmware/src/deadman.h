/* The dead-man's switch: once configured, if no byte comes from the host for the timeout,
 * the firmware draws "host lost" by itself, and hands the pins back on the next byte.
 * Wire format: see firmware/README.md (sysex 0x01 CONFIGURE, 0x02 HEARTBEAT, 0x03 QUERY). */
#ifndef FLUXLIGHT_DEADMAN_H
#define FLUXLIGHT_DEADMAN_H
#include <stdint.h>

#define DM_SYSEX_CONFIGURE 0x01
#define DM_SYSEX_HEARTBEAT 0x02
#define DM_SYSEX_QUERY 0x03

#define DM_MAX_ENTRIES 8
#define DM_MAX_TIMEOUT 0x1FFFFFUL /* 21 bits: three 7-bit groups */
#define DM_DEFAULT_PERIOD 1000

enum dm_pattern { DM_OFF = 0, DM_SOLID = 1, DM_BLINK = 2, DM_PULSE = 3 };

struct dm_entry {
  uint8_t pin;      /* 2..19 */
  uint8_t pattern;  /* enum dm_pattern */
  uint16_t period;  /* ms, for blink/pulse; 0 = DM_DEFAULT_PERIOD */
  uint8_t level;    /* brightness 0..255 when lit */
  uint8_t off;      /* the pin's dark level: 0 = LOW (common cathode), 1 = HIGH (common anode) */
};

struct dm_config {
  uint32_t timeout; /* ms; 0 = disarmed */
  uint8_t count;
  struct dm_entry entry[DM_MAX_ENTRIES];
};

extern struct dm_config dm_config;

/* dm_config already loaded; watchdog_reset: this run began with a watchdog reset (QUERY flag 3) */
void deadman_init(uint32_t now_ms, uint8_t watchdog_reset);
void deadman_host_byte(uint32_t now_ms);     /* any byte from the host: alive */
void deadman_poll(uint32_t now_ms, uint8_t hold_off); /* hold_off: self-test still running */
void deadman_sysex(uint8_t id, uint8_t argc, const uint8_t *argv);
/* drive one configured pin at a brightness (0 = dark), honouring its off level */
void deadman_drive(const struct dm_entry *e, uint8_t brightness);

#endif
