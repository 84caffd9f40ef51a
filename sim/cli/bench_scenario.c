/* `porsim bench scenario SCENARIO.json`: times a scenario's replications through the same
 * runner as `porsim run` (nothing skipped: every OCR round runs and every message goes
 * through the network model) and prints `name=value` lines: events/s, simulated days per
 * wall second, replications/s, peak RSS and the crypto accounting. In real-signature mode
 * it also times libsecp256k1 signing and recovery on a fresh context in the same process,
 * so "time in libsecp256k1 / (signs x sign cost + recoveries x recovery cost)" compares
 * like with like on a loaded machine. */
#include "por/bench_scenario.h"

#include "cliopt.h"
#include "por/runner.h"
#include "por/scenario_load.h"
#include "por/stats.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>


static const char *const por__usage_bench_scenario =
    "Usage: porsim bench scenario SCENARIO.json [options]\n"
    "\n"
    "Runs the scenario's replications as `porsim run` does and prints name=value lines:\n"
    "events, wall_seconds, cpu_seconds, events_per_s, events_per_cpu_s,\n"
    "sim_days_per_wall_s, replications_per_s,\n"
    "peak_rss_kib, crypto counters and cache_hit_rate; with real signatures also\n"
    "ec_sign_ns, ec_verify_ns (time inside libsecp256k1), the per-operation costs timed\n"
    "in the same process and ec_ratio = measured EC time / (signs x sign cost +\n"
    "recoveries x recovery cost).\n"
    "\n"
    "Options:\n"
    "  -r, --replications N   replications (overrides the scenario)\n"
    "  -j, --threads T        worker threads (default 1)\n"
    "  --seed S               scenario seed\n"
    "  --set PATH=VALUE       override a scenario field (repeatable), e.g. --set duration=2d\n"
    "  --crypto ideal|real    signature mode (overrides feed.crypto)\n"
    "  --strict               the scenario's warnings are errors (exit 2)\n"
    "  -h, --help             this help\n"
    "\n"
    "Example:\n"
    "  porsim bench scenario scenarios/bench/year-n31.json\n"
    "  porsim bench scenario scenarios/bench/year-n31.json --set duration=2d --crypto real\n";

