/* One replication of a scenario: builds chains, custodians, the DON, the token and the
 * consumers in one simulation, and the world's event hub (world_hub.h) that carries their
 * events (reserve changes, reads, mints, redemptions, bridge moves, reorgs undoing supply
 * changes, answers, consumer reactions) to the subscribers below, in the order
 * por__world_subscribe documents: ground truth (world_truth.c), the safety invariants
 * (world_invariants.c), the scorer (world_score.c, which also fills the metric row; see
 * por/world.h for every column's meaning) and the trace (world_trace.c). What stays here
 * is wiring between models: backed mints and redemptions move the reserve custodian's
 * reserve, answers reach the consumers that listen to them, and the oracles read the
 * feed's sources. */
#include "por/world.h"

#include "world_internal.h"

#include "por/chain.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/don.h"
#include "por/engine.h"
#include "por/token.h"
#include "por/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An event of KIND at the current instant, with the token's outstanding supply. */
static por__world_event por__world_event_now(const por__world *w, por__world_event_kind kind)
{
    return (por__world_event){.kind = kind, .now = por_sim_now(w->sim),
                              .outstanding = por_token_outstanding(w->token)};
}

/* ---- the models' listeners: each publishes one event ---------------------------------- */

static void por__on_reserve(void *ctx, por_sim *sim, uint32_t index, por_amount before,
                            por_amount after)
{
    por__world *w = ctx;
    (void)sim;
    por__world_event ev = por__world_event_now(w, POR__WE_RESERVE);
    ev.reserve.index = index;
    ev.reserve.before = before;
    ev.reserve.after = after;
    por__hub_publish(&w->hub, &ev);
}

static void por__on_supply(void *ctx, por_sim *sim, const por_supply_event *s)
{
    por__world *w = ctx;
    (void)sim;
    por__world_event ev = por__world_event_now(w, s->undone   ? POR__WE_UNDONE
                                                  : s->bridge ? POR__WE_BRIDGE
                                                  : s->redeem ? POR__WE_REDEEM
                                                              : POR__WE_MINT);
    ev.supply = s;
    por__hub_publish(&w->hub, &ev);
}

static void por__on_answer(void *ctx, por_sim *sim, const por_round_data *rd)
{
    por__world *w = ctx;
    (void)sim;
    por__world_event ev = por__world_event_now(w, POR__WE_ANSWER);
    ev.answer = rd;
    por__hub_publish(&w->hub, &ev);
}

static void por__on_reaction(void *ctx, por_sim *sim, const por_consumer_reaction *r)
{
    por__world *w = ctx;
    (void)sim;
    por__world_event ev = por__world_event_now(w, POR__WE_REACTION);
    ev.reaction = r;
    por__hub_publish(&w->hub, &ev);
}

/* ---- wiring between models (hub subscribers) ------------------------------------------ */

/* A backed mint deposits its amount with the reserve custodian, a backed redemption pays
 * it out, token units rescaled to the custodian's decimals in the custodian's favour
 * (deposits rounded up, payouts down: exact when the amount fits the custodian's
 * decimals), deposit_delay after the supply change. */
static void por__backed_flow(por__world *w, const por_supply_event *ev)
{
    int32_t k = w->sc->token.reserve_custodian;
    if (k < 0)
        k = w->sc->feed.nsources ? (int32_t)w->sc->feed.sources[0] : 0;
    if ((size_t)k >= w->sc->ncustodians)
        return;
    por_custodian *c = w->custodians[k];
    uint32_t cd = por_custodian_decimals(c);
    por_amount x, back;
    if (!por_amount_rescale(ev->amount, w->token_decimals, cd, &x))
        x = POR_AMOUNT_MAX;
    else if (!ev->redeem && por_amount_rescale(x, cd, w->token_decimals, &back) && back < ev->amount)
        x++;
    por_custodian_change(c, w->sim, ev->redeem ? -x : x, w->sc->token.deposit_delay);
}

/* MINT, REDEEM, UNDONE: the backing moves (with no delay, the custodian's RESERVE event is
 * delivered inside this call, before truth hears of the supply change: the deposit came
 * with the mint). A reorg that undoes a backed change moves it back: a deposit returns, a
 * payout comes back. */
