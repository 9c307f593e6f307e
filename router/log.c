#include "router/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The process-wide log threshold is the one piece of mutable global state: it is set once
 * at start-up from --loglevel and only read afterwards. */
static enum wd_log_level threshold = WD_LOG_INFO;

static const char *const names[] = {"trace", "debug", "info", "warn", "error", "none"};

int wd_log_parse_level(const char *name)
{
	for (int i = 0; i <= WD_LOG_NONE; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

void wd_log_set_level(enum wd_log_level level)
{
	threshold = level;
}

bool wd_log_enabled(enum wd_log_level level)
{
	return level >= threshold && level < WD_LOG_NONE;
}

void wd_log(enum wd_log_level level, const char *component, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;
	if (!wd_log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "%-5s %-7s ", names[level], component);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
