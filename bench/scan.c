/* Hand-written skipping of json and msgpack values. Only structure is checked (brackets,
 * string ends, lengths); the router's codecs are the strict ones. */
#include "bench/scan.h"

#include <string.h>

/* ---- json ---- */

static const uint8_t *j_ws(const uint8_t *p, const uint8_t *e)
{
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* p is just past the opening quote; returns the byte after the closing quote or NULL. */
static const uint8_t *j_str_end(const uint8_t *p, const uint8_t *e)
{
	while (p < e) {
		const uint8_t *q = memchr(p, '"', (size_t)(e - p));
		if (q == NULL)
			return NULL;
		/* An odd number of backslashes before the quote escapes it. */
		size_t bs = 0;
		while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
			bs++;
		if ((bs & 1) == 0)
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

static const uint8_t *j_skip(const uint8_t *p, const uint8_t *e)
{
	if (p >= e)
		return NULL;
	if (*p == '"')
		return j_str_end(p + 1, e);
	if (*p == '[' || *p == '{') {
		unsigned depth = 0;
		while (p < e) {
			uint8_t c = *p;
			if (c == '"') {
				if ((p = j_str_end(p + 1, e)) == NULL)
					return NULL;
				continue;
			}
			if (c == '[' || c == '{') {
				depth++;
			} else if (c == ']' || c == '}') {
				if (--depth == 0)
					return p + 1;
			}
			p++;
		}
		return NULL;
	}
	while (p < e && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n' &&
	       *p != '\r' && *p != '\t')
		p++;
	return p;
}

/* Parses an integer token at p: on success *end is just past its digits and the next byte
 * (if any) ends the token. Returns false for anything else (reals, literals, overflow). */
static bool j_num(const uint8_t *p, const uint8_t *e, const uint8_t **end, int64_t *out)
{
	bool neg = false;
	if (p < e && *p == '-') {
		neg = true;
		p++;
	}
	if (p >= e || *p < '0' || *p > '9')
		return false;
	uint64_t v = 0;
	const uint8_t *start = p;
	for (; p < e && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint64_t)(*p - '0');
	/* 19 digits cannot wrap a uint64; more are never an int64. */
	if (p - start > 19 || v > (uint64_t)INT64_MAX)
		return false;
	if (p < e && *p != ',' && *p != ']' && *p != '}' && *p != ' ' && *p != '\n' &&
	    *p != '\r' && *p != '\t')
		return false;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*end = p;
	return true;
}

/* Splits an array into s (ints == NULL; at most max_el elements, the last of which is not
 * skipped) or reads its leading integers into ints. */
static int j_array(const uint8_t *p, size_t len, struct wd_scan *s, int max_el, int64_t *ints,
		   int n_ints)
{
	const uint8_t *e = p + len;
	int n = 0;
	p = j_ws(p, e);
	if (p >= e || *p != '[')
		return -1;
	p = j_ws(p + 1, e);
	if (p < e && *p == ']') {
		p++;
		goto done;
	}
	for (;;) {
		const uint8_t *start = p, *end;
		int64_t v;
		bool is_int = j_num(p, e, &end, &v);
		if (ints != NULL) {
			if (n >= n_ints || !is_int)
				return n; /* the rest (padding) is never looked at */
			ints[n] = v;
		} else if (n < max_el) {
			struct wd_scan_el *el = &s->el[n];
			el->p = start;
			el->is_int = is_int;
			el->ival = is_int ? v : 0;
			if (n == max_el - 1) { /* enough: the caller reads only this element's start */
				el->len = (size_t)(e - start);
				s->n = n + 1;
				return 0;
			}
		}
		if (!is_int && (end = j_skip(p, e)) == NULL)
			return -1;
		if (ints == NULL && n < max_el)
			s->el[n].len = (size_t)(end - start);
		n++;
		p = j_ws(end, e);
		if (p >= e)
			return -1;
		if (*p == ']') {
			p++;
			break;
		}
		if (*p != ',')
			return -1;
		p = j_ws(p + 1, e);
	}
done:
	if (ints != NULL)
		return n;
	if (j_ws(p, e) != e)
		return -1;
	s->n = n < max_el ? n : max_el;
	return 0;
}

/* ---- msgpack ---- */

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Reads one header at p: *skip = bytes of header + inline body, *children = nested values.
 * Returns false on truncation or an unknown type byte. */
static bool m_head(const uint8_t *p, const uint8_t *e, uint64_t *skip, uint64_t *children)
{
	if (p >= e)
		return false;
	uint8_t c = *p;
	size_t avail = (size_t)(e - p);
	*children = 0;
	if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3) {
		*skip = 1;
	} else if (c >= 0x80 && c <= 0x8f) {
		*skip = 1;
		*children = 2u * (c & 0x0f);
	} else if (c >= 0x90 && c <= 0x9f) {
		*skip = 1;
		*children = c & 0x0f;
	} else if (c >= 0xa0 && c <= 0xbf) {
		*skip = 1u + (c & 0x1f);
	} else {
		static const uint8_t lenbytes[] = {
			[0xc4 - 0xc4] = 1, [0xc5 - 0xc4] = 2, [0xc6 - 0xc4] = 4, /* bin */
			[0xd9 - 0xc4] = 1, [0xda - 0xc4] = 2, [0xdb - 0xc4] = 4, /* str */
		};
		switch (c) {
		case 0xc4: case 0xc5: case 0xc6: case 0xd9: case 0xda: case 0xdb: {
			int lb = lenbytes[c - 0xc4];
			if (avail < 1u + (size_t)lb)
				return false;
			*skip = 1u + (uint64_t)lb + be(p + 1, lb);
			break;
		}
		case 0xc7: case 0xc8: case 0xc9: { /* ext: length, type byte, data */
			int lb = c == 0xc7 ? 1 : c == 0xc8 ? 2 : 4;
			if (avail < 1u + (size_t)lb)
				return false;
			*skip = 2u + (uint64_t)lb + be(p + 1, lb);
			break;
		}
		case 0xca: *skip = 5; break;
		case 0xcb: *skip = 9; break;
		case 0xcc: case 0xd0: *skip = 2; break;
		case 0xcd: case 0xd1: *skip = 3; break;
		case 0xce: case 0xd2: *skip = 5; break;
		case 0xcf: case 0xd3: *skip = 9; break;
		case 0xd4: *skip = 3; break;
		case 0xd5: *skip = 4; break;
		case 0xd6: *skip = 6; break;
		case 0xd7: *skip = 10; break;
		case 0xd8: *skip = 18; break;
		case 0xdc: case 0xdd: case 0xde: case 0xdf: {
			int lb = (c == 0xdc || c == 0xde) ? 2 : 4;
			if (avail < 1u + (size_t)lb)
				return false;
			*skip = 1u + (uint64_t)lb;
			*children = be(p + 1, lb) * ((c >= 0xde) ? 2u : 1u);
			break;
		}
		default:
			return false;
		}
	}
	return *skip <= avail;
}

static const uint8_t *m_skip(const uint8_t *p, const uint8_t *e)
{
	uint64_t pending = 1;
	while (pending > 0) {
		uint64_t skip, children;
		if (!m_head(p, e, &skip, &children))
			return NULL;
		p += skip;
		pending = pending - 1 + children;
		if (pending > (uint64_t)(e - p))
			return NULL; /* each pending value needs at least one byte */
	}
	return p;
}

static bool m_int(const uint8_t *p, const uint8_t *e, int64_t *out)
{
	if (p >= e)
		return false;
	uint8_t c = *p;
	size_t avail = (size_t)(e - p);
	if (c <= 0x7f) {
		*out = c;
		return true;
	}
	if (c >= 0xe0) {
		*out = (int8_t)c;
		return true;
	}
	int n;
	switch (c) {
	case 0xcc: case 0xd0: n = 1; break;
	case 0xcd: case 0xd1: n = 2; break;
	case 0xce: case 0xd2: n = 4; break;
	case 0xcf: case 0xd3: n = 8; break;
	default: return false;
	}
	if (avail < 1u + (size_t)n)
		return false;
	uint64_t v = be(p + 1, n);
	if (c >= 0xd0) { /* signed: sign-extend */
		if (n < 8 && (v >> (8 * n - 1)) & 1)
			v |= ~UINT64_C(0) << (8 * n);
		*out = (int64_t)v;
		return true;
	}
	if (v > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)v;
	return true;
}

static int m_array(const uint8_t *p, size_t len, struct wd_scan *s, int max_el, int64_t *ints,
		   int n_ints)
{
	const uint8_t *e = p + len;
	uint64_t skip, count;
	if (!m_head(p, e, &skip, &count))
		return -1;
	if (!((*p >= 0x90 && *p <= 0x9f) || *p == 0xdc || *p == 0xdd))
		return -1;
	p += skip;
	int n = 0;
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *start = p;
		if (ints != NULL) {
			if (n >= n_ints || !m_int(start, e, &ints[n]))
				return n;
			n++;
			if ((p = m_skip(p, e)) == NULL)
				return -1;
			continue;
		}
		if (n == max_el - 1) { /* enough: the caller reads only this element's start */
			struct wd_scan_el *el = &s->el[n];
			el->p = start;
			el->len = (size_t)(e - start);
			el->is_int = m_int(start, e, &el->ival);
			s->n = n + 1;
			return 0;
		}
		if ((p = m_skip(p, e)) == NULL)
			return -1;
		if (n < max_el) {
			struct wd_scan_el *el = &s->el[n];
			el->p = start;
			el->len = (size_t)(p - start);
			el->is_int = m_int(start, p, &el->ival);
		}
		n++;
	}
	if (ints != NULL)
		return n;
	if (p != e)
		return -1;
	s->n = n < max_el ? n : max_el;
	return 0;
}

int wd_scan_msg(bool is_msgpack, const uint8_t *p, size_t len, int max_el, struct wd_scan *out)
{
	if (max_el < 1 || max_el > WD_SCAN_MAX_EL)
		max_el = WD_SCAN_MAX_EL;
	return is_msgpack ? m_array(p, len, out, max_el, NULL, 0)
			  : j_array(p, len, out, max_el, NULL, 0);
}

int wd_scan_ints(bool is_msgpack, const uint8_t *p, size_t len, int64_t *out, int n)
{
	return is_msgpack ? m_array(p, len, NULL, 0, out, n) : j_array(p, len, NULL, 0, out, n);
}
