#include "protocol/error.h"

const char *wd_strerror(int err)
{
	switch (err) {
	case WD_OK:
		return "ok";
	case WD_ENOMEM:
		return "out of memory";
	case WD_EPROTO:
		return "protocol violation";
	case WD_EDECODE:
		return "cannot decode message";
	case WD_EINVAL:
		return "invalid value";
	case WD_ETOOBIG:
		return "too big";
	case WD_EINTERNAL:
		return "internal error";
	case WD_ENOTFOUND:
		return "not found";
	case WD_ECLOSED:
		return "closed";
	case WD_EAGAIN:
		return "need more input";
	case WD_EUNSUPPORTED:
		return "not supported";
	}
	return "unknown error";
}
