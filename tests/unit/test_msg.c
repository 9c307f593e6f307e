/* Unit tests for protocol/msg.c: message shapes per type, typed fields, and the WAMP spec's
 * vectors parsed after JSON and msgpack decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "protocol/codec.h"
#include "protocol/error.h"
#include "protocol/msg.h"
#include "vectors.h"

/* Decodes JSON text (must be valid JSON) and parses it; returns wd_msg_parse's result. *root
 * receives the decoded value (caller decrefs) when root is not NULL. */
static int parse_text(const char *text, struct wd_msg *m, json_t **root)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
	struct wd_msg scratch;
	int rc;

	if (v == NULL)
		fail_msg("test JSON %s: %s", text, err.text);
	rc = wd_msg_parse(v, m != NULL ? m : &scratch);
	if (root != NULL)
		*root = v;
	else
		json_decref(v);
	return rc;
}

static void msg_type_names_match_spec(void **state)
{
	static const struct {
		int type;
		const char *name;
	} names[] = {
	        {1, "HELLO"},         {2, "WELCOME"},     {3, "ABORT"},       {4, "CHALLENGE"},
	        {5, "AUTHENTICATE"},  {6, "GOODBYE"},     {8, "ERROR"},       {16, "PUBLISH"},
	        {17, "PUBLISHED"},    {32, "SUBSCRIBE"},  {33, "SUBSCRIBED"}, {34, "UNSUBSCRIBE"},
	        {35, "UNSUBSCRIBED"}, {36, "EVENT"},      {48, "CALL"},       {49, "CANCEL"},
	        {50, "RESULT"},       {64, "REGISTER"},   {65, "REGISTERED"}, {66, "UNREGISTER"},
	        {67, "UNREGISTERED"}, {68, "INVOCATION"}, {69, "INTERRUPT"},  {70, "YIELD"},
	};
	static const int unknown[] = {0, 7, 9, 15, 18, 37, 71, 337, -1, 1 << 30};
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_string_equal(wd_msg_type_name(names[i].type), names[i].name);
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(wd_msg_type_name(unknown[i]), "UNKNOWN");
}

/* Messages of every type in every allowed length. */
static const char *const valid_msgs[] = {
        "[1,\"realm1\",{\"roles\":{}}]",
        "[2,9129137332,{}]",
        "[3,{},\"wamp.error.no_such_realm\"]",
        "[4,\"wampcra\",{\"challenge\":\"x\"}]",
        "[5,\"c2lnbmF0dXJl\",{}]",
        "[6,{},\"wamp.close.normal\"]",
        "[8,48,1,{},\"com.err\"]",
        "[8,68,1,{},\"com.err\",[1]]",
        "[8,68,1,{},\"com.err\",[],{\"a\":1}]",
        "[16,1,{},\"t\"]",
        "[16,1,{},\"t\",[]]",
        "[16,1,{},\"t\",[1,\"x\"],{\"k\":null}]",
        "[17,1,2]",
        "[32,1,{\"match\":\"prefix\"},\"t\"]",
        "[33,1,2]",
        "[34,1,2]",
        "[35,1]",
        "[35,0,{\"subscription\":5,\"reason\":\"wamp.error.revoked\"}]",
        "[36,1,2,{}]",
        "[36,1,2,{},[\"\\u0000AQID\"]]",
        "[36,1,2,{},[],{}]",
        "[48,1,{},\"p\"]",
        "[48,1,{},\"p\",[]]",
        "[48,1,{\"timeout\":100},\"p\",[1],{\"a\":[]}]",
        "[49,1,{\"mode\":\"kill\"}]",
        "[50,1,{}]",
        "[50,1,{},[1]]",
        "[50,1,{\"progress\":true},[],{\"a\":1}]",
        "[64,1,{},\"p\"]",
        "[65,1,2]",
        "[66,1,2]",
        "[67,1]",
        "[67,0,{\"registration\":2}]",
        "[68,1,2,{}]",
        "[68,1,2,{},[1]]",
        "[68,1,2,{},[1],{}]",
        "[69,1,{}]",
        "[70,1,{}]",
        "[70,1,{},[]]",
        "[70,1,{},[],{\"a\":1}]",
        /* ID bounds */
        "[2,0,{}]",
        "[2,9007199254740992,{}]",
        "[1,\"\",{}]",
};

static void msg_valid_shapes_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(valid_msgs) / sizeof(valid_msgs[0]); i++) {
		struct wd_msg m;
		json_t *root;
		int rc = parse_text(valid_msgs[i], &m, &root);
		if (rc != 0)
			fail_msg("%s: %s", valid_msgs[i], wd_strerror(rc));
		assert_ptr_equal(m.root, root);
		assert_int_equal(m.type, json_integer_value(json_array_get(root, 0)));
		json_decref(root);
	}
}

