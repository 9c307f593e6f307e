/* Test helper shared by test_codec_json.c, test_codec_msgpack.c and test_msg.c: walks the WAMP
 * specification's test vectors (wamp-proto/wamp-proto testsuite/, copied to
 * ../shared/wamp-vectors beside the repository; $WD_VECTORS_DIR overrides) and turns each
 * sample's expected_attributes into the message array they describe.
 * Include after <cmocka.h>. Everything here is static: each test is one translation unit. */
#ifndef WD_TEST_VECTORS_H
#define WD_TEST_VECTORS_H

#include <dirent.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VEC_DEFAULT_DIR "../shared/wamp-vectors"

/* One serialization sample of one vector file; all pointers are borrowed from the file's
 * json_t and valid during the callback. */
struct vec_sample {
	const char *file; /* "singlemessage/basic/publish.json" */
	size_t index;     /* position in the file's samples */
	const char *desc; /* the sample's description */
	json_t *attrs;    /* expected_attributes */
	json_t *reprs;    /* serializers.<name>: a list of byte representations */
};

typedef void vec_fn(const struct vec_sample *s, void *ud);

static inline const char *vec_dir(void)
{
	const char *d = getenv("WD_VECTORS_DIR");
	return d != NULL && d[0] != '\0' ? d : VEC_DEFAULT_DIR;
}

