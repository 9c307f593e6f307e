/* WAMP URI checks and pattern matching: a hand-written scanner for the spec's regular
 * expressions, one pass over the string, no allocation. */
#include "protocol/uri.h"

#include <string.h>

/* Length of the UTF-8 encoded whitespace character at s, or 0 if s does not start with one.
 * "Whitespace" is what Python's \s matches in a str pattern (Crossbar and Autobahn check URIs
 * with Python regular expressions): the ASCII set \t \n \v \f \r, space, the separators
 * U+001C..U+001F, and the Unicode spaces U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F and U+3000. A byte after s[0] is read only when every byte before
 * it matched a non-zero value, so the scan never reads past the terminating NUL. */
static size_t space_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f))
		return 1;
	if (c == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (c == 0xe1 && s[1] == 0x9a && s[2] == 0x80)
		return 3;
	if (c == 0xe2 && s[1] == 0x80 &&
	    ((s[2] >= 0x80 && s[2] <= 0x8a) || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf))
		return 3;
	if (c == 0xe2 && s[1] == 0x81 && s[2] == 0x9f)
		return 3;
	if (c == 0xe3 && s[1] == 0x80 && s[2] == 0x80)
		return 3;
	return 0;
}

static bool strict_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_';
}

bool wd_uri_check(const char *uri, enum wd_uri_mode mode, enum wd_uri_empty empty)
{
	const unsigned char *p = (const unsigned char *)uri;
	size_t comp_len = 0; /* bytes in the component being scanned */

	if (uri == NULL)
		return false;
	for (;; p++) {
		unsigned char c = *p;
		/* The common case first: a character that is plainly part of a component. */
		if (mode == WD_URI_STRICT ? strict_char(c)
					  : (c > ' ' && c < 0x80 && c != '#' && c != '.')) {
			comp_len++;
			continue;
		}
		if (c == '.' || c == '\0') {
			bool is_last = c == '\0';
			if (comp_len == 0) {
				/* NO_EMPTY: never. LAST_EMPTY: only the final component (so "" and
				 * "a." pass, "." and "a..b" do not). ANY_EMPTY: always. */
				if (empty == WD_URI_NO_EMPTY)
					return false;
				if (empty == WD_URI_LAST_EMPTY && !is_last)
					return false;
			}
			if (is_last)
				return true;
			comp_len = 0;
			continue;
		}
		/* Strict mode allows nothing else; loose mode refuses '#' and whitespace. */
		if (mode == WD_URI_STRICT || c == '#' || space_len(p) > 0)
			return false;
		comp_len++;
	}
}

static bool realm_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '@' || c == '.';
}

bool wd_uri_realm_valid(const char *name)
{
	size_t n;

	if (name == NULL)
		return false;
	if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')))
		return false;
	/* Total length 3..255: the first letter plus {2,254} more. */
	for (n = 1; name[n] != '\0'; n++) {
		if (n >= 255 || !realm_char((unsigned char)name[n]))
			return false;
	}
	return n >= 3;
}

bool wd_uri_match_prefix(const char *pattern, const char *uri)
{
	if (pattern == NULL || uri == NULL)
		return false;
	return strncmp(uri, pattern, strlen(pattern)) == 0;
}

bool wd_uri_match_wildcard(const char *pattern, const char *uri)
{
	const char *p = pattern, *u = uri;

	if (pattern == NULL || uri == NULL)
		return false;
	/* Walk both strings one component at a time. Each loop turn starts at the beginning of a
	 * component of each string. */
	for (;;) {
		const char *pe = p, *ue = u;
		while (*pe != '.' && *pe != '\0')
			pe++;
		while (*ue != '.' && *ue != '\0')
			ue++;
		/* An empty pattern component matches any uri component, even an empty one. */
		if (pe != p && (pe - p != ue - u || memcmp(p, u, (size_t)(pe - p)) != 0))
			return false;
		if (*pe == '\0' || *ue == '\0')
			return *pe == '\0' && *ue == '\0'; /* same component count */
		p = pe + 1;
		u = ue + 1;
	}
}