/* Each one is invalid for the reason in its comment. */
static const char *const invalid_msgs[] = {
        "{}",                                   /* not an array */
        "\"x\"",                                /* not an array */
        "[]",                                   /* empty */
        "[\"1\",\"r\",{}]",                     /* type not an integer */
        "[1.0,\"r\",{}]",                       /* type a real */
        "[0]",                                  /* unknown type */
        "[7,{},\"r\"]",                         /* unknown type */
        "[71,1,{}]",                            /* unknown type */
        "[-1]",                                 /* unknown type */
        "[337,5512315355]",                     /* EVENT_RECEIVED: provisional, unsupported */
        "[1,\"r\"]",                            /* HELLO too short */
        "[1,\"r\",{},{}]",                      /* HELLO extra element */
        "[1,1,{}]",                             /* realm not a string */
        "[1,\"r\",[]]",                         /* details not a dict */
        "[1,\"r\",null]",                       /* details null */
        "[1,\"r\\u0000x\",{}]",                 /* NUL inside a URI */
        "[2,-1,{}]",                            /* negative ID */
        "[2,9007199254740993,{}]",              /* ID above 2^53 */
        "[2,1.0,{}]",                           /* ID a real */
        "[2,\"1\",{}]",                         /* ID a string */
        "[2,true,{}]",                          /* ID a bool */
        "[3,\"r\",{}]",                         /* ABORT fields swapped */
        "[4,\"wampcra\"]",                      /* CHALLENGE too short */
        "[5,{},\"sig\"]",                       /* AUTHENTICATE fields swapped */
        "[6,{}]",                               /* GOODBYE without reason */
        "[8,48,1,{}]",                          /* ERROR without URI */
        "[8,0,1,{},\"e\"]",                     /* request type 0 */
        "[8,-48,1,{},\"e\"]",                   /* negative request type */
        "[8,\"48\",1,{},\"e\"]",                /* request type a string */
        "[8,48,1,{},\"e\",{}]",                 /* args not a list */
        "[8,48,1,{},\"e\",[],[]]",              /* kwargs not a dict */
        "[8,48,1,{},\"e\",[],{},1]",            /* extra element */
        "[16,1,{},\"t\",null]",                 /* args null */
        "[16,1,{},\"t\",{\"a\":1}]",            /* kwargs without args */
        "[16,1,{},\"t\",\"\\u0000AQID\"]",      /* payload transparency: unsupported */
        "[16,1,{},\"t\",\"a1666e6f74696365\"]", /* a string for args */
        "[16,1,null,\"t\"]",                    /* options null */
        "[16,1,{},\"t\",[],{},{}]",             /* extra element */
        "[16,1,{}]",                            /* no topic */
        "[17,1]",                               /* PUBLISHED too short */
        "[17,1,2,3]",                           /* PUBLISHED extra */
        "[32,1,{},\"t\",[]]",                   /* SUBSCRIBE extra */
        "[32,1,\"t\",{}]",                      /* SUBSCRIBE fields swapped */
        "[33,1]",                               /* SUBSCRIBED too short */
        "[34,1,-2]",                            /* negative subscription ID */
        "[35]",                                 /* UNSUBSCRIBED too short */
        "[35,1,[]]",                            /* details not a dict */
        "[35,1,{},1]",                          /* UNSUBSCRIBED extra */
        "[36,1,{},[]]",                         /* EVENT without publication ID */
        "[36,1,2,{},[],{},1]",                  /* EVENT extra */
        "[48,1,{},\"p\",[1],{\"a\":1},1]",      /* CALL extra */
        "[48,1,{},1]",                          /* procedure not a string */
        "[49,1]",                               /* CANCEL without options */
        "[49,1,{},1]",                          /* CANCEL extra */
        "[50,1]",                               /* RESULT without details */
        "[50,1,{},{}]",                         /* RESULT kwargs without args */
        "[64,1,{}]",                            /* REGISTER without procedure */
        "[65,1,2,{}]",                          /* REGISTERED extra */
        "[66,1]",                               /* UNREGISTER too short */
        "[67,1,null]",                          /* details null */
        "[68,1,{},[]]",                         /* INVOCATION without registration */
        "[69,1,{},[]]",                         /* INTERRUPT extra */
        "[70,1,{},{\"a\":1}]",                  /* YIELD kwargs without args */
        "[70,1]",                               /* YIELD without options */
};

static void msg_invalid_shapes_rejected_with_eproto(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(invalid_msgs) / sizeof(invalid_msgs[0]); i++) {
		int rc = parse_text(invalid_msgs[i], NULL, NULL);
		if (rc != WD_EPROTO)
			fail_msg("%s: got %d (%s), want WD_EPROTO", invalid_msgs[i], rc,
			         wd_strerror(rc));
	}
}