static inline int vec_is_json_file(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

/* Calls fn for every serialization sample in singlemessage/{basic,advanced} that has bytes
 * for serializer (validation samples, which carry a "wmsg" instead, are skipped). Files are
 * visited in name order. Fails the running test if the directory or a file cannot be read:
 * the vectors are part of the test, not an optional extra. Returns the number of samples. */
static inline size_t vec_for_each(const char *serializer, vec_fn *fn, void *ud)
{
	static const char *const subdirs[] = {"singlemessage/basic", "singlemessage/advanced"};
	size_t count = 0;

	for (size_t d = 0; d < sizeof(subdirs) / sizeof(subdirs[0]); d++) {
		char path[1024];
		struct dirent **names;
		int n;

		snprintf(path, sizeof(path), "%s/%s", vec_dir(), subdirs[d]);
		if ((n = scandir(path, &names, vec_is_json_file, alphasort)) < 0)
			fail_msg("cannot read WAMP vectors in %s (set WD_VECTORS_DIR)", path);
		if (n == 0)
			fail_msg("no WAMP vector files in %s", path);
		for (int i = 0; i < n; i++) {
			char file[1400], rel[1400];
			json_error_t err;
			json_t *doc, *samples, *sample;
			size_t k;

			snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
			snprintf(rel, sizeof(rel), "%s/%s", subdirs[d], names[i]->d_name);
			if ((doc = json_load_file(file, 0, &err)) == NULL)
				fail_msg("%s: %s (line %d)", file, err.text, err.line);
			if (!json_is_array(samples = json_object_get(doc, "samples")))
				fail_msg("%s: no samples list", file);
			json_array_foreach(samples, k, sample)
			{
				json_t *reprs = json_object_get(
				        json_object_get(sample, "serializers"), serializer);
				struct vec_sample s = {
				        rel, k,
				        json_string_value(json_object_get(sample, "description")),
				        json_object_get(sample, "expected_attributes"), reprs};
				if (json_object_get(sample, "wmsg") != NULL)
					continue;
				if (!json_is_array(reprs) || json_array_size(reprs) == 0)
					continue;
				if (!json_is_object(s.attrs))
					fail_msg("%s[%zu]: no expected_attributes", rel, k);
				fn(&s, ud);
				count++;
			}
			json_decref(doc);
			free(names[i]);
		}
		free(names);
	}
	return count;
}

/* Returns the bytes of one representation ("bytes" text, else "bytes_hex", else
 * "bytes_base64") in a new malloc'd buffer; *len is its length. Fails the test if none. */
static inline uint8_t *vec_bytes(const json_t *repr, size_t *len)
{
	const json_t *v;
	uint8_t *out;

	if ((v = json_object_get(repr, "bytes")) != NULL && json_is_string(v)) {
		*len = json_string_length(v);
		out = malloc(*len + 1);
		assert_non_null(out);
		memcpy(out, json_string_value(v), *len);
		return out;
	}
	if ((v = json_object_get(repr, "bytes_hex")) != NULL && json_is_string(v)) {
		size_t n = json_string_length(v) / 2 + 1;
		out = malloc(n);
		assert_non_null(out);
		if (sodium_hex2bin(out, n, json_string_value(v), json_string_length(v), NULL, len,
		                   NULL) != 0)
			fail_msg("bad bytes_hex %s", json_string_value(v));
		return out;
	}
	if ((v = json_object_get(repr, "bytes_base64")) != NULL && json_is_string(v)) {
		size_t n = json_string_length(v) / 4 * 3 + 3;
		out = malloc(n);
		assert_non_null(out);
		if (sodium_base642bin(out, n, json_string_value(v), json_string_length(v), NULL,
		                      len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			fail_msg("bad bytes_base64 %s", json_string_value(v));
		return out;
	}
	fail_msg("representation without bytes");
	return NULL;
}

/* How one expected attribute becomes a message element. */
enum vec_kind {
	VK_END = 0,
	VK_INT,      /* integer, required */
	VK_STR,      /* string, required */
	VK_DICT,     /* object, required */
	VK_OPT_DICT, /* object, appended only when present and not null */
	VK_REST,     /* Details built from every attribute not named in the row (HELLO, WELCOME) */
	VK_TAIL,     /* payload | args [kwargs] from "payload", "args", "kwargs" */
};

struct vec_field {
	const char *attr;
	enum vec_kind kind;
};

struct vec_layout {
	int type;
	struct vec_field f[6];
};

/* Element order per message type, named by the attribute that holds each element. */
static const struct vec_layout vec_layouts[] = {
        {1, {{"realm", VK_STR}, {"details", VK_REST}}},
        {2, {{"session_id", VK_INT}, {"details", VK_REST}}},
        {3, {{"details", VK_DICT}, {"reason", VK_STR}}},
        {4, {{"method", VK_STR}, {"extra", VK_DICT}}},
        {5, {{"signature", VK_STR}, {"extra", VK_DICT}}},
        {6, {{"details", VK_DICT}, {"reason", VK_STR}}},
        {8,
         {{"request_type", VK_INT},
          {"request_id", VK_INT},
          {"details", VK_DICT},
          {"error", VK_STR},
          {NULL, VK_TAIL}}},
        {16, {{"request_id", VK_INT}, {"options", VK_DICT}, {"topic", VK_STR}, {NULL, VK_TAIL}}},
        {17, {{"request_id", VK_INT}, {"publication_id", VK_INT}}},
        {32, {{"request_id", VK_INT}, {"options", VK_DICT}, {"topic", VK_STR}}},
        {33, {{"request_id", VK_INT}, {"subscription_id", VK_INT}}},
        {34, {{"request_id", VK_INT}, {"subscription_id", VK_INT}}},
        {35, {{"request_id", VK_INT}, {"details", VK_OPT_DICT}}},
        {36,
         {{"subscription", VK_INT},
          {"publication", VK_INT},
          {"details", VK_DICT},
          {NULL, VK_TAIL}}},
        {48,
         {{"request_id", VK_INT}, {"options", VK_DICT}, {"procedure", VK_STR}, {NULL, VK_TAIL}}},
        {49, {{"request_id", VK_INT}, {"options", VK_DICT}}},
        {50, {{"request_id", VK_INT}, {"details", VK_DICT}, {NULL, VK_TAIL}}},
        {64, {{"request_id", VK_INT}, {"options", VK_DICT}, {"procedure", VK_STR}}},
        {65, {{"request_id", VK_INT}, {"registration_id", VK_INT}}},
        {66, {{"request_id", VK_INT}, {"registration_id", VK_INT}}},
        {67, {{"request_id", VK_INT}, {"details", VK_OPT_DICT}}},
        {68,
         {{"request_id", VK_INT},
          {"registration_id", VK_INT},
          {"details", VK_DICT},
          {NULL, VK_TAIL}}},
        {69, {{"request_id", VK_INT}, {"options", VK_DICT}}},
        {70, {{"request_id", VK_INT}, {"options", VK_DICT}, {NULL, VK_TAIL}}},
        {337, {{"publication_id", VK_INT}}}, /* EVENT_RECEIVED (provisional) */
};

static inline const struct vec_layout *vec_layout(int type)
{
	for (size_t i = 0; i < sizeof(vec_layouts) / sizeof(vec_layouts[0]); i++)
		if (vec_layouts[i].type == type)
			return &vec_layouts[i];
	return NULL;
}

/* Returns "\0" + base64(bytes of hex) as a new json string. */
static inline json_t *vec_binary_string(const char *hex)
{
	size_t hex_len = strlen(hex), bin_len, b64_max;
	uint8_t *bin = malloc(hex_len / 2 + 1);
	char *s;
	json_t *v;

	assert_non_null(bin);
	if (sodium_hex2bin(bin, hex_len / 2 + 1, hex, hex_len, NULL, &bin_len, NULL) != 0)
		fail_msg("bad payload hex %s", hex);
	b64_max = sodium_base64_ENCODED_LEN(bin_len, sodium_base64_VARIANT_ORIGINAL);
	s = malloc(1 + b64_max);
	assert_non_null(s);
	s[0] = '\0';
	sodium_bin2base64(s + 1, b64_max, bin, bin_len, sodium_base64_VARIANT_ORIGINAL);
	v = json_stringn(s, 1 + strlen(s + 1));
	assert_non_null(v);
	free(s);
	free(bin);
	return v;
}

static inline int vec_is_named(const struct vec_layout *l, const char *key)
{
	if (strcmp(key, "message_type") == 0)
		return 1;
	for (int i = 0; i < 6 && l->f[i].kind != VK_END; i++) {
		if (l->f[i].kind == VK_TAIL &&
		    (strcmp(key, "args") == 0 || strcmp(key, "kwargs") == 0 ||
		     strcmp(key, "payload") == 0))
			return 1;
		if (l->f[i].attr != NULL && strcmp(key, l->f[i].attr) == 0)
			return 1;
	}
	return 0;
}

/* Returns (a new reference) the message array that s->attrs describe. Fails the test on an
 * attribute it does not know, so a new kind of vector cannot pass unchecked. */
static inline json_t *vec_expected_array(const struct vec_sample *s)
{
	json_t *attrs = s->attrs, *arr = json_array(), *v;
	const struct vec_layout *l;
	const char *key;
	int type;

	assert_non_null(arr);
	if (!json_is_integer(v = json_object_get(attrs, "message_type")))
		fail_msg("%s[%zu]: no message_type", s->file, s->index);
	type = (int)json_integer_value(v);
	if ((l = vec_layout(type)) == NULL)
		fail_msg("%s[%zu]: unknown message_type %d", s->file, s->index, type);
	json_array_append_new(arr, json_integer(type));
	for (int i = 0; i < 6 && l->f[i].kind != VK_END; i++) {
		const struct vec_field *f = &l->f[i];
		v = f->attr != NULL ? json_object_get(attrs, f->attr) : NULL;
		switch (f->kind) {
		case VK_INT:
			if (!json_is_integer(v))
				fail_msg("%s[%zu]: %s not an integer", s->file, s->index, f->attr);
			json_array_append(arr, v);
			break;
		case VK_STR:
			if (!json_is_string(v))
				fail_msg("%s[%zu]: %s not a string", s->file, s->index, f->attr);
			json_array_append(arr, v);
			break;
		case VK_DICT:
			if (!json_is_object(v))
				fail_msg("%s[%zu]: %s not an object", s->file, s->index, f->attr);
			json_array_append(arr, v);
			break;
		case VK_OPT_DICT:
			if (v != NULL && !json_is_null(v))
				json_array_append(arr, v);
			break;
		case VK_REST:
			if (v != NULL) {
				json_array_append(arr, v);
			} else {
				json_t *d = json_object();
				json_object_foreach(attrs, key, v)
				{
					if (!vec_is_named(l, key))
						json_object_set(d, key, v);
				}
				json_array_append_new(arr, d);
			}
			break;
		case VK_TAIL: {
			json_t *args = json_object_get(attrs, "args");
			json_t *kwargs = json_object_get(attrs, "kwargs");
			json_t *payload = json_object_get(attrs, "payload");
			if (payload != NULL && !json_is_null(payload)) {
				if ((args != NULL && !json_is_null(args)) ||
				    (kwargs != NULL && !json_is_null(kwargs)))
					fail_msg("%s[%zu]: payload with args", s->file, s->index);
				json_array_append_new(
				        arr, vec_binary_string(json_string_value(payload)));
				break;
			}
			if (args != NULL && !json_is_null(args))
				json_array_append(arr, args);
			if (kwargs != NULL && !json_is_null(kwargs)) {
				if (args == NULL || json_is_null(args))
					json_array_append_new(arr, json_array());
				json_array_append(arr, kwargs);
			}
			break;
		}
		case VK_END:
			break;
		}
	}
	/* Every attribute must have found its element (VK_REST takes all the others). */
	json_object_foreach(attrs, key, v)
	{
		int is_rest = 0;
		for (int i = 0; i < 6; i++)
			is_rest |= l->f[i].kind == VK_REST;
		if (!is_rest && !vec_is_named(l, key))
			fail_msg("%s[%zu]: attribute %s not understood", s->file, s->index, key);
	}
	return arr;
}

/* Returns a malloc'd compact dump of v for failure messages. */
static inline char *vec_dump(const json_t *v)
{
	char *s = v != NULL ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	return s != NULL ? s : strdup("(null)");
}

#endif
