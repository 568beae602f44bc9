/* Build-wide constants: versions, name, board shape. */
#ifndef FLUXLIGHT_CONFIG_H
#define FLUXLIGHT_CONFIG_H

/* Firmware report (QUERY_FIRMWARE, sysex 0x79): name and version 0.2 (firmware/README.md says
 * what each version added). */
#define FW_NAME "fluxlight"
#define FW_VERSION_MAJOR 0
#define FW_VERSION_MINOR 2

/* Firmata protocol version reported by REPORT_VERSION (0xF9). */
#define FIRMATA_PROTOCOL_MAJOR 2
#define FIRMATA_PROTOCOL_MINOR 5

#ifndef BAUD
#define BAUD 57600
#endif

/* Arduino Uno numbering: 0..7 = PD0..7, 8..13 = PB0..5, 14..19 = PC0..5 (A0..A5). */
#define TOTAL_PINS 20
#define TOTAL_PORTS 3 /* Firmata 8-pin ports */
#define TOTAL_ANALOG 6

#endif
