/* One replication of a scenario: builds chains, custodians, the DON, the token and the
 * consumers in one simulation and wires their events: ground truth as reserves and supply
 * change, the safety invariant, the trace (world_trace.c); the run is scored into one
 * metric row by world_score.c (see por/world.h for every column's meaning). */
#include "por/world.h"

#include "world_internal.h"

#include "por/chain.h"
#include "por/consumer.h"
#include "por/custodian.h"
#include "por/don.h"
#include "por/engine.h"
#include "por/net.h"
#include "por/token.h"
#include "por/trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static por_amount por__sat_add(por_amount a, por_amount b)
{
    por_amount s;
    return por_amount_add(a, b, &s) ? s : (b > 0 ? POR_AMOUNT_MAX : POR_AMOUNT_MIN);
}

/* Re-checks the collateralization ratio after a change of reserves or supply. Truth's
 * supply is the outstanding one: on-chain + in flight on a bridge (por/token.h). */
static void por__truth_check(por__world *w)
{
    por_amount supply = por_token_outstanding(w->token);
    double r = por_ratio_to_double(w->reserve_total, supply);
    if (r < w->min_ratio)
        w->min_ratio = r;
    if (!w->onset && por_ratio_below(w->reserve_total, supply, w->onset_ppb)) {
        w->onset = true;
        w->onset_at = por_sim_now(w->sim);
    }
}

static void por__on_reserve(void *ctx, por_sim *sim, uint32_t index, por_amount before,
                            por_amount after)
{
    por__world *w = ctx;
    (void)sim, (void)before;
    if (w->trace)
        por__world_trace_reserve(&w->tr, index, before, after);
    por_amount v;
    if (!por_amount_rescale(after, por_custodian_decimals(w->custodians[index]),
                            w->token_decimals, &v))
        v = POR_AMOUNT_MAX;
    w->reserve_tok[index] = v;
    w->reserve_total = 0;
    for (size_t i = 0; i < w->sc->ncustodians; i++)
        w->reserve_total = por__sat_add(w->reserve_total, w->reserve_tok[i]);
    por__truth_check(w);
    if (w->trace)
        por__world_trace_truth(&w->tr, POR_TRUTH_RESERVE, w->reserve_total,
                               por_token_outstanding(w->token), w->onset_ppb);
}

/* The safety invariant, checked independently of the guard's own verdict: after an
 * accepted guarded mint, supply <= mintable(latest reported reserve), the answer positive
 * and not stale, where supply is the one the guard is specified to read (the minting
 * chain's with secure_mint.supply LOCAL, the total with GLOBAL). */
static void por__check_invariant(por__world *w, const por_supply_event *ev)
{
    const por_secure_mint_config *sm = &w->sc->token.secure_mint;
    if (!sm->enabled || ev->result != POR_MINT_ACCEPTED)
        return;
    por_round_data rd;
    por_aggregator_latest(w->agg, &rd);
    por_time_t now = por_sim_now(w->sim);
    por_amount reserve, limit;
    const char *why = NULL;
    if (rd.round_id == 0)
        why = "no answer";
    else if (rd.answer <= 0)
        why = "non-positive answer";
    else if (rd.updated_at > now ||
             (sm->max_staleness > 0 && now - rd.updated_at > sm->max_staleness))
        why = "stale or future answer";
    else if (!por_amount_rescale(rd.answer, w->feed_decimals, w->token_decimals, &reserve) ||
             !por_secure_mint_mintable(sm, reserve, &limit))
        why = "mintable does not fit";
    else if (ev->guard_supply_after > limit)
        why = "supply above mintable"; /* the supply the guard reads: its chain's (LOCAL) */
    if (!why)
        return;
    w->invariant_violations++;
    if (w->invariant_violations == 1) {
        char t[48];
        snprintf(w->violation, sizeof w->violation,
                 "Secure Mint accepted a mint of %s at %s: %s",
                 por_amount_format(ev->amount, w->token_decimals, false, t, sizeof t),
                 por_time_format_clock(now, (char[40]){0}, 40), why);
    }
}

/* A backed mint deposits its amount with the reserve custodian, a backed redemption pays
 * it out, token units rescaled to the custodian's decimals in the custodian's favour
 * (deposits rounded up, payouts down: exact when the amount fits the custodian's
 * decimals), deposit_delay after the supply change. */
static void por__backed_flow(por__world *w, por_sim *sim, const por_supply_event *ev)
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
    por_custodian_change(c, sim, ev->redeem ? -x : x, w->sc->token.deposit_delay);
}

/* A reorg removed the block of a mint or redemption (EV as first reported, undone): its
 * counts and its deposit or payout are taken back. mint_block and feed_detect keep their
 * first time (they record when the chain first showed it); a refusal stays counted in
 * false_rejections. */