static void msg_publish_fields_point_into_root(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[16,239714735,{\"acknowledge\":true},\"com.t\",[1],{\"k\":2}]",
	                            &m, &root),
	                 0);
	assert_int_equal(m.type, WD_MSG_PUBLISH);
	assert_true(m.id1 == 239714735);
	assert_true(m.id2 == 0);
	assert_ptr_equal(m.dict, json_array_get(root, 2));
	assert_string_equal(m.uri, "com.t");
	assert_ptr_equal(m.uri, json_string_value(json_array_get(root, 3)));
	assert_ptr_equal(m.args, json_array_get(root, 4));
	assert_ptr_equal(m.kwargs, json_array_get(root, 5));
	json_decref(root);
}

static void msg_publish_without_args_has_null_args(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[16,1,{},\"t\"]", &m, &root), 0);
	assert_null(m.args);
	assert_null(m.kwargs);
	assert_non_null(m.dict);
	json_decref(root);
}

static void msg_error_fields_include_request_type(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[8,68,6131533,{},\"com.myapp.error\",[\"x\"]]", &m, &root), 0);
	assert_int_equal(m.type, WD_MSG_ERROR);
	assert_int_equal(m.req_type, WD_MSG_INVOCATION);
	assert_true(m.id1 == 6131533);
	assert_string_equal(m.uri, "com.myapp.error");
	assert_non_null(m.dict);
	assert_non_null(m.args);
	assert_null(m.kwargs);
	json_decref(root);
}

static void msg_event_and_invocation_fill_both_ids(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[36,9007199254740992,7,{}]", &m, &root), 0);
	assert_true(m.id1 == WD_ID_MAX);
	assert_true(m.id2 == 7);
	json_decref(root);
	assert_int_equal(parse_text("[68,3,4,{},[]]", &m, &root), 0);
	assert_true(m.id1 == 3 && m.id2 == 4);
	json_decref(root);
}

static void msg_unsubscribed_details_are_optional(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[35,85346237]", &m, &root), 0);
	assert_null(m.dict);
	json_decref(root);
	assert_int_equal(parse_text("[67,0,{\"reason\":\"r\"}]", &m, &root), 0);
	assert_non_null(m.dict);
	json_decref(root);
}

static void msg_hello_and_goodbye_fill_uri_and_dict(void **state)
{
	struct wd_msg m;
	json_t *root;
	(void)state;
	assert_int_equal(parse_text("[1,\"realm1\",{\"authid\":\"a\"}]", &m, &root), 0);
	assert_string_equal(m.uri, "realm1");
	assert_string_equal(json_string_value(json_object_get(m.dict, "authid")), "a");
	json_decref(root);
	assert_int_equal(parse_text("[6,{\"message\":\"bye\"},\"wamp.close.normal\"]", &m, &root),
	                 0);
	assert_string_equal(m.uri, "wamp.close.normal");
	assert_non_null(json_object_get(m.dict, "message"));
	json_decref(root);
}

static void msg_parse_error_leaves_out_untouched(void **state)
{
	struct wd_msg m;
	(void)state;
	memset(&m, 0xab, sizeof(m));
	m.id1 = 42;
	assert_int_equal(parse_text("[16,7,{},\"t\",{}]", &m, NULL), WD_EPROTO);
	assert_true(m.id1 == 42);
}

static void msg_parse_rejects_non_array_root_value(void **state)
{
	struct wd_msg m;
	json_t *v = json_integer(16);
	(void)state;
	assert_int_equal(wd_msg_parse(v, &m), WD_EPROTO);
	json_decref(v);
}

/* Attribute names of the typed fields, per type (NULL: unused). */
struct field_names {
	int type;
	const char *id1, *id2, *dict, *uri;
};

static const struct field_names field_names[] = {
        {1, NULL, NULL, NULL, "realm"},
        {2, "session_id", NULL, NULL, NULL},
        {3, NULL, NULL, "details", "reason"},
        {4, NULL, NULL, "extra", "method"},
        {5, NULL, NULL, "extra", "signature"},
        {6, NULL, NULL, "details", "reason"},
        {8, "request_id", NULL, "details", "error"},
        {16, "request_id", NULL, "options", "topic"},
        {17, "request_id", "publication_id", NULL, NULL},
        {32, "request_id", NULL, "options", "topic"},
        {33, "request_id", "subscription_id", NULL, NULL},
        {34, "request_id", "subscription_id", NULL, NULL},
        {35, "request_id", NULL, "details", NULL},
        {36, "subscription", "publication", "details", NULL},
        {48, "request_id", NULL, "options", "procedure"},
        {49, "request_id", NULL, "options", NULL},
        {50, "request_id", NULL, "details", NULL},
        {64, "request_id", NULL, "options", "procedure"},
        {65, "request_id", "registration_id", NULL, NULL},
        {66, "request_id", "registration_id", NULL, NULL},
        {67, "request_id", NULL, "details", NULL},
        {68, "request_id", "registration_id", "details", NULL},
        {69, "request_id", NULL, "options", NULL},
        {70, "request_id", NULL, "options", NULL},
};

