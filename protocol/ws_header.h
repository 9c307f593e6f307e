/* WebSocket frame headers (RFC 6455 §5.2) for whole, unfragmented frames. */
#ifndef WD_WS_HEADER_H
#define WD_WS_HEADER_H

#include <stddef.h>
#include <stdint.h>

/* The longest header: 2 + 8 length bytes + 4 mask bytes. */
#define WD_WS_HEADER_MAX 14

/* Returns the header length of a frame with a payload of len bytes (mask key or not). */
size_t wd_ws_header_len(uint64_t len, int masked);

/* Writes the header of a final frame with opcode and a payload of len bytes to out (room for
 * WD_WS_HEADER_MAX). mask_key: the 4-byte key of a client frame, or NULL (server frames are
 * never masked). Returns the header length. */
size_t wd_ws_header(uint8_t *out, uint8_t opcode, uint64_t len, const uint8_t *mask_key);

#endif
