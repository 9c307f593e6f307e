#include "protocol/codec.h"

#include <string.h>

static const struct wd_codec *const all[WD_CODEC_COUNT] = {&wd_codec_json, &wd_codec_msgpack};

const struct wd_codec *wd_codec_by_name(const char *name)
{
	for (int i = 0; i < WD_CODEC_COUNT; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

const struct wd_codec *wd_codec_by_subprotocol(const char *subprotocol)
{
	for (int i = 0; i < WD_CODEC_COUNT; i++)
		if (strcmp(all[i]->subprotocol, subprotocol) == 0)
			return all[i];
	return NULL;
}

const struct wd_codec *wd_codec_by_id(enum wd_codec_id id)
{
	return (unsigned)id < WD_CODEC_COUNT ? all[id] : NULL;
}
