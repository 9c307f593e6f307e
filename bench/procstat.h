/* Reads process figures from /proc: CPU time (utime + stime) and resident set size. */
#ifndef WD_BENCH_PROCSTAT_H
#define WD_BENCH_PROCSTAT_H

/* Returns the CPU time (user + system, all threads) of pid in seconds; pid 0 is this process.
 * Returns -1 when /proc/<pid>/stat cannot be read. */
double wd_proc_cpu_s(int pid);
/* Returns VmRSS of pid in bytes (pid 0: this process), or -1. */
long long wd_proc_rss_bytes(int pid);

#endif
