#include "protocol/ws_header.h"

#include <string.h>

size_t wd_ws_header_len(uint64_t len, int masked)
{
	size_t n = len < 126 ? 2 : len <= 0xffff ? 4 : 10;
	return masked ? n + 4 : n;
}

size_t wd_ws_header(uint8_t *out, uint8_t opcode, uint64_t len, const uint8_t *mask_key)
{
	uint8_t mask_bit = mask_key != NULL ? 0x80 : 0;
	size_t n = 2;
	out[0] = (uint8_t)(0x80 | (opcode & 0x0f)); /* FIN */
	if (len < 126) {
		out[1] = (uint8_t)(mask_bit | len);
	} else if (len <= 0xffff) {
		out[1] = mask_bit | 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		n = 4;
	} else {
		out[1] = mask_bit | 127;
		for (int i = 0; i < 8; i++)
			out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		n = 10;
	}
	if (mask_key != NULL) {
		memcpy(out + n, mask_key, 4);
		n += 4;
	}
	return n;
}
