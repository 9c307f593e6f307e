/* Checks the in-place scanner against messages produced by the real codecs: escaped quotes
 * and brackets inside strings, nested details, every msgpack integer width, reals and
 * literals after the integers. Prints TAP; exit status = failures. */
#include <jansson.h>
#include <stdio.h>

#include "bench/scan.h"
#include "protocol/codec.h"

struct vector {
	const char *json;
	int args_at; /* element holding the arguments */
	int64_t want[3];
};

static const struct vector vectors[] = {
	{"[36,1,2,{\"a\":\"x]\\\"}[\",\"b\":[1,{\"c\":\"\\\\\"}]},"
	 "[0,1000000000012345,1000012345678901234,\"pad\\\"]\"]]",
	 4, {0, 1000000000012345, 1000012345678901234}},
	{"[36,9007199254740992,2,{},[-5,127,-129,\"p\"],{\"k\":1}]", 4, {-5, 127, -129}},
	{"[36,1,2,{},[300,70000,5000000000]]", 4, {300, 70000, 5000000000}},
	{"[50,7,{\"x\":1.5},[1,2,3,true,null,2.5e10]]", 3, {1, 2, 3}},
};

static int check(int no, const struct wd_codec *c, const struct vector *v)
{
	json_t *msg = json_loads(v->json, 0, NULL);
	struct wd_sbuf enc = {0};
	struct wd_scan s, full;
	int64_t got[3] = {0};
	int ok = msg != NULL && c->encode(msg, &enc) == 0 &&
		 wd_scan_msg(c->is_binary, enc.data, enc.len, v->args_at + 1, &s) == 0 &&
		 s.n == v->args_at + 1 && s.el[0].is_int &&
		 wd_scan_ints(c->is_binary, s.el[v->args_at].p, s.el[v->args_at].len, got, 3) == 3 &&
		 got[0] == v->want[0] && got[1] == v->want[1] && got[2] == v->want[2] &&
		 wd_scan_msg(c->is_binary, enc.data, enc.len, WD_SCAN_MAX_EL, &full) == 0 &&
		 (size_t)(full.el[full.n - 1].p + full.el[full.n - 1].len - enc.data) <= enc.len;
	printf("%s %d - %s %s\n", ok ? "ok" : "not ok", no, c->name, v->json);
	json_decref(msg);
	wd_sbuf_free(&enc);
	return ok ? 0 : 1;
}

int main(void)
{
	const struct wd_codec *codecs[] = {&wd_codec_json, &wd_codec_msgpack};
	size_t nv = sizeof(vectors) / sizeof(vectors[0]);
	int failed = 0, no = 0;
	printf("1..%zu\n", 2 * nv);
	for (int c = 0; c < 2; c++)
		for (size_t i = 0; i < nv; i++)
			failed += check(++no, codecs[c], &vectors[i]);
	return failed;
}