static void check_id(const struct vec_sample *s, const char *attr, uint64_t got)
{
	json_t *v = attr != NULL ? json_object_get(s->attrs, attr) : NULL;
	uint64_t want = v != NULL ? (uint64_t)json_integer_value(v) : 0;
	if (got != want)
		fail_msg("%s[%zu]: %s is %llu, want %llu", s->file, s->index,
		         attr != NULL ? attr : "unused id", (unsigned long long)got,
		         (unsigned long long)want);
}

static void check_optional(const struct vec_sample *s, const char *attr, const json_t *got)
{
	json_t *want = json_object_get(s->attrs, attr);
	if (json_is_null(want))
		want = NULL;
	if ((want == NULL) != (got == NULL) || (want != NULL && !json_equal(want, got)))
		fail_msg("%s[%zu]: %s is %s, want %s", s->file, s->index, attr, vec_dump(got),
		         vec_dump(want));
}

struct msg_stats {
	const struct wd_codec *codec;
	size_t parsed, refused;
};

static void check_sample(const struct vec_sample *s, void *ud)
{
	struct msg_stats *st = ud;
	json_t *want = vec_expected_array(s), *root = NULL, *payload;
	int type = (int)json_integer_value(json_object_get(s->attrs, "message_type"));
	const struct field_names *fn = NULL;
	size_t len;
	uint8_t *bytes = vec_bytes(json_array_get(s->reprs, 0), &len);
	struct wd_msg m;
	int rc;

	if ((rc = st->codec->decode(bytes, len, &root)) != 0)
		fail_msg("%s[%zu]: decode: %s", s->file, s->index, wd_strerror(rc));
	rc = wd_msg_parse(root, &m);
	payload = json_object_get(s->attrs, "payload");
	if (type == 337 || (payload != NULL && !json_is_null(payload))) {
		/* EVENT_RECEIVED is provisional and payload transparency is not supported. */
		if (rc != WD_EPROTO)
			fail_msg("%s[%zu] %s: accepted", s->file, s->index, s->desc);
		st->refused++;
		goto done;
	}
	if (rc != 0)
		fail_msg("%s[%zu] %s: %s", s->file, s->index, s->desc, wd_strerror(rc));
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (field_names[i].type == type)
			fn = &field_names[i];
	assert_non_null(fn);
	assert_int_equal(m.type, type);
	assert_ptr_equal(m.root, root);
	check_id(s, fn->id1, m.id1);
	check_id(s, fn->id2, m.id2);
	if (type == WD_MSG_ERROR)
		check_id(s, "request_type", (uint64_t)m.req_type);
	if (fn->uri != NULL)
		assert_string_equal(m.uri, json_string_value(json_object_get(s->attrs, fn->uri)));
	else
		assert_null(m.uri);
	if (fn->dict != NULL)
		check_optional(s, fn->dict, m.dict);
	else if (type == WD_MSG_HELLO || type == WD_MSG_WELCOME)
		assert_true(json_equal(m.dict, json_array_get(want, 2)));
	else
		assert_null(m.dict);
	check_optional(s, "args", m.args);
	check_optional(s, "kwargs", m.kwargs);
	st->parsed++;
done:
	json_decref(root);
	json_decref(want);
	free(bytes);
}

static void msg_vectors_parse_to_expected_fields(void **state)
{
	const struct wd_codec *codecs[] = {&wd_codec_json, &wd_codec_msgpack};
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct msg_stats st = {codecs[i], 0, 0};
		vec_for_each(codecs[i]->name, check_sample, &st);
		print_message("# %s: %zu vector samples parsed, %zu refused as unsupported\n",
		              codecs[i]->name, st.parsed, st.refused);
		assert_true(st.parsed >= 25);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(msg_type_names_match_spec),
	        cmocka_unit_test(msg_valid_shapes_parse),
	        cmocka_unit_test(msg_invalid_shapes_rejected_with_eproto),
	        cmocka_unit_test(msg_publish_fields_point_into_root),
	        cmocka_unit_test(msg_publish_without_args_has_null_args),
	        cmocka_unit_test(msg_error_fields_include_request_type),
	        cmocka_unit_test(msg_event_and_invocation_fill_both_ids),
	        cmocka_unit_test(msg_unsubscribed_details_are_optional),
	        cmocka_unit_test(msg_hello_and_goodbye_fill_uri_and_dict),
	        cmocka_unit_test(msg_parse_error_leaves_out_untouched),
	        cmocka_unit_test(msg_parse_rejects_non_array_root_value),
	        cmocka_unit_test(msg_vectors_parse_to_expected_fields),
	};
	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
