/* Memory is bounded (issue 20.4): the aggregator keeps only its newest
 * POR_AGGREGATOR_HISTORY rounds (it kept every accepted round: ~60 B a round, 52 MB for
 * the default scenario at 0 % deviation over 160 days), so a run's peak RSS does not grow
 * with simulated time: a 48-day run of a feed that reports every round peaks within a
 * small margin of a 6-day run of the same scenario (getrusage of the child process).
 * Nor with -r: the runner's metric table keeps a window of rows in memory and spills the
 * rest to temporary files (sim/stats/spill.c; it held ~1.2 KB a replication: +29 MB
 * from -r 200 to -r 20000), and summaries sort a column on disk (sim/stats/sort.c). */
#define _DEFAULT_SOURCE /* wait4 */
#include "por_test.h"
#include "por/aggregator.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POR__HAS_ASAN 1
#endif
#endif
#ifndef POR__HAS_ASAN
#define POR__HAS_ASAN 0
#endif

START_TEST(test_history_bounded)
{
    por_crypto *crypto = por_crypto_create(POR_CRYPTO_IDEAL);
    por_aggregator_config cfg = {.n = 4, .f = 1, .min_answer = 1, .max_answer = 1000000000,
                                 .decimals = 2, .config_count = 1};
    por_keypair keys[4], tkeys[4];
    for (uint32_t i = 0; i < 4; i++) {
        por_crypto_derive_key(crypto, por_test_seed(), "oracle", i, &keys[i]);
        por_crypto_derive_key(crypto, por_test_seed(), "transmitter", i, &tkeys[i]);
        cfg.signers[i] = keys[i].addr;
        cfg.transmitters[i] = tkeys[i].addr;
    }
    por_aggregator *agg = por_aggregator_create(&cfg, crypto);
    por_report rep = {.config_digest = *por_aggregator_config_digest(agg), .epoch = 1, .nobs = 3};
    uint64_t total = 2 * POR_AGGREGATOR_HISTORY + 3;
    for (uint64_t k = 1; k <= total; k++) {
        rep.round = (uint32_t)k;
        por_amount obs[3] = {1, (por_amount)k, 999999999}; /* median = k */
        for (int i = 0; i < 3; i++) {
            rep.obs[i] = obs[i];
            rep.observers[i] = (uint8_t)i;
        }
        por_digest h;
        por_report_hash(&rep, &h);
        por_sig sigs[2];
        por_crypto_sign(crypto, &keys[0], &h, &sigs[0]);
        por_crypto_sign(crypto, &keys[1], &h, &sigs[1]);
        ck_assert_int_eq(por_aggregator_transmit(agg, NULL, (por_time_t)k * POR_SEC, k, &tkeys[0].addr,
                                                 &rep, sigs, 2),
                         POR_TRANSMIT_ACCEPTED);
    }
    por_round_data rd;
    ck_assert_uint_eq(por_aggregator_rounds(agg), total);
    por_aggregator_latest(agg, &rd);
    ck_assert_uint_eq(rd.round_id, total);
    ck_assert(rd.answer == (por_amount)total);
    uint64_t oldest = total - POR_AGGREGATOR_HISTORY + 1;
    for (uint64_t id = oldest; id <= total; id += 511) {
        ck_assert(por_aggregator_round(agg, id, &rd));
        ck_assert_uint_eq(rd.round_id, id);
        ck_assert(rd.answer == (por_amount)id);
    }
    ck_assert(!por_aggregator_round(agg, oldest - 1, &rd));
    ck_assert(!por_aggregator_round(agg, 1, &rd));
    ck_assert(!por_aggregator_round(agg, total + 1, &rd));
    por_aggregator_destroy(agg);
    por_crypto_destroy(crypto);
}
END_TEST

/* Peak RSS in KiB of `porsim ARGS` (argv[0] is ignored), which must exit 0. */
static long peak_rss_kib(char *const argv[])
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
#if defined(__SANITIZE_ADDRESS__) || POR__HAS_ASAN
        /* AddressSanitizer keeps freed blocks in a quarantine of up to 256 MB, which
         * grows with the run's length and is not the program's memory: turn it off */
        const char *o = getenv("ASAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%squarantine_size_mb=0", o ? o : "", o && *o ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
#endif
        execv(POR_BINARY, argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    ck_assert_int_eq(wait4(pid, &st, 0, &ru), pid);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "porsim %s %s failed", argv[1], argv[5]);
    return ru.ru_maxrss;
}

