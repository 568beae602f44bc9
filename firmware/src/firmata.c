#include "firmata.h"
#include "config.h"
#include "deadman.h"
#include "pins.h"
#include "uart.h"

/* message types (first byte, channel in the low nibble for 0x80..0xEF) */
#define DIGITAL_MESSAGE 0x90
#define ANALOG_MESSAGE 0xE0
#define REPORT_ANALOG 0xC0
#define REPORT_DIGITAL 0xD0
#define SET_PIN_MODE 0xF4
#define SET_DIGITAL_PIN_VALUE 0xF5
#define REPORT_VERSION 0xF9
#define SYSTEM_RESET 0xFF
/* sysex ids */
#define ANALOG_MAPPING_QUERY 0x69
#define ANALOG_MAPPING_RESPONSE 0x6A
#define CAPABILITY_QUERY 0x6B
#define CAPABILITY_RESPONSE 0x6C
#define PIN_STATE_QUERY 0x6D
#define PIN_STATE_RESPONSE 0x6E
#define EXTENDED_ANALOG 0x6F
#define REPORT_FIRMWARE 0x79
#define SAMPLING_INTERVAL 0x7A

#define SYSEX_MAX 64 /* data bytes, as StandardFirmata's MAX_DATA_BYTES */
#define MIN_SAMPLING_INTERVAL 1
#define DEFAULT_SAMPLING_INTERVAL 19

/* parser state */
static uint8_t in_sysex, sysex_len, sysex_overflow;
static uint8_t sysex_buf[SYSEX_MAX];
static uint8_t cmd, channel, need, got;
static uint8_t args[2];

/* Firmata's pin table: the mode the host set per pin, and its "state" (last value written, or
 * the pull-up); what CAPABILITY/PIN_STATE answer. Features change it through firmata_pin_*. */
static uint8_t pin_mode[TOTAL_PINS];
static uint16_t pin_state[TOTAL_PINS];
static uint32_t taken;                   /* pins a feature draws on now (firmata_pins_take) */
static uint8_t host_mode[TOTAL_PINS];    /* their modes and states as the host had set them */
static uint16_t host_state[TOTAL_PINS];

/* reporting state */
static uint8_t report_port[TOTAL_PORTS]; /* REPORT_DIGITAL enabled per port */
static uint8_t port_inputs[TOTAL_PORTS]; /* pins in INPUT/PULLUP mode per port */
static uint8_t prev_port[TOTAL_PORTS];
static uint8_t analog_report; /* bit per analog channel */
static uint16_t sampling_interval = DEFAULT_SAMPLING_INTERVAL;
static uint32_t last_sample;
static uint8_t resetting;

static void send3(uint8_t a, uint8_t b, uint8_t c) {
  uart_putc(a);
  uart_putc(b);
  uart_putc(c);
}

void firmata_send_sysex_start(uint8_t id) {
  uart_putc(START_SYSEX);
  uart_putc(id);
}

void firmata_send_sysex_end(void) { uart_putc(END_SYSEX); }

static void send_version(void) { send3(REPORT_VERSION, FIRMATA_PROTOCOL_MAJOR, FIRMATA_PROTOCOL_MINOR); }

static void send_firmware(void) {
  static const char name[] = FW_NAME;
  firmata_send_sysex_start(REPORT_FIRMWARE);
  uart_putc(FW_VERSION_MAJOR);
  uart_putc(FW_VERSION_MINOR);
  for (uint8_t i = 0; i < sizeof name - 1; i++) { /* each char as two 7-bit bytes, LSB first */
    uart_putc(name[i] & 0x7F);
    uart_putc((name[i] >> 7) & 0x7F);
  }
  firmata_send_sysex_end();
}

static void send_analog(uint8_t ch, uint16_t v) { send3(ANALOG_MESSAGE | ch, v & 0x7F, (v >> 7) & 0x7F); }

