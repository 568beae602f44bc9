/* The dead-man's configuration in EEPROM: magic, layout version, CRC-16; written in the
 * background one byte at a time, so that the serial link never stalls on EEPROM writes. */
#ifndef FLUXLIGHT_ECONFIG_H
#define FLUXLIGHT_ECONFIG_H
#include <stdint.h>
#include "deadman.h"

uint8_t econfig_load(struct dm_config *c); /* 1 = a valid config was read; else c is cleared */
void econfig_save(const struct dm_config *c);
void econfig_poll(void);                   /* advances a pending save */
uint8_t econfig_persisted(void);           /* EEPROM holds the config last loaded or saved */

#endif
