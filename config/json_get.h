/* Optional members of checked config objects, read with Crossbar's defaults (build*.c). */
#ifndef WD_CONFIG_JSON_GET_H
#define WD_CONFIG_JSON_GET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* obj[key] if it is a JSON boolean, else dflt. obj may be NULL. */
static inline bool get_bool(const json_t *obj, const char *key, bool dflt)
{
	const json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* obj[key] if it is an integer 0..UINT32_MAX, else dflt. obj may be NULL. */
static inline uint32_t get_u32(const json_t *obj, const char *key, uint32_t dflt)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX)
		return dflt;
	return (uint32_t)json_integer_value(v);
}

#endif
