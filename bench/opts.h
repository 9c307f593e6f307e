/* Command line of wampd-bench. */
#ifndef WD_BENCH_OPTS_H
#define WD_BENCH_OPTS_H

#include "bench/bench.h"

/* Fills *o from argv (defaults first). Returns 0, 1 after printing --help, or -1 after
 * printing an error to stderr. */
int wd_bench_opts_parse(struct wd_bench_opts *o, int argc, char **argv);

#endif
