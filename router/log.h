/* One line per event on stderr: level and component first ("info  router  listening on ..."). */
#ifndef WD_LOG_H
#define WD_LOG_H

#include <inttypes.h>
#include <stdbool.h>

enum wd_log_level {
	WD_LOG_TRACE = 0,
	WD_LOG_DEBUG = 1,
	WD_LOG_INFO = 2,
	WD_LOG_WARN = 3,
	WD_LOG_ERROR = 4,
	WD_LOG_NONE = 5,
};

/* Returns the level for "trace|debug|info|warn|error|none", or -1. */
int wd_log_parse_level(const char *name);
void wd_log_set_level(enum wd_log_level level);
bool wd_log_enabled(enum wd_log_level level);
void wd_log(enum wd_log_level level, const char *component, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