static uint8_t read_port_inputs(uint8_t port) {
  uint8_t v = 0;
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t p = port * 8 + i;
    if (p >= TOTAL_PINS) break;
    /* a pin a feature has taken is an output for now: what it reads is not the host's input */
    if ((port_inputs[port] & (1 << i)) && !(taken & PIN_BIT(p)) && pin_read(p)) v |= (uint8_t)(1 << i);
  }
  return v;
}

static void send_port(uint8_t port, uint8_t v) { send3(DIGITAL_MESSAGE | port, v & 0x7F, v >> 7); }

static void report_analog(uint8_t ch, uint8_t on) {
  if (ch >= TOTAL_ANALOG) return;
  if (!on) {
    analog_report &= (uint8_t)~(1 << ch);
  } else {
    analog_report |= (uint8_t)(1 << ch);
    if (!resetting) send_analog(ch, analog_read(ch));
  }
}

static void report_digital(uint8_t port, uint8_t on) {
  if (port >= TOTAL_PORTS) return;
  report_port[port] = on;
  if (on) {
    prev_port[port] = read_port_inputs(port);
    send_port(port, prev_port[port]);
  }
}

/* What CAPABILITY_QUERY lists, and all that SET_PIN_MODE accepts. */
static uint8_t pin_supports(uint8_t p, uint8_t mode) {
  switch (mode) {
    case MODE_INPUT:
    case MODE_PULLUP:
    case MODE_OUTPUT: return PIN_IS_DIGITAL(p);
    case MODE_ANALOG: return PIN_IS_ANALOG(p);
    case MODE_PWM: return pin_is_pwm(p);
    default: return 0;
  }
}

static void set_pin_mode(uint8_t p, uint8_t mode) {
  if (p >= TOTAL_PINS || !pin_supports(p, mode)) return; /* refused: nothing changes */
  /* as StandardFirmata: an analog pin reports while in ANALOG mode, and only then */
  if (PIN_IS_ANALOG(p)) report_analog(PIN_TO_ANALOG(p), mode == MODE_ANALOG);
  uint8_t bit = (uint8_t)(1 << (p & 7));
  if (mode == MODE_INPUT || mode == MODE_PULLUP) port_inputs[p / 8] |= bit;
  else port_inputs[p / 8] &= (uint8_t)~bit;
  switch (mode) {
    case MODE_ANALOG: pin_input(p, 0); break;
    case MODE_INPUT:
    case MODE_PULLUP: pin_input(p, mode == MODE_PULLUP); break;
    case MODE_OUTPUT:
      if (pin_mode[p] == MODE_PWM) pin_write(p, 0);
      pin_output(p);
      break;
    case MODE_PWM: pin_pwm(p, 0); break;
  }
  pin_mode[p] = mode;
  pin_state[p] = mode == MODE_PULLUP ? 1 : 0;
}

void firmata_pin_draw(uint8_t p, uint8_t duty) {
  pin_pwm(p, duty);
  pin_state[p] = pin_mode[p] == MODE_PWM ? duty : duty >= 128;
}

static uint8_t drives(uint8_t p) { return pin_mode[p] == MODE_OUTPUT || pin_mode[p] == MODE_PWM; }

void firmata_pins_take(uint32_t pins) {
  taken = pins;
  for (uint8_t p = 2; p < TOTAL_PINS; p++) {
    if (pins & PIN_BIT(p)) {
      host_mode[p] = pin_mode[p];
      host_state[p] = pin_state[p];
      if (!drives(p)) pin_mode[p] = MODE_OUTPUT; /* the feature drives it from now on */
    } else if (drives(p)) { /* no colour the host left on survives */
      pin_write(p, 0);
      pin_state[p] = 0;
    }
  }
}

