/* wampd error codes: functions return 0 or one of these (negative). */
#ifndef WD_ERROR_H
#define WD_ERROR_H

enum {
	WD_OK = 0,
	WD_ENOMEM = -1,     /* allocation failed */
	WD_EPROTO = -2,     /* peer violated the WAMP protocol */
	WD_EDECODE = -3,    /* bytes are not a valid message for the serializer */
	WD_EINVAL = -4,     /* bad argument or value */
	WD_ETOOBIG = -5,    /* a size limit was exceeded */
	WD_EINTERNAL = -6,  /* a "cannot happen" check failed */
	WD_ENOTFOUND = -7,  /* lookup failed */
	WD_ECLOSED = -8,    /* the peer or connection is gone */
	WD_EAGAIN = -9,     /* need more input */
	WD_EUNSUPPORTED = -10, /* feature not supported */
};

/* Returns a static, human-readable name for a WD_E* code. */
const char *wd_strerror(int err);

#endif