static void por__backing_on_supply(void *ctx, const por__world_event *ev)
{
    por__world *w = ctx;
    if (!ev->supply->backed)
        return;
    if (ev->kind != POR__WE_UNDONE) {
        por__backed_flow(w, ev->supply);
        return;
    }
    por_supply_event back = *ev->supply;
    back.redeem = !back.redeem;
    por__backed_flow(w, &back);
}

/* ANSWER: consumers without a poll interval read the feed on every answer. */
static void por__consumers_on_answer(void *ctx, const por__world_event *ev)
{
    por__world *w = ctx;
    (void)ev;
    for (size_t i = 0; i < w->sc->nconsumers; i++)
        if (w->sc->consumers[i].poll_every == 0)
            por_consumer_on_answer(w->consumers[i], w->sim);
}

/* A READ event for the trace (out of line: the event is large, and most runs have no
 * READ subscriber). */
static __attribute__((noinline)) void por__publish_read(por__world *w, uint32_t custodian,
                                                        uint32_t node, por_read_status st,
                                                        por_amount v, por_time_t lat)
{
    por__world_event ev = por__world_event_now(w, POR__WE_READ);
    ev.read.custodian = custodian;
    ev.read.node = node;
    ev.read.status = st;
    ev.read.value = st == POR_READ_OK ? v : 0;
    ev.read.latency = lat;
    por__hub_publish(&w->hub, &ev);
}

/* One source's reading in the feed's decimals: true and *SCALED when the read succeeded
 * and the scaling did not overflow; *LAT in every case. The custodian's decimals come
 * from the configuration (por_custodian_decimals' answer), read only when there is no
 * factor. */
static inline bool por__read_source(por__world *w, uint32_t src, por_sim *sim, uint32_t node,
                                    gsl_rng *rng, por_amount *scaled, por_time_t *lat)
{
    por_amount v = 0;
    por_read_status st = por_custodian_read(w->custodians[src], sim, node, rng, &v, lat);
    if (por__hub_heard(&w->hub, POR__WE_READ))
        por__publish_read(w, src, node, st, v, *lat);
    return st == POR_READ_OK &&
           por__scale_by(v, w->to_feed[src], w->sc->custodians[src].decimals,
                         w->feed_decimals, scaled);
}

bool por__observe_sources(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng,
                          por_amount *value, por_time_t *latency)
{
    por__world *w = ctx;
    const por_feed_config *feed = &w->sc->feed;
    por_amount sum = 0;
    por_time_t slowest = 0;
    bool ok = true;
    /* The node queries every source in parallel: it waits for the slowest answer. */
    for (size_t i = 0; i < feed->nsources; i++) {
        por_amount scaled;
        por_time_t lat;
        if (!por__read_source(w, feed->sources[i], sim, node, rng, &scaled, &lat) ||
            !por_amount_add(sum, scaled, &sum))
            ok = false;
        if (lat > slowest)
            slowest = lat;
    }
    *latency = slowest;
    if (ok)
        *value = sum;
    return ok;
}

bool por__observe(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng, por_amount *value,
                  por_time_t *latency)
{
    por__world *w = ctx;
    const por_feed_config *feed = &w->sc->feed;
    if (feed->nsources != 1)
        return por__observe_sources(ctx, sim, node, rng, value, latency);
    /* por__observe_sources' loop run once: the sum 0 + scaled cannot overflow, and the
     * slowest answer is max(0, the latency) */
    por_amount scaled;
    por_time_t lat;
    bool ok = por__read_source(w, feed->sources[0], sim, node, rng, &scaled, &lat);
    *latency = lat > 0 ? lat : 0;
    if (ok)
        *value = scaled;
    return ok;
}

static void por__feed_latest(void *ctx, por_round_data *out)
{
    por_aggregator_latest(ctx, out);
}

