/* /proc parsing. The command name in /proc/<pid>/stat may hold spaces and parentheses, so the
 * fields are counted from the last ')'. */
#include "bench/procstat.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void path_of(char *out, size_t n, int pid, const char *file)
{
	if (pid == 0)
		snprintf(out, n, "/proc/self/%s", file);
	else
		snprintf(out, n, "/proc/%d/%s", pid, file);
}

double wd_proc_cpu_s(int pid)
{
	char path[64], buf[1024];
	path_of(path, sizeof(path), pid, "stat");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	unsigned long long utime, stime;
	/* After ')': state(3) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
	 * cmajflt(13) utime(14) stime(15). */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
		   &stime) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return (double)(utime + stime) / (double)(hz > 0 ? hz : 100);
}

long long wd_proc_rss_bytes(int pid)
{
	char path[64], line[256];
	path_of(path, sizeof(path), pid, "status");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	long long kb = -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0) {
			sscanf(line + 6, "%lld", &kb);
			break;
		}
	}
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}
