/* WAMP URI rules (spec "URIs"): loose and strict, with or without empty components. */
#ifndef WD_URI_H
#define WD_URI_H

#include <stdbool.h>
#include <stddef.h>

enum wd_uri_mode {
	WD_URI_LOOSE = 0,
	WD_URI_STRICT = 1,
};

enum wd_uri_empty {
	WD_URI_NO_EMPTY = 0,   /* every component non-empty (exact topics, procedures) */
	WD_URI_LAST_EMPTY = 1, /* only the last component may be empty (prefix patterns) */
	WD_URI_ANY_EMPTY = 2,  /* any component may be empty (wildcard patterns) */
};

/* Returns true if uri is valid under mode and empty rule.
 * loose:  components have no whitespace, '.' or '#';
 * strict: components are [0-9a-z_]+. The empty string is valid only with LAST_EMPTY/ANY_EMPTY. */
bool wd_uri_check(const char *uri, enum wd_uri_mode mode, enum wd_uri_empty empty);

/* Realm names as Crossbar accepts them: ^[A-Za-z][A-Za-z0-9_\-@.]{2,254}$ */
bool wd_uri_realm_valid(const char *name);

/* Match helpers for pattern subscriptions/registrations and permissions.
 * prefix: plain string prefix. wildcard: same component count, every non-empty pattern
 * component equal. */
bool wd_uri_match_prefix(const char *pattern, const char *uri);
bool wd_uri_match_wildcard(const char *pattern, const char *uri);

#endif