/* ---- the subscription order ----------------------------------------------------------
 *
 * Each event kind reaches its subscribers in this order, which is part of determinism
 * (docs/ARCHITECTURE.md "The world"):
 *
 *   START     truth, trace
 *   RESERVE   truth, trace
 *   READ      trace
 *   MINT      backing, truth, invariant, scorer, trace
 *   REDEEM    backing, truth, scorer, trace
 *   BRIDGE    trace (outstanding supply, truth's, did not change)
 *   UNDONE    backing, scorer, truth
 *   ANSWER    scorer, trace, consumers
 *   REACTION  scorer, trace
 *   FINISH    scorer
 *
 * backing first: the deposit of a backed mint reaches truth before the mint does. truth
 * before the invariant and the scorer: the mint that causes onset counts as unbacked. On
 * UNDONE the scorer takes its counts back against the onset as it stood when it counted
 * them, then truth re-checks. The trace comes after what it reports (truth's reserve) and
 * before the consumers, whose reactions it records after the answer. The trace subscribes
 * only when tracing is on. */
static void por__world_subscribe(por__world *w)
{
    por__world_hub *h = &w->hub;
    por__world_trace *tr = w->trace ? &w->tr : NULL;
    por__hub_init(h);

    por__hub_subscribe(h, POR__WE_START, por__truth_on_supply, &w->truth);
    por__hub_subscribe(h, POR__WE_RESERVE, por__truth_on_reserve, &w->truth);

    por__hub_subscribe(h, POR__WE_MINT, por__backing_on_supply, w);
    por__hub_subscribe(h, POR__WE_MINT, por__truth_on_supply, &w->truth);
    por__hub_subscribe(h, POR__WE_MINT, por__invariants_on_mint, &w->inv);
    por__hub_subscribe(h, POR__WE_MINT, por__score_on_mint, &w->score);

    por__hub_subscribe(h, POR__WE_REDEEM, por__backing_on_supply, w);
    por__hub_subscribe(h, POR__WE_REDEEM, por__truth_on_supply, &w->truth);
    por__hub_subscribe(h, POR__WE_REDEEM, por__score_on_redeem, &w->score);

    por__hub_subscribe(h, POR__WE_UNDONE, por__backing_on_supply, w);
    por__hub_subscribe(h, POR__WE_UNDONE, por__score_on_undone, &w->score);
    por__hub_subscribe(h, POR__WE_UNDONE, por__truth_on_supply, &w->truth);

    por__hub_subscribe(h, POR__WE_ANSWER, por__score_on_answer, &w->score);
    por__hub_subscribe(h, POR__WE_REACTION, por__score_on_reaction, &w->score);
    por__hub_subscribe(h, POR__WE_FINISH, por__score_on_finish, &w->score);

    if (tr) {
        por__hub_subscribe(h, POR__WE_START, por__world_trace_on_start, tr);
        por__hub_subscribe(h, POR__WE_RESERVE, por__world_trace_on_reserve, tr);
        por__hub_subscribe(h, POR__WE_READ, por__world_trace_on_read, tr);
        por__hub_subscribe(h, POR__WE_MINT, por__world_trace_on_supply, tr);
        por__hub_subscribe(h, POR__WE_REDEEM, por__world_trace_on_supply, tr);
        por__hub_subscribe(h, POR__WE_BRIDGE, por__world_trace_on_bridge, tr);
        por__hub_subscribe(h, POR__WE_ANSWER, por__world_trace_on_answer, tr);
        por__hub_subscribe(h, POR__WE_REACTION, por__world_trace_on_reaction, tr);
    }

    por__hub_subscribe(h, POR__WE_ANSWER, por__consumers_on_answer, w);
}

/* ---- the world entity: START and FINISH ----------------------------------------------- */

static void por__world_init(por_sim *sim, void *self)
{
    por__world *w = self;
    (void)sim;
    por__world_event ev = por__world_event_now(w, POR__WE_START);
    por__hub_publish(&w->hub, &ev);
}

static void por__world_finish(por_sim *sim, void *self)
{
    por__world *w = self;
    (void)sim;
    por__world_event ev = por__world_event_now(w, POR__WE_FINISH);
    por__hub_publish(&w->hub, &ev);
}

static void por__world_handle(por_sim *sim, void *self, por_event *ev)
{
    (void)sim, (void)self, (void)ev;
    POR_ASSERT(!"the world entity receives no events");
}

static const por_entity_kind por__world_kind = {
    "world", por__world_init, por__world_handle, por__world_finish, NULL,
};