START_TEST(test_peak_rss_independent_of_simulated_time)
{
    char *shortrun[] = {"porsim", "run", "-r", "1", "--set", "duration=6d", "--set",
                        "feed.ocr.deviation=\"0%\"", "-q", NULL};
    char *longrun[] = {"porsim", "run", "-r", "1", "--set", "duration=48d", "--set",
                       "feed.ocr.deviation=\"0%\"", "-q", NULL};
    long s = peak_rss_kib(shortrun), l = peak_rss_kib(longrun);
    printf("peak RSS: 6 days %ld KiB, 48 days %ld KiB\n", s, l);
    ck_assert_msg(l <= s + s / 5 + 1024, "48 days peak %ld KiB vs 6 days %ld KiB", l, s);
}
END_TEST

/* Peak RSS of a run of R replications of a 1-minute scenario, writing DIR. */
static long peak_rss_reps(const char *r, const char *dir)
{
    char *argv[] = {"porsim", "run", "-r", (char *)r, "--set", "duration=1m", "-q", "--force",
                    "-o", (char *)dir, NULL};
    return peak_rss_kib(argv);
}

/* Under the sanitizers a replication costs ~30 times more: the largest run is smaller
 * there, still 8 times past the window of 1024 rows. */
#if defined(__SANITIZE_ADDRESS__) || POR__HAS_ASAN
#define POR__MANY_REPS "8000"
#else
#define POR__MANY_REPS "20000"
#endif

START_TEST(test_peak_rss_independent_of_replications)
{
    const char *tmp = por_test_tmpdir("mem-reps");
    char d1[700], d2[700], d3[700];
    snprintf(d1, sizeof d1, "%s/r200", tmp);
    snprintf(d2, sizeof d2, "%s/r2000", tmp);
    snprintf(d3, sizeof d3, "%s/many", tmp);
    long a = peak_rss_reps("200", d1), b = peak_rss_reps("2000", d2),
         c = peak_rss_reps(POR__MANY_REPS, d3);
    printf("peak RSS: -r 200 %ld KiB, -r 2000 %ld KiB, -r %s %ld KiB\n", a, b,
           POR__MANY_REPS, c);
    /* Past the window (1024 rows) only the sort's buffer grows, up to 256 KiB (16384
     * values): -r 20000 peaks within 2 MiB of -r 2000. From -r 200 (all rows in memory)
     * it may add the window, the sort buffer and the readers, a few MiB; it added 29 MiB
     * when the table held every row. */
    ck_assert_msg(c <= b + 2048, "-r %s peak %ld KiB vs -r 2000 %ld KiB", POR__MANY_REPS, c, b);
    ck_assert_msg(c <= a + 6144, "-r %s peak %ld KiB vs -r 200 %ld KiB", POR__MANY_REPS, c, a);
}
END_TEST

/* The runner works in chunks of 256 replications (no replications x metrics cells up
 * front) and spills its table past 1024 rows: a run across chunk and window boundaries
 * gives the same rows, in order, for -j1 and -j2. */
START_TEST(test_chunked_runner_deterministic)
{
    const char *tmp = por_test_tmpdir("mem-chunks");
    char args[1000], log[700], a[700], b[700];
    snprintf(log, sizeof log, "%s/log", tmp);
    for (int j = 1; j <= 2; j++) {
        snprintf(args, sizeof args, "run -r 4100 -j %d -q --set duration=1m -o '%s/j%d'", j, tmp, j);
        ck_assert_int_eq(por_test_run_cli(args, log), 0);
    }
    snprintf(a, sizeof a, "%s/j1/runs.csv", tmp);
    snprintf(b, sizeof b, "%s/j2/runs.csv", tmp);
    char *x = por_test_slurp(a), *y = por_test_slurp(b);
    ck_assert_ptr_nonnull(x);
    ck_assert_ptr_nonnull(y);
    ck_assert(!strcmp(x, y));
    size_t lines = 0;
    for (char *p = x; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 4101);
    ck_assert_ptr_nonnull(strstr(x, "\n4099,"));
    free(x);
    free(y);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 500);
    tcase_add_test(tc, test_history_bounded);
    tcase_add_test(tc, test_peak_rss_independent_of_simulated_time);
    tcase_add_test(tc, test_peak_rss_independent_of_replications);
    tcase_add_test(tc, test_chunked_runner_deterministic);
    suite_add_tcase(s, tc);
    return s;
}
