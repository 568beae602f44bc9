/* USART0, interrupt driven, with receive and transmit ring buffers. */
#ifndef FLUXLIGHT_UART_H
#define FLUXLIGHT_UART_H
#include <stdint.h>

void uart_init(void);           /* BAUD (57600), 8N1 */
uint8_t uart_available(void);   /* bytes waiting to be read */
uint8_t uart_getc(void);        /* next byte; call only when uart_available() */
void uart_putc(uint8_t c);      /* queues; waits while the transmit buffer is full */

#endif
