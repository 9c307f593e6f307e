/* UTF-8 validity, with the rules jansson applies to JSON text (no overlong forms, no
 * surrogates, nothing above U+10FFFF). */
#ifndef WD_UTF8_H
#define WD_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns the length (2-4) of the valid multi-byte sequence at p[0..n), or 0 if p[0] does not
 * start one (ASCII included). */
size_t wd_utf8_seq(const uint8_t *p, size_t n);

/* Returns true if p[0..n) is valid UTF-8. NUL bytes are valid. */
bool wd_utf8_valid(const uint8_t *p, size_t n);

#endif
