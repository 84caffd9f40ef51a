/* Small command-line helpers shared by porsim's subcommands (internal to sim/cli):
 * option matching, bounded integers, usage errors, JSON string output, and the --param
 * grid options of `sweep` and `tune`. */
#ifndef POR_CLI_CLIOPT_H
#define POR_CLI_CLIOPT_H

#include "por/layer.h"
#if POR__BELOW_CLI
#error "cli/cliopt.h is a cli header: only cli and tests include it (docs/ARCHITECTURE.md)"
#endif

#include "por/scenario.h"
#include "por/sweep_dir.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Prints "porsim CMD: <message>" and a pointer to `porsim help CMD` on stderr; returns 2
 * (the bad-input exit code). */
int por_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses an unsigned decimal integer in [MIN, MAX]; false if S is not one. */
bool por_cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Matches "-x VALUE", "--long VALUE" or "--long=VALUE" at argv[*I] (SHORT_NAME may be NULL).
 * On a match returns true and sets *VALUE (advancing *I past a separate value), or sets
 * *MISSING when the value is absent. */
bool por_cli_opt(int argc, char **argv, int *i, const char *short_name, const char *long_name,
                 const char **value, bool *missing);

/* The options every command that runs a scenario takes: -r/--replications N,
 * -j/--threads T, --seed S, --set PATH=VALUE (repeatable) and --crypto ideal|real. */
#define POR_CLI_MAX_SETS 256
typedef struct {
    const char *sets[POR_CLI_MAX_SETS]; /* the --set values, in order */
    size_t nsets;
    uint64_t reps, threads, seed;       /* threads defaults to 1 */
    bool have_reps, have_seed;
    bool strict;                        /* --strict: scenario warnings are errors */
    const char *crypto;                 /* "ideal", "real" or NULL */
    char flag_sets[3][64];              /* storage for the overrides of -r, --seed, --crypto */
} por_cli_scenario_opts;

void por_cli_scenario_opts_init(por_cli_scenario_opts *o);

/* Consumes the scenario option at argv[*I] if it is one. Returns 1 when consumed, 0 when
 * argv[*I] is not a scenario option, and 2 after printing a usage error for command CMD
 * (the caller returns 2). */
int por_cli_scenario_opt(por_cli_scenario_opts *o, const char *cmd, int argc, char **argv,
                         int *i);

/* Writes the overrides that -r, --seed and (when WITH_CRYPTO) --crypto stand for
 * ("replications=N", "seed=S", "feed.crypto=\"real\"") into OUT, in that order, and
 * returns how many. Callers apply them after every --set so the flags win and show in
 * the scenario hash. OUT needs room for 3 entries, which point into O. */
size_t por_cli_scenario_flag_sets(por_cli_scenario_opts *o, bool with_crypto, const char **out);

/* Prints SC's warnings (valid but suspicious input: a step after the end of the run,
 * an amount that looks like a fraction, a setting below libocr's mainnet minimum) to
 * stderr as "porsim: warning: ...", each distinct message once per process. With STRICT
 * and any warning, says they count as errors and returns true: the caller exits 2. */
bool por_cli_scenario_warnings(const por_scenario *sc, bool strict);

/* Parses a percentage option such as --until-ci: "5%" or "0.5%", or a bare number > 1
 * meaning percent ("5"). A bare number <= 1 ("0.05", "1") is refused as ambiguous
 * (a fraction or a percent?) with the two ways to write it in WHY. */
bool por_cli_parse_percent(const char *s, double max, double *out, char *why, size_t n);

/* The scenario file ARG names: ARG itself when it exists from the current folder (or is
 * absolute), else the same relative path (a leading "scenarios/" dropped) in the installed
 * scenario library, ../share/porsim/scenarios beside the running binary, when it is
 * there; else ARG (whose load then fails naming it). The result may point to a static
 * buffer that the next call reuses. */
const char *por_cli_find_scenario(const char *arg);

/* Writes S as a JSON string literal (quotes, backslashes and control bytes escaped). */
void por_cli_json_string(FILE *f, const char *s);

/* Stopping a command that runs replications. por_cli_stop_install makes SIGINT, SIGTERM
 * and (with MAX_WALL_S > 0) a wall-time budget raise the flag it returns (levels in
 * por/world.h): a first SIGINT (Ctrl-C) to POR_STOP_NEW, so the running replications
 * finish and no new one starts; a second SIGINT, any SIGTERM or the end of the wall-time
 * budget to POR_STOP_NOW, so running replications end at their next engine poll too.
 * Either way the command then writes what is complete and exits 1. */
volatile sig_atomic_t *por_cli_stop_install(double max_wall_s);

/* What raised the stop flag: "SIGINT", "SIGTERM", "--max-wall" or NULL (nothing yet). */
const char *por_cli_stop_reason(void);

/* Warns on stderr (for command CMD) when REPLICATIONS replications of SC are estimated
 * (por_world_estimate_events) to handle more than POR_WORLD_EVENTS_WARN events, naming
 * the parameter that drives the count and the bounds --max-wall and --max-events. */
void por_cli_warn_event_count(const char *cmd, const por_scenario *sc, uint64_t replications);

/* Parses --max-wall's value: a duration ("90s", "10m", "2h") or plain seconds. */
bool por_cli_parse_wall(const char *s, double *out_s);

/* One --param PATH=LIST option of `sweep` and `tune`: the scenario path and its values
 * (the list split by por_sweep_split_values, ranges expanded by por_param_expand_ranges).
 * All owned. */
typedef struct {
    char *path;
    char **values;
    size_t nvalues;
} por_cli_param;

/* If argv[*I] is --param, parses it into PARAMS[*NPARAMS] (at most MAX in all) and
 * advances *I. Returns 0 when it is not --param, 1 when used, 2 after printing a usage
 * error for CMD (no value, no PATH=, too many, a path given twice, a bad list or range). */
int por_cli_param_opt(por_cli_param *params, size_t *nparams, size_t max, const char *cmd,
                      int argc, char **argv, int *i);

/* Frees what the NPARAMS PARAMS own. */
void por_cli_params_free(por_cli_param *params, size_t nparams);

/* Fills the parameter part of grid G (zeroed by the caller): the paths, and the
 * cartesian product of the values with the last parameter varying fastest, and
 * allocates G's per-point hash, seed and replications (zeroed). Returns 0, or 2 after a
 * usage error for CMD when the grid has more than MAX_POINTS points. */
int por_cli_params_grid(const por_cli_param *params, size_t nparams, uint64_t max_points,
                        const char *cmd, por_sweep_grid *g);

/* The test-only faults (por_don_fault bits, por/don.h) named by the environment variable
 * POR_TEST_FAULT, into *FAULTS (0 when it is unset or empty), for por_run_options.
 * Returns false after printing "porsim: POR_TEST_FAULT: unknown fault ..." for a name
 * it does not know: the command then ends with exit status 1. */
bool por_cli_test_faults(unsigned *faults);

#endif
