/* Shared helpers for porsim's Check suites.
 *
 * Each tests/test_*.c defines por_test_suite(); check_main.c runs it. Randomized tests
 * take their seed from por_test_seed(), which check_main prints on the first line
 * ("seed=N (rerun: POR_TEST_SEED=N ./test_x)") so any failure reproduces. */
#ifndef POR_TEST_H
#define POR_TEST_H

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

Suite *por_test_suite(void);

/* The seed of this test run: $POR_TEST_SEED if set, else a fixed default. */
uint64_t por_test_seed(void);

/* Runs the porsim binary with ARGS (a shell word list), stdout+stderr to OUT_FILE (may
 * be NULL to discard). Returns the exit code, or -1 if it did not exit normally. */
int por_test_run_cli(const char *args, const char *out_file);

/* Reads a whole file into a malloc'd NUL-terminated buffer (caller frees), or NULL. */
char *por_test_slurp(const char *path);

/* Reads DIR/NAME whole (caller frees); fails the test when it cannot be read. */
char *por_test_slurp_in(const char *dir, const char *name);

/* Forks and execs the porsim binary with ARGV (ARGV[0] "porsim"), stdout and stderr to
 * LOG (created or truncated). Returns the child's pid; the caller waits for it. */
pid_t por_test_spawn(char *const argv[], const char *log);

/* Sleeps MS milliseconds (resumed after a signal). */
void por_test_sleep_ms(long ms);

/* True once PID runs the porsim binary (its exec is done: /proc/PID/comm reads
 * "porsim") and has a handler installed for SIG (bit in SigCgt of /proc/PID/status).
 * Before the exec, a forked child carries the test runner's own handlers (Check installs
 * SIGINT and SIGTERM ones), so SigCgt alone can read true before porsim has started. */
bool por_test_porsim_catches(pid_t pid, int sig);

/* A fresh empty directory under /tmp for this test (caller may leave it). */
const char *por_test_tmpdir(const char *tag);

#endif
