/* The trace renderers (sim/io/trace_*.c), above the models: the text timeline
 * (streaming), the self-contained HTML page and the CSV time series, each a sink of
 * por/trace.h records that formats them knowing the scenario (names, units, decimals),
 * and the `porsim trace` command (sim/cli/trace_cmd.c) that tees them. Models and the
 * network never include this header: they emit records through por/trace.h only. */
#ifndef POR_TRACE_RENDER_H
#define POR_TRACE_RENDER_H

#include "por/layer.h"
#if POR__BELOW_IO
#error "por/trace_render.h is an io header: engine, trace, crypto, net, stats and models never include it (docs/ARCHITECTURE.md)"
#endif

#include "por/amount.h"
#include "por/error.h"
#include "por/scenario.h"
#include "por/time.h"
#include "por/trace.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Formats V (base units with DECIMALS) for people: thousands separated by commas, at
 * most FRAC fractional digits (truncated), e.g. "1,000,000,000.00". BUF needs 64 bytes.
 * Returns BUF. */
char *por_trace_amount(por_amount v, unsigned decimals, unsigned frac, char *buf, size_t n);

/* ---- the text timeline (sim/io/trace_text.c) -------------------------------------- */

typedef enum {
    POR_TRACE_LEVEL_SUMMARY, /* truth, reserves, answers, mints, leader changes, attacks */
    POR_TRACE_LEVEL_ROUND,   /* + every OCR round: leader, observations, decision, FINAL,
                                transmissions */
    POR_TRACE_LEVEL_MESSAGE, /* + every message with its latency, every read and vote */
} por_trace_level;

/* Parses "summary" | "round" | "message"; false when S is none of them. */
bool por_trace_level_parse(const char *s, por_trace_level *out);

typedef struct por_trace_text por_trace_text;

/* Creates a text formatter writing to OUT (borrowed) for scenario SC (borrowed, must
 * outlive it): records with FROM <= time <= TO are printed at LEVEL, in ANSI colour when
 * COLOUR. Lines are written as records arrive (nothing is held but O(n) per round).
 * Caller frees with por_trace_text_destroy; its sink is por_trace_text_sink(t). */
por_trace_text *por_trace_text_create(FILE *out, const por_scenario *sc, por_trace_level level,
                                      bool colour, por_time_t from, por_time_t to);
por_trace_sink *por_trace_text_sink(por_trace_text *t);
/* Prints the closing summary (what happened, how many lines were shown) at END (the
 * time the run stopped). */
void por_trace_text_finish(por_trace_text *t, por_time_t end);
void por_trace_text_destroy(por_trace_text *t);
/* Lines printed so far. */
uint64_t por_trace_text_lines(const por_trace_text *t);

/* ---- the HTML page (sim/io/trace_html.c) ------------------------------------------ */

typedef struct por_trace_html por_trace_html;

/* Creates a collector for scenario SC (borrowed) and the window [FROM, TO] (TO =
 * horizon when larger): it keeps the true reserve, reported answer and supply
 * downsampled to at most POR_TRACE_HTML_BUCKETS points, and the messages of at most
 * POR_TRACE_HTML_MAX_ROUNDS rounds in the window. Caller frees with
 * por_trace_html_destroy; its sink is por_trace_html_sink(h). */
#define POR_TRACE_HTML_BUCKETS 800
#define POR_TRACE_HTML_MAX_ROUNDS 150
#define POR_TRACE_HTML_MAX_MSGS 600
por_trace_html *por_trace_html_create(const por_scenario *sc, uint64_t replication,
                                      por_time_t from, por_time_t to);
por_trace_sink *por_trace_html_sink(por_trace_html *h);
/* Writes the self-contained page (inline CSS, SVG and a few lines of JS; no network
 * resource) to PATH. END is the time the run stopped. Returns POR_OK or POR_EIO with a
 * message in ERR. */
por_status por_trace_html_write(por_trace_html *h, const char *path, por_time_t end,
                                por_error *err);
void por_trace_html_destroy(por_trace_html *h);

/* ---- the CSV time series (sim/io/trace_series.c) ---------------------------------- */

typedef struct por_trace_series por_trace_series;

/* Starts the time series of one replication of scenario SC (borrowed, must outlive it)
 * in a temporary file next to PATH, header written: rows are
 * t_seconds,true_reserve,reported_answer,total_supply,true_ratio,reported_ratio,event,
 * one per TRUTH record (event start | reserve | supply) and per ANSWER record (event
 * answer), streamed as they arrive, and the closing row of por_trace_series_finish. Returns the collector, or NULL with ERR set (POR_EIO
 * when the file cannot be created, e.g. a missing directory; POR_EINPUT for an empty or
 * too long name). At most one series is open per process. Caller ends it with
 * por_trace_series_commit (optional) and por_trace_series_destroy; its sink is
 * por_trace_series_sink(s). */
por_trace_series *por_trace_series_create(const char *path, const por_scenario *sc,
                                          por_error *err);
por_trace_sink *por_trace_series_sink(por_trace_series *s);
/* Writes the closing row (event end): the current values at END, the time the run
 * stopped. Call once, after the run and before the commit. */
void por_trace_series_finish(por_trace_series *s, por_time_t end);
/* Flushes and renames the temporary file onto PATH. Returns POR_OK, or POR_EIO with ERR
 * set (a failed write or rename: the temporary file is removed, PATH is untouched). */
por_status por_trace_series_commit(por_trace_series *s, por_error *err);
/* Frees S (NULL is fine); without a successful commit its temporary file is removed. */
void por_trace_series_destroy(por_trace_series *s);
/* Rows written so far (the header not counted). */
uint64_t por_trace_series_rows(const por_trace_series *s);
/* Removes the open series' temporary file, if any. Async-signal-safe: for a SIGINT or
 * SIGTERM handler (exit() paths are covered by an atexit handler). */
void por_trace_series_signal_cleanup(void);
/* Formats (NUM / 10^NUM_DEC) / (DEN / 10^DEN_DEC) exactly, truncated toward zero to 9
 * decimals ("0.950000000"), into BUF (96 bytes suffice); "" when DEN <= 0. */
void por_trace_series_ratio(por_amount num, unsigned num_dec, por_amount den, unsigned den_dec,
                            char *buf, size_t n);

/* ---- the command (sim/cli/trace_cmd.c) -------------------------------------------- */

/* `porsim trace` with ARGV[1] == "trace": returns the process exit code. */
int por_trace_main(int argc, char **argv);
extern const char por_trace_usage[];

#endif