void firmata_pins_give_back(void) {
  for (uint8_t p = 2; p < TOTAL_PINS; p++) {
    if (!(taken & PIN_BIT(p)) || pin_mode[p] == host_mode[p]) continue;
    /* the host had it as an input (INPUT, PULLUP, ANALOG): an input again, its pull-up as it
     * was (a 1 written to an INPUT pin turned it on); analog reporting was never changed */
    uint8_t m = host_mode[p];
    pin_input(p, m == MODE_PULLUP || (m == MODE_INPUT && host_state[p]));
    pin_mode[p] = m;
    pin_state[p] = host_state[p];
  }
  taken = 0;
}

static void digital_port_write(uint8_t port, uint8_t value) {
  for (uint8_t i = 0; i < 8; i++) {
    uint8_t p = port * 8 + i;
    if (p >= TOTAL_PINS) break;
    if (!PIN_IS_DIGITAL(p)) continue;
    uint8_t v = (value >> i) & 1;
    if (pin_mode[p] == MODE_OUTPUT) {
      pin_write(p, v);
      pin_state[p] = v;
    } else if (pin_mode[p] == MODE_INPUT) {
      /* legacy: writing 1 to an input turns its pull-up on (the mode stays INPUT) */
      if (v && pin_state[p] != 1) pin_input(p, 1);
      pin_state[p] = v;
    }
  }
}

static void analog_write(uint8_t p, uint16_t value) {
  if (p >= TOTAL_PINS || pin_mode[p] != MODE_PWM) return;
  pin_pwm(p, value > 255 ? 255 : (uint8_t)value);
  pin_state[p] = value;
}

static void system_reset(void) {
  resetting = 1;
  in_sysex = 0;
  need = 0;
  for (uint8_t i = 0; i < TOTAL_PORTS; i++) report_port[i] = port_inputs[i] = prev_port[i] = 0;
  for (uint8_t p = 0; p < TOTAL_PINS; p++) {
    if (PIN_IS_ANALOG(p)) set_pin_mode(p, MODE_ANALOG);
    else if (PIN_IS_DIGITAL(p)) set_pin_mode(p, MODE_OUTPUT);
  }
  analog_report = 0;
  resetting = 0;
}