/* Checks the indices the models rely on; the loader validates the rest. */
static por_status por__check_indices(const por_scenario *sc, por_error *err)
{
    if (sc->feed.chain >= sc->nchains)
        return por_error_set(err, POR_EINPUT, "%s: feed chain %u does not exist", sc->name,
                             (unsigned)sc->feed.chain);
    for (size_t i = 0; i < sc->feed.nsources; i++)
        if (sc->feed.sources[i] >= sc->ncustodians)
            return por_error_set(err, POR_EINPUT, "%s: feed source %u does not exist", sc->name,
                                 (unsigned)sc->feed.sources[i]);
    for (size_t i = 0; i < sc->token.nchains; i++)
        if (sc->token.chains[i] >= sc->nchains)
            return por_error_set(err, POR_EINPUT, "%s: token chain %u does not exist", sc->name,
                                 (unsigned)sc->token.chains[i]);
    return POR_OK;
}

static void por__world_free(por__world *w)
{
    por_sim_destroy(w->sim);
    if (w->don)
        por_don_destroy(w->don);
    for (size_t i = 0; w->chains && i < w->sc->nchains; i++)
        if (w->chains[i])
            por_chain_destroy(w->chains[i]);
    for (size_t i = 0; w->custodians && i < w->sc->ncustodians; i++)
        por_custodian_destroy(w->custodians[i]);
    por_token_destroy(w->token);
    for (size_t i = 0; w->consumers && i < w->sc->nconsumers; i++)
        por_consumer_destroy(w->consumers[i]);
    free(w->chains);
    free(w->custodians);
    free(w->to_feed);
    free(w->consumers);
    por__truth_close(&w->truth);
}

/* Builds every model; returns POR_OK or the first model's refusal. */
static por_status por__world_build(por__world *w, const por_scenario *sc, por_error *err)
{
    por_sim *sim = w->sim;
    w->entity = por_sim_add_entity(sim, &por__world_kind, w);
    w->chains = por_xcalloc(sc->nchains ? sc->nchains : 1, sizeof *w->chains);
    for (size_t i = 0; i < sc->nchains; i++)
        w->chains[i] = por_chain_create(&sc->chains[i], (uint32_t)i, sim);
    w->custodians = por_xcalloc(sc->ncustodians ? sc->ncustodians : 1, sizeof *w->custodians);
    w->to_feed = por_xcalloc(sc->ncustodians ? sc->ncustodians : 1, sizeof *w->to_feed);
    for (size_t i = 0; i < sc->ncustodians; i++)
        w->to_feed[i] = por__scale_factor(sc->custodians[i].decimals, w->feed_decimals);
    for (size_t i = 0; i < sc->ncustodians; i++) {
        w->custodians[i] = por_custodian_create(&sc->custodians[i], (uint32_t)i, sim,
                                                sc->attackers, sc->nattackers, err);
        if (!w->custodians[i])
            return POR_EINPUT;
        por_custodian_add_listener(w->custodians[i], por__on_reserve, w);
        if (sc->custodians[i].source == POR_SOURCE_WALLET && sc->custodians[i].wallet_chain >= 0 &&
            (size_t)sc->custodians[i].wallet_chain < sc->nchains)
            por_custodian_set_wallet_chain(w->custodians[i], w->chains[sc->custodians[i].wallet_chain]);
    }
    por_observer obs = {por__observe, w};
    w->don = por_don_create(sc, sim, w->chains[sc->feed.chain], obs);
    if (w->opt && w->opt->test_faults) /* testing aid (por_run_options.test_faults) */
        por_don_set_test_faults(w->don, w->opt->test_faults);
    w->agg = por_don_aggregator(w->don);
    por_aggregator_add_listener(w->agg, por__on_answer, w);
    por_feed_reader reader = {por__feed_latest, w->agg, w->feed_decimals};
    por__invariants_init(&w->inv, sc, reader);
    w->token = por_token_create(&sc->token, sim, reader, sc->attackers, sc->nattackers,
                                w->horizon, err);
    if (!w->token)
        return POR_EINPUT;
    if (por_don_test_faults(w->don) & POR_DON_FAULT_TOKEN_SKIP_GUARD) /* testing aid */
        por_token_set_fault(w->token, POR_TOKEN_FAULT_SKIP_GUARD);
    por_token_set_chains(w->token, w->chains); /* mints and redemptions are transactions */
    por_token_add_listener(w->token, por__on_supply, w);
    w->refresh = (por__refresh){.sc = sc, .chain = w->chains[sc->feed.chain], .agg = w->agg,
                                .token = w->token, .trace = w->trace, .sim = sim};
    por__refresh_wire(&w->refresh);
    w->consumers = por_xcalloc(sc->nconsumers ? sc->nconsumers : 1, sizeof *w->consumers);
    for (size_t i = 0; i < sc->nconsumers; i++) {
        w->consumers[i] = por_consumer_create(&sc->consumers[i], (uint32_t)i, sim, reader,
                                              w->token, err);
        if (!w->consumers[i])
            return POR_EINPUT;
        por_consumer_add_listener(w->consumers[i], por__on_reaction, w);
    }
    return POR_OK;
}