/* User + system CPU seconds of the whole process so far. */
static double por__cpu_now(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double por__ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Mean ns inside libsecp256k1 per signature and per recovery, over N distinct digests
 * on a fresh real-mode context (the same counters the replications' contexts keep). */
static void por__ec_costs(uint32_t n, double *sign_ns, double *verify_ns)
{
    por_crypto *c = por_crypto_create(POR_CRYPTO_REAL);
    por_keypair key;
    por_crypto_derive_key(c, 0xbe7c4u, "bench", 0, &key);
    por_sig *sigs = por_xmalloc(n * sizeof *sigs);
    por_digest *dig = por_xmalloc(n * sizeof *dig);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        por_keccak256(b, sizeof b, &dig[i]);
    }
    por_crypto_stats s0;
    por_crypto_get_stats(c, &s0);
    for (uint32_t i = 0; i < n; i++)
        por_crypto_sign(c, &key, &dig[i], &sigs[i]);
    bool all = true;
    for (uint32_t i = 0; i < n; i++) /* distinct pairs: every one is a cache miss */
        all &= por_crypto_verify(c, &dig[i], &sigs[i], &key.addr);
    POR_ASSERT(all);
    por_crypto_stats s;
    por_crypto_get_stats(c, &s);
    uint64_t signs = s.signs - s0.signs, recs = s.recovers - s0.recovers;
    *sign_ns = signs ? (double)(s.ec_sign_ns - s0.ec_sign_ns) / (double)signs : 0.0;
    *verify_ns = recs ? (double)(s.ec_verify_ns - s0.ec_verify_ns) / (double)recs : 0.0;
    free(sigs);
    free(dig);
    por_crypto_destroy(c);
}

por_status por_bench_scenario_run(const por_scenario *sc, const por_bench_scenario_config *cfg,
                                  por_bench_scenario_result *out, por_error *err)
{
    POR_ASSERT(sc != NULL && cfg != NULL && out != NULL && cfg->threads >= 1);
    memset(out, 0, sizeof *out);
    uint64_t reps = sc->replications ? sc->replications : 1;
    por_crypto_stats *cs = por_xcalloc(reps, sizeof *cs);
    por_runner_config rc = {
        .first_rep = 0,
        .replications = reps,
        .threads = cfg->threads,
        .run = {.crypto_override = cfg->crypto_override, .horizon_override = 0,
                .trace = NULL, .crypto_stats = cs},
    };
    por_crypto_choice mode = cfg->crypto_override >= 0 ? (por_crypto_choice)cfg->crypto_override
                                                       : sc->feed.crypto;
    out->real_crypto = mode == POR_CRYPTO_MODE_REAL;
    uint32_t calib = cfg->calib_ops ? cfg->calib_ops : 2000;
    double sign_a = 0, verify_a = 0, sign_b = 0, verify_b = 0;
    if (out->real_crypto) /* half the per-op timing before the run, half after */
        por__ec_costs(calib / 2 + 1, &sign_a, &verify_a);
    por_runner_result res;
    memset(&res, 0, sizeof res);
    double c0 = por__cpu_now(), t0 = por__ns_now();
    por_status st = por_runner_run(sc, &rc, &res, err);
    double wall = (por__ns_now() - t0) / 1e9;
    out->cpu_seconds = por__cpu_now() - c0;

    out->replications = res.completed;
    out->threads = cfg->threads;
    out->events = res.events;
    out->sim_days = (double)sc->duration / (86400.0 * 1e9);
    out->wall_seconds = wall;
    if (wall > 0.0) {
        out->events_per_s = (double)res.events / wall;
        out->sim_days_per_wall_s = (double)res.completed * out->sim_days / wall;
        out->replications_per_s = (double)res.completed / wall;
    }
    for (uint64_t i = 0; i < res.completed; i++) {
        por_crypto_stats *c = &out->crypto;
        c->signs += cs[i].signs;
        c->recovers += cs[i].recovers;
        c->verify_calls += cs[i].verify_calls;
        c->cache_hits += cs[i].cache_hits;
        c->cache_misses += cs[i].cache_misses;
        c->ec_sign_ns += cs[i].ec_sign_ns;
        c->ec_verify_ns += cs[i].ec_verify_ns;
        c->recover_calls += cs[i].recover_calls;
        c->keys += cs[i].keys;
    }
    uint64_t lookups = out->crypto.cache_hits + out->crypto.cache_misses;
    out->cache_hit_rate = lookups ? (double)out->crypto.cache_hits / (double)lookups : 0.0;
    if (out->real_crypto && st == POR_OK) {
        por__ec_costs(calib / 2 + 1, &sign_b, &verify_b);
        out->ec_sign_cost_ns = 0.5 * (sign_a + sign_b);
        out->ec_verify_cost_ns = 0.5 * (verify_a + verify_b);
        out->ec_expected_ns = (double)out->crypto.signs * out->ec_sign_cost_ns +
                              (double)out->crypto.recovers * out->ec_verify_cost_ns;
        double measured = (double)(out->crypto.ec_sign_ns + out->crypto.ec_verify_ns);
        out->ec_ratio = out->ec_expected_ns > 0.0 ? measured / out->ec_expected_ns : 0.0;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        out->peak_rss_kib = ru.ru_maxrss; /* KiB on Linux */
    por_metric_table_destroy(res.table);
    free(cs);
    return st;
}

void por_bench_scenario_print(FILE *f, const por_scenario *sc, const por_bench_scenario_result *r)
{
    fprintf(f, "name=%s\n", sc->name);
    fprintf(f, "replications=%" PRIu64 "\n", r->replications);
    fprintf(f, "threads=%u\n", r->threads);
    fprintf(f, "sim_days=%.6g\n", r->sim_days);
    fprintf(f, "events=%" PRIu64 "\n", r->events);
    fprintf(f, "wall_seconds=%.3f\n", r->wall_seconds);
    fprintf(f, "cpu_seconds=%.3f\n", r->cpu_seconds);
    fprintf(f, "events_per_s=%.0f\n", r->events_per_s);
    fprintf(f, "events_per_cpu_s=%.0f\n",
            r->cpu_seconds > 0.0 ? (double)r->events / r->cpu_seconds : 0.0);
    fprintf(f, "sim_days_per_wall_s=%.4g\n", r->sim_days_per_wall_s);
    fprintf(f, "replications_per_s=%.4g\n", r->replications_per_s);
    fprintf(f, "peak_rss_kib=%ld\n", r->peak_rss_kib);
    fprintf(f, "crypto=%s\n", r->real_crypto ? "real" : "ideal");
    fprintf(f, "signs=%" PRIu64 "\n", r->crypto.signs);
    fprintf(f, "verify_calls=%" PRIu64 "\n", r->crypto.verify_calls);
    fprintf(f, "recover_calls=%" PRIu64 "\n", r->crypto.recover_calls);
    fprintf(f, "cache_hits=%" PRIu64 "\n", r->crypto.cache_hits);
    fprintf(f, "cache_misses=%" PRIu64 "\n", r->crypto.cache_misses);
    fprintf(f, "cache_hit_rate=%.4f\n", r->cache_hit_rate);
    if (r->real_crypto) {
        fprintf(f, "ec_sign_ns=%" PRIu64 "\n", r->crypto.ec_sign_ns);
        fprintf(f, "ec_verify_ns=%" PRIu64 "\n", r->crypto.ec_verify_ns);
        fprintf(f, "ec_sign_cost_ns=%.0f\n", r->ec_sign_cost_ns);
        fprintf(f, "ec_verify_cost_ns=%.0f\n", r->ec_verify_cost_ns);
        fprintf(f, "ec_expected_ns=%.0f\n", r->ec_expected_ns);
        fprintf(f, "ec_ratio=%.3f\n", r->ec_ratio);
    }
}

int por_cli_bench_scenario(int argc, char **argv)
{
    const char *file = NULL;
    por_cli_scenario_opts so;
    por_cli_scenario_opts_init(&so);
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i];
        int used;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(por__usage_bench_scenario, stdout);
            return 0;
        } else if ((used = por_cli_scenario_opt(&so, "bench", argc, argv, &i)) != 0) {
            if (used == 2)
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return por_cli_usage_error("bench", "unknown option %s", a);
        } else if (!file) {
            file = por_cli_find_scenario(a);
        } else {
            return por_cli_usage_error("bench", "one scenario file at a time (got %s and %s)", file, a);
        }
    }
    if (!file)
        return por_cli_usage_error("bench", "bench scenario needs a scenario file");
    /* -r and --seed are overrides after --set; --crypto is a run option here. */
    const char *sets[POR_CLI_MAX_SETS + 3];
    size_t nsets = so.nsets;
    memcpy(sets, so.sets, so.nsets * sizeof *sets);
    nsets += por_cli_scenario_flag_sets(&so, false, sets + nsets);
    const char *crypto = so.crypto;
    por_error err = {POR_OK, ""};
    por_scenario *sc = NULL;
    por_status st = por_scenario_load_file(file, sets, nsets, &sc, &err);
    if (st != POR_OK) {
        fprintf(stderr, "porsim: %s\n", err.msg);
        return por_status_exit_code(st);
    }
    if (por_cli_scenario_warnings(sc, so.strict)) {
        por_scenario_free(sc);
        return 2;
    }
    por_bench_scenario_config cfg = {
        .threads = (unsigned)so.threads,
        .crypto_override = !crypto ? -1
                           : !strcmp(crypto, "real") ? (int)POR_CRYPTO_MODE_REAL
                                                     : (int)POR_CRYPTO_MODE_IDEAL,
        .calib_ops = 0,
    };
    por_bench_scenario_result r;
    st = por_bench_scenario_run(sc, &cfg, &r, &err);
    if (st != POR_OK)
        fprintf(stderr, "porsim: %s\n", err.msg);
    else
        por_bench_scenario_print(stdout, sc, &r);
    por_scenario_free(sc);
    return por_status_exit_code(st);
}