static void capability_response(void) {
  firmata_send_sysex_start(CAPABILITY_RESPONSE);
  static const uint8_t modes[][2] = {
      {MODE_INPUT, 1}, {MODE_PULLUP, 1}, {MODE_OUTPUT, 1}, {MODE_ANALOG, 10}, {MODE_PWM, 8}};
  for (uint8_t p = 0; p < TOTAL_PINS; p++) {
    for (uint8_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
      if (pin_supports(p, modes[i][0])) uart_putc(modes[i][0]), uart_putc(modes[i][1]);
    uart_putc(0x7F);
  }
  firmata_send_sysex_end();
}

static void analog_mapping_response(void) {
  firmata_send_sysex_start(ANALOG_MAPPING_RESPONSE);
  for (uint8_t p = 0; p < TOTAL_PINS; p++) uart_putc(PIN_IS_ANALOG(p) ? PIN_TO_ANALOG(p) : 0x7F);
  firmata_send_sysex_end();
}

static void pin_state_response(uint8_t p) {
  if (p >= TOTAL_PINS) return;
  uint16_t s = pin_state[p];
  firmata_send_sysex_start(PIN_STATE_RESPONSE);
  uart_putc(p);
  uart_putc(pin_mode[p]);
  uart_putc(s & 0x7F);
  if (s & 0xFF80) uart_putc((s >> 7) & 0x7F);
  if (s & 0xC000) uart_putc((s >> 14) & 0x03);
  firmata_send_sysex_end();
}

static void sysex(uint8_t id, uint8_t argc, const uint8_t *argv) {
  switch (id) {
    case REPORT_FIRMWARE: send_firmware(); break;
    case CAPABILITY_QUERY: capability_response(); break;
    case ANALOG_MAPPING_QUERY: analog_mapping_response(); break;
    case PIN_STATE_QUERY:
      if (argc >= 1) pin_state_response(argv[0]);
      break;
    case EXTENDED_ANALOG:
      if (argc >= 2) {
        uint16_t v = argv[1];
        if (argc > 2) v |= (uint16_t)argv[2] << 7;
        if (argc > 3) v |= (uint16_t)argv[3] << 14;
        analog_write(argv[0], v);
      }
      break;
    case SAMPLING_INTERVAL:
      if (argc >= 2) {
        sampling_interval = argv[0] | (uint16_t)argv[1] << 7;
        if (sampling_interval < MIN_SAMPLING_INTERVAL) sampling_interval = MIN_SAMPLING_INTERVAL;
      }
      break;
    default:
      deadman_sysex(id, argc, argv); /* fluxlight's own ids; anything else is ignored */
      break;
  }
}

static void execute(void) {
  switch (cmd) {
    case DIGITAL_MESSAGE: digital_port_write(channel, args[0] | args[1] << 7); break;
    case ANALOG_MESSAGE: analog_write(channel, args[0] | (uint16_t)args[1] << 7); break;
    case SET_PIN_MODE: set_pin_mode(args[0], args[1]); break;
    case SET_DIGITAL_PIN_VALUE:
      if (args[0] < TOTAL_PINS && PIN_IS_DIGITAL(args[0]) && pin_mode[args[0]] == MODE_OUTPUT) {
        pin_state[args[0]] = args[1] ? 1 : 0;
        pin_write(args[0], args[1]);
      }
      break;
    case REPORT_ANALOG: report_analog(channel, args[0]); break;
    case REPORT_DIGITAL: report_digital(channel, args[0]); break;
  }
}

void firmata_byte(uint8_t b) {
  if (in_sysex) {
    if (b == END_SYSEX) {
      in_sysex = 0;
      if (!sysex_overflow && sysex_len > 0) sysex(sysex_buf[0], sysex_len - 1, sysex_buf + 1);
      return;
    }
    if (b < 0x80) {
      if (sysex_len < SYSEX_MAX) sysex_buf[sysex_len++] = b;
      else sysex_overflow = 1; /* too long for us: dropped at END_SYSEX */
      return;
    }
    in_sysex = 0; /* a command byte inside a sysex: the sysex was cut short; obey the command */
  } else if (b < 0x80) {
    if (need) {
      args[got++] = b;
      if (got == need) {
        need = 0;
        execute();
      }
    }
    return; /* a data byte with no command waiting for it is ignored */
  }

  need = got = 0;
  uint8_t type = b < 0xF0 ? (b & 0xF0) : b;
  channel = b & 0x0F;
  switch (type) {
    case DIGITAL_MESSAGE:
    case ANALOG_MESSAGE:
    case SET_PIN_MODE:
    case SET_DIGITAL_PIN_VALUE:
      cmd = type;
      need = 2;
      break;
    case REPORT_ANALOG:
    case REPORT_DIGITAL:
      cmd = type;
      need = 1;
      break;
    case START_SYSEX:
      in_sysex = 1;
      sysex_len = 0;
      sysex_overflow = 0;
      break;
    case SYSTEM_RESET: system_reset(); break;
    case REPORT_VERSION: send_version(); break;
  }
}

void firmata_poll(uint32_t now) {
  for (uint8_t port = 0; port < TOTAL_PORTS; port++) {
    if (!report_port[port]) continue;
    uint8_t v = read_port_inputs(port);
    if (v != prev_port[port]) {
      prev_port[port] = v;
      send_port(port, v);
    }
  }
  if (now - last_sample >= sampling_interval) {
    last_sample = now;
    for (uint8_t ch = 0; ch < TOTAL_ANALOG; ch++) {
      uint8_t p = ch + 14;
      if ((analog_report & (1 << ch)) && pin_mode[p] == MODE_ANALOG) send_analog(ch, analog_read(ch));
    }
  }
}

void firmata_init(void) {
  send_version();
  send_firmware();
  system_reset();
}