static void por__on_supply_undone(por__world *w, por_sim *sim, const por_supply_event *ev)
{
    if (ev->backed) {
        por_supply_event back = *ev;
        back.redeem = !ev->redeem; /* the opposite flow: a deposit returns, a payout comes back */
        por__backed_flow(w, sim, &back);
    }
    if (ev->redeem)
        w->redeems--;
    else if (ev->result == POR_MINT_ACCEPTED) {
        w->mints_accepted--;
        /* it counted as unbacked when it was included at or after onset and before the
         * first refusal */
        if (w->onset && ev->applied_at >= w->onset_at &&
            (!w->blocked || ev->applied_at < w->block_at))
            w->unbacked -= ev->amount;
    } else {
        w->mints_refused--;
    }
    por__truth_check(w);
}

static void por__on_supply(void *ctx, por_sim *sim, const por_supply_event *ev)
{
    por__world *w = ctx;
    if (ev->undone) {
        por__on_supply_undone(w, sim, ev);
        return;
    }
    if (ev->bridge) { /* on-chain supply moved; outstanding supply (truth) did not */
        if (w->trace)
            por__world_trace_bridge(&w->tr, ev);
        return;
    }
    if (ev->backed)
        por__backed_flow(w, sim, ev); /* before the truth check: the deposit came with the mint */
    if (w->trace) {
        por__world_trace_supply(&w->tr, ev);
        if (ev->redeem || ev->result == POR_MINT_ACCEPTED)
            por__world_trace_truth(&w->tr, POR_TRUTH_SUPPLY, w->reserve_total,
                                   por_token_outstanding(w->token), w->onset_ppb);
    }
    if (ev->redeem) {
        w->redeems++;
        por__truth_check(w);
        return;
    }
    if (ev->result == POR_MINT_ACCEPTED) {
        w->mints_accepted++;
        por__check_invariant(w, ev);
        por__truth_check(w); /* the mint that causes onset counts as unbacked */
        if (w->onset && !w->blocked)
            w->unbacked = por__sat_add(w->unbacked, ev->amount);
        return;
    }
    w->mints_refused++;
    por_amount after;
    if (por_amount_add(ev->supply_before, ev->amount, &after) &&
        por_amount_add(after, ev->in_flight, &after) &&
        !por_ratio_below(w->reserve_total, after, w->onset_ppb))
        w->false_rejections++;
    if (w->onset && !w->blocked) {
        w->blocked = true;
        w->block_at = por_sim_now(sim);
    }
}

static void por__on_answer(void *ctx, por_sim *sim, const por_round_data *rd)
{
    por__world *w = ctx;
    por_time_t now = por_sim_now(sim);
    if (w->trace)
        por__world_trace_answer(&w->tr, rd, por_token_outstanding(w->token));
    if (now - w->last_updated_at > w->max_staleness)
        w->max_staleness = now - w->last_updated_at;
    w->last_updated_at = rd->updated_at;
    por_amount reported;
    if (w->onset && !w->detected &&
        por_amount_rescale(rd->answer, w->feed_decimals, w->token_decimals, &reported) &&
        por_ratio_below(reported, por_token_outstanding(w->token), w->onset_ppb)) {
        w->detected = true;
        w->detect_at = now;
    }
    for (size_t i = 0; i < w->sc->nconsumers; i++)
        if (w->sc->consumers[i].poll_every == 0)
            por_consumer_on_answer(w->consumers[i], sim);
}

static void por__on_reaction(void *ctx, por_sim *sim, const por_consumer_reaction *r)
{
    por__world *w = ctx;
    if (w->trace)
        por__world_trace_reaction(&w->tr, r);
    if (r->engaged && w->onset && !w->reacted) {
        w->reacted = true;
        w->react_at = por_sim_now(sim);
    }
}

static bool por__observe(void *ctx, por_sim *sim, uint32_t node, gsl_rng *rng, por_amount *value,
                         por_time_t *latency)
{
    por__world *w = ctx;
    const por_feed_config *feed = &w->sc->feed;
    por_amount sum = 0;
    por_time_t slowest = 0;
    bool ok = true;
    /* The node queries every source in parallel: it waits for the slowest answer. */
    for (size_t i = 0; i < feed->nsources; i++) {
        por_custodian *c = w->custodians[feed->sources[i]];
        por_amount v, scaled;
        por_time_t lat;
        por_read_status st = por_custodian_read(c, sim, node, rng, &v, &lat);
        if (w->trace)
            por__world_trace_read(&w->tr, feed->sources[i], node, st, v, lat);
        if (lat > slowest)
            slowest = lat;
        if (st != POR_READ_OK ||
            !por_amount_rescale(v, por_custodian_decimals(c), w->feed_decimals, &scaled) ||
            !por_amount_add(sum, scaled, &sum))
            ok = false;
    }
    *latency = slowest;
    if (ok)
        *value = sum;
    return ok;
}

static void por__feed_latest(void *ctx, por_round_data *out)
{
    por_aggregator_latest(ctx, out);
}

static void por__world_init(por_sim *sim, void *self)
{
    por__world *w = self;
    (void)sim;
    por__truth_check(w);
    if (w->trace)
        por__world_trace_truth(&w->tr, POR_TRUTH_START, w->reserve_total,
                               por_token_outstanding(w->token), w->onset_ppb);
}