/* The engine's poll hook: ends the replication on a stop request or its event budget. */
static void por__world_poll(void *ctx, por_sim *sim)
{
    const por__world *w = ctx;
    bool stop = w->opt->stop && *w->opt->stop >= POR_STOP_NOW;
    bool budget = w->opt->max_events && por_sim_events_handled(sim) >= w->opt->max_events;
    if (!stop && !budget)
        return;
    char now[64], end[64];
    por_duration_format(por_sim_now(sim), now, sizeof now);
    por_duration_format(w->horizon, end, sizeof end);
    if (stop)
        por_sim_fail(sim, POR_EINTERRUPTED, "replication %llu stopped at simulated time %s of %s",
                     (unsigned long long)por_sim_replication(sim), now, end);
    else
        por_sim_fail(sim, POR_EINTERRUPTED,
                     "replication %llu reached --max-events %llu at simulated time %s of %s",
                     (unsigned long long)por_sim_replication(sim),
                     (unsigned long long)w->opt->max_events, now, end);
}

por_status por_world_run_replication(const por_scenario *sc, uint64_t rep,
                                     const por_run_options *opt, por_metric_cell *cells,
                                     char *out_strings, por_error *err)
{
    por_status st = por__check_indices(sc, err);
    if (st != POR_OK)
        return st;
    /* A shallow copy carries the run options; everything it points to stays shared. */
    por_scenario eff = *sc;
    if (opt && opt->crypto_override >= 0)
        eff.feed.crypto = (por_crypto_choice)opt->crypto_override;
    por__world w;
    memset(&w, 0, sizeof w);
    w.sc = &eff;
    w.horizon = opt && opt->horizon_override > 0 ? opt->horizon_override : sc->duration;
    w.token_decimals = sc->token.decimals;
    w.feed_decimals = sc->feed.decimals;
    por__truth_init(&w.truth, eff.custodians, eff.ncustodians, w.token_decimals,
                    sc->onset_ratio_ppb > 0 ? sc->onset_ratio_ppb : POR_PPB_ONE);
    por__score_init(&w.score, &w.truth, w.feed_decimals, w.token_decimals);
    w.sim = por_sim_create(sc->seed, rep);
    por_sim_set_user(w.sim, &w);
    w.opt = opt;
    if (opt && (opt->stop || opt->max_events))
        por_sim_set_poll(w.sim, por__world_poll, &w);
    st = por__world_build(&w, &eff, err);
    if (st == POR_OK && opt && opt->trace) {
        w.trace = opt->trace;
        w.tr = (por__world_trace){.sink = w.trace, .sim = w.sim, .truth = &w.truth};
        w.refresh.trace = w.trace;
        por_don_set_trace(w.don, w.trace);
    }
    if (st == POR_OK)
        por__world_subscribe(&w);
    if (st == POR_OK) {
        st = por_sim_run(w.sim, w.horizon);
        if (st != POR_OK)
            por_error_set(err, st, "%s", por_sim_error(w.sim)->msg);
    }
    if (st == POR_OK && opt && opt->crypto_stats && w.don)
        por_crypto_get_stats(por_don_crypto(w.don), &opt->crypto_stats[rep]);
    if (st == POR_OK) {
        por__world_fill_cells(&w, cells, out_strings);
        por_don_stats ds;
        por_don_get_stats(w.don, &ds);
        st = por__invariants_verdict(&w.inv, &ds, por_don_violation(w.don), sc->name, rep, err);
    }
    por__world_free(&w);
    return st;
}
