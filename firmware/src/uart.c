#include "uart.h"
#include "config.h"
#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

#define RX_SIZE 128 /* powers of two */
#define TX_SIZE 64

static volatile uint8_t rx_buf[RX_SIZE];
static volatile uint8_t rx_head, rx_tail;
static volatile uint8_t tx_buf[TX_SIZE];
static volatile uint8_t tx_head, tx_tail;

ISR(USART_RX_vect) {
  uint8_t c = UDR0;
  uint8_t next = (rx_head + 1) & (RX_SIZE - 1);
  if (next != rx_tail) { /* full: drop the byte, as the Arduino core does */
    rx_buf[rx_head] = c;
    rx_head = next;
  }
}

static void tx_one(void) {
  UDR0 = tx_buf[tx_tail];
  tx_tail = (tx_tail + 1) & (TX_SIZE - 1);
  if (tx_head == tx_tail) UCSR0B &= ~_BV(UDRIE0);
}

ISR(USART_UDRE_vect) { tx_one(); }

void uart_init(void) {
  /* double speed, as the Arduino core: UBRR = F_CPU/8/BAUD - 1, rounded (34 at 16 MHz) */
  UCSR0A = _BV(U2X0);
  UBRR0 = (uint16_t)(((F_CPU) + 4UL * (BAUD)) / (8UL * (BAUD)) - 1);
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00);
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

uint8_t uart_available(void) {
  return (uint8_t)(rx_head - rx_tail) & (RX_SIZE - 1);
}

uint8_t uart_getc(void) {
  uint8_t c = rx_buf[rx_tail];
  rx_tail = (rx_tail + 1) & (RX_SIZE - 1);
  return c;
}

void uart_putc(uint8_t c) {
  uint8_t next = (tx_head + 1) & (TX_SIZE - 1);
  while (next == tx_tail) {
    /* Buffer full. With interrupts off nobody drains it: do it by hand. */
    if (!(SREG & _BV(SREG_I)) && (UCSR0A & _BV(UDRE0))) tx_one();
  }
  tx_buf[tx_head] = c;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) {
    tx_head = next;
    UCSR0B |= _BV(UDRIE0);
  }
}