static void por__world_finish(por_sim *sim, void *self)
{
    por__world *w = self;
    por_time_t now = por_sim_now(sim);
    if (now - w->last_updated_at > w->max_staleness)
        w->max_staleness = now - w->last_updated_at;
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
    free(w->consumers);
    free(w->reserve_tok);
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
    w->reserve_tok = por_xcalloc(sc->ncustodians ? sc->ncustodians : 1, sizeof *w->reserve_tok);
    for (size_t i = 0; i < sc->ncustodians; i++) {
        w->custodians[i] = por_custodian_create(&sc->custodians[i], (uint32_t)i, sim,
                                                sc->attackers, sc->nattackers, err);
        if (!w->custodians[i])
            return POR_EINPUT;
        por_amount v;
        if (!por_amount_rescale(sc->custodians[i].initial, sc->custodians[i].decimals,
                                w->token_decimals, &v))
            v = POR_AMOUNT_MAX;
        w->reserve_tok[i] = v;
        w->reserve_total = por__sat_add(w->reserve_total, v);
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

/* The OCR safety invariants (see por/world.h): a message in OUT and true when one broke
 * that the scenario did not grant the attacker the power to break. */
static bool por__ocr_violation(const por__world *w, char *out, size_t len)
{
    por_don_stats ds;
    por_don_get_stats(w->don, &ds);
    const char *why = por_don_violation(w->don);
    uint32_t f = w->sc->feed.ocr.f;
    if (ds.undersigned_accepted || ds.forged_undersigned_accepted) {
        snprintf(out, len, "%s (%llu reports)",
                 why ? why : "a forged report was accepted with fewer than f+1 valid signatures",
                 (unsigned long long)(ds.undersigned_accepted + ds.forged_undersigned_accepted));
        return true;
    }
    if (ds.forged_accepted && !w->keys_granted) {
        snprintf(out, len, "%llu forged reports accepted although at most f=%u keys were stolen",
                 (unsigned long long)ds.forged_accepted, (unsigned)f);
        return true;
    }
    if (ds.median_outside_honest && w->nbyzantine <= f) {
        snprintf(out, len, "%s with %u byzantine oracles, f=%u (%llu reports)",
                 why ? why : "an accepted median left the honest range", (unsigned)w->nbyzantine,
                 (unsigned)f, (unsigned long long)ds.median_outside_honest);
        return true;
    }
    return false;
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
    w.onset_ppb = sc->onset_ratio_ppb > 0 ? sc->onset_ratio_ppb : POR_PPB_ONE;
    w.min_ratio = INFINITY;
    for (size_t i = 0; i < sc->nattackers; i++)
        if (sc->attackers[i].kind == POR_ATTACK_KEY_COMPROMISE &&
            sc->attackers[i].nnodes >= (size_t)sc->feed.ocr.f + 1)
            w.keys_granted = true;
    uint32_t byz = 0;
    for (size_t i = 0; i < sc->nattackers; i++)
        if (sc->attackers[i].kind == POR_ATTACK_BYZANTINE)
            for (size_t k = 0; k < sc->attackers[i].nnodes; k++)
                if (sc->attackers[i].nodes[k] < 32)
                    byz |= 1u << sc->attackers[i].nodes[k];
    for (; byz; byz &= byz - 1)
        w.nbyzantine++;
    w.sim = por_sim_create(sc->seed, rep);
    por_sim_set_user(w.sim, &w);
    w.opt = opt;
    if (opt && (opt->stop || opt->max_events))
        por_sim_set_poll(w.sim, por__world_poll, &w);
    st = por__world_build(&w, &eff, err);
    if (st == POR_OK && opt && opt->trace) {
        w.trace = opt->trace;
        w.tr.sink = w.trace;
        w.tr.sim = w.sim;
        w.refresh.trace = w.trace;
        por_don_set_trace(w.don, w.trace);
    }
    if (st == POR_OK) {
        st = por_sim_run(w.sim, w.horizon);
        if (st != POR_OK)
            por_error_set(err, st, "%s", por_sim_error(w.sim)->msg);
    }
    if (st == POR_OK && opt && opt->crypto_stats && w.don)
        por_crypto_get_stats(por_don_crypto(w.don), &opt->crypto_stats[rep]);
    if (st == POR_OK) {
        por__world_fill_cells(&w, cells, out_strings);
        char ocr_why[320];
        if (w.invariant_violations && !w.keys_granted)
            st = por_error_set(err, POR_EINVARIANT, "%s: replication %llu: %s (%llu violations)",
                               sc->name, (unsigned long long)rep, w.violation,
                               (unsigned long long)w.invariant_violations);
        else if (por__ocr_violation(&w, ocr_why, sizeof ocr_why))
            st = por_error_set(err, POR_EINVARIANT, "%s: replication %llu: OCR safety: %s",
                               sc->name, (unsigned long long)rep, ocr_why);
    }
    por__world_free(&w);
    return st;
}
