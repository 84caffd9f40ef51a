/* The scorer of one replication: the metric columns' definitions (por_world_metric_defs);
 * the running state it keeps from the world's events (world_score.h: detection, refusal,
 * reaction, unbacked amount, counts, staleness); and the row a finished run yields from it,
 * the ground truth (world_truth.h), the invariant and the models' counters
 * (por__world_fill_cells, world_internal.h). Moved out of world.c. */
#include "world_internal.h"

#include "por/chain.h"
#include "por/don.h"
#include "por/net.h"
#include "por/ratio.h"
#include "por/token.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const por_metric_def por__world_defs[POR_WM_NCOLS] = {
    [POR_WM_ONSET] = {"onset", POR_METRIC_DURATION, true, NULL,
                      "run start to the first instant true reserve / supply < onset ratio"},
    [POR_WM_FEED_DETECT] = {"feed_detect", POR_METRIC_DURATION, true, NULL,
                            "onset to the first accepted answer showing the shortfall"},
    [POR_WM_MINT_BLOCK] = {"mint_block", POR_METRIC_DURATION, true, NULL,
                           "onset to the first Secure Mint refusal"},
    [POR_WM_UNBACKED_MINTED] = {"unbacked_minted", POR_METRIC_AMOUNT, false, "token",
                                "tokens minted from onset until minting was first refused"},
    [POR_WM_FALSE_REJECTIONS] = {"false_rejections", POR_METRIC_COUNT, false, "mints",
                                 "mints refused that true reserves would have backed"},
    [POR_WM_CONSUMER_REACTION] = {"consumer_reaction", POR_METRIC_DURATION, true, NULL,
                                  "onset to the first consumer action"},
    [POR_WM_ROUNDS] = {"rounds", POR_METRIC_COUNT, false, "rounds", "OCR rounds started"},
    [POR_WM_EPOCHS] = {"epochs", POR_METRIC_COUNT, false, "epochs", "OCR epochs"},
    [POR_WM_REPORTS_ACCEPTED] = {"reports_accepted", POR_METRIC_COUNT, false, "reports",
                                 "reports the on-chain aggregator accepted"},
    [POR_WM_TRANSMISSIONS] = {"transmissions", POR_METRIC_COUNT, false, "txs",
                              "transmissions sent by the oracles"},
    [POR_WM_GAS] = {"gas", POR_METRIC_COUNT, false, "gas",
                    "gas used on all chains by transmissions (oracles' and forged), not by mints and redemptions"},
    [POR_WM_MAX_FEED_STALENESS] = {"max_feed_staleness", POR_METRIC_DURATION, false, NULL,
                                   "largest now - updatedAt seen"},
    [POR_WM_MINTS_ACCEPTED] = {"mints_accepted", POR_METRIC_COUNT, false, "mints",
                               "mints accepted (attacker mints included)"},
    [POR_WM_MINTS_REFUSED] = {"mints_refused", POR_METRIC_COUNT, false, "mints",
                              "mints refused (attacker mints included)"},
    [POR_WM_REDEEMS] = {"redeems", POR_METRIC_COUNT, false, "redeems", "redemptions"},
    [POR_WM_MIN_TRUE_RATIO] = {"min_true_ratio", POR_METRIC_RATIO, false, NULL,
                               "smallest true reserve / supply"},
    [POR_WM_INVARIANT_VIOLATIONS] = {"invariant_violations", POR_METRIC_COUNT, false,
                                     "violations",
                                     "mints that left supply above mintable(reported reserve)"},
    [POR_WM_EVENTS] = {"events", POR_METRIC_COUNT, false, "events", "simulation events handled"},
    [POR_WM_FORGED_ACCEPTED] = {"forged_reports_accepted", POR_METRIC_COUNT, false, "reports",
                                "reports forged with stolen keys that the aggregator accepted"},
    [POR_WM_FORGED_REJECTED] = {"forged_reports_rejected", POR_METRIC_COUNT, false, "reports",
                                "reports forged with stolen keys that the aggregator refused"},
    [POR_WM_UNDERSIGNED_REPORTS] = {"undersigned_reports", POR_METRIC_COUNT, false, "reports",
                                    "accepted reports with fewer than f+1 valid signatures"},
    [POR_WM_MEDIAN_OUTSIDE_HONEST] = {"median_outside_honest", POR_METRIC_COUNT, false,
                                      "reports",
                                      "accepted medians outside the honest observations"},
    [POR_WM_BRIDGE_TRANSFERS] = {"bridge_transfers", POR_METRIC_COUNT, false, "transfers",
                                 "bridge transfers burned on their source chain"},
    [POR_WM_BRIDGE_REFUSED] = {"bridge_refused", POR_METRIC_COUNT, false, "transfers",
                               "bridge transfers refused: larger than the source chain's supply"},
    [POR_WM_MAX_IN_FLIGHT] = {"max_in_flight", POR_METRIC_AMOUNT, false, "token",
                              "largest amount burned by the bridge and not yet released"},
    [POR_WM_TX_HELD_BACK] = {"transmissions_held_back", POR_METRIC_COUNT, false, "reports",
                             "reports a node held back: its own newer report was pending and "
                             "the medians differ by less than alpha (libocr shouldTransmit)"},
    [POR_WM_MSGS_RETRANSMITTED] = {"messages_retransmitted", POR_METRIC_COUNT, false, "messages",
                                   "oracle messages lost at least once and delivered after "
                                   "retransmission (network.loss_model retransmit)"},
    [POR_WM_ROUND_REQUESTS] = {"round_requests", POR_METRIC_COUNT, false, "txs",
                               "requestNewRound transactions the issuer sent (refresh-then-mint)"},
    [POR_WM_ROUND_REQUEST_GAS] = {"round_request_gas", POR_METRIC_COUNT, false, "gas",
                                  "gas used by the issuer's requestNewRound transactions"},
    [POR_WM_MINTS_HELD] = {"mints_held", POR_METRIC_COUNT, false, "mints",
                           "mints held for a fresh answer before the guard (refresh-then-mint)"},
    [POR_WM_FEE_WEI] = {"fee_wei", POR_METRIC_AMOUNT, false, "wei",
                        "fees the oracles paid for transmit transactions, in the feed chain's native unit"},
    [POR_WM_FEE_USD] = {"fee_usd", POR_METRIC_AMOUNT, false, "USD",
                        "fee_wei at the feed chain's native_price_usd (absent when not set)"},
    [POR_WM_TRANSMISSIONS_REVERTED] = {"transmissions_reverted", POR_METRIC_COUNT, false, "txs",
                                       "included transmit transactions that reverted (stale report, out of gas, ...)"},
    [POR_WM_REVERTED_GAS] = {"reverted_gas", POR_METRIC_COUNT, false, "gas",
                             "gas used by the reverted transmissions"},
    [POR_WM_ANSWERS_UNDONE] = {"answers_undone", POR_METRIC_COUNT, false, "answers",
                               "accepted answers removed by reorgs (each removal counted)"},
};

const por_metric_def *por_world_metric_defs(size_t *ncols)
{
    *ncols = POR_WM_NCOLS;
    return por__world_defs;
}

void por__score_init(por__score *s, const por__truth *truth, uint32_t feed_decimals,
                     uint32_t token_decimals)
{
    *s = (por__score){.truth = truth, .feed_decimals = feed_decimals,
                      .token_decimals = token_decimals};
}

/* An accepted mint included at or after onset and before the first refusal is unbacked
 * (the mint that causes onset included: truth has seen it). A refused mint that true
 * reserves would have backed is a false rejection; the first refusal after onset blocks. */
void por__score_on_mint(void *score, const por__world_event *ev)
{
    por__score *s = score;
    const por__truth *t = s->truth;
    const por_supply_event *e = ev->supply;
    if (e->result == POR_MINT_ACCEPTED) {
        s->mints_accepted++;
        if (t->onset && !s->blocked)
            s->unbacked = por__amount_sat_add(s->unbacked, e->amount);
        return;
    }
    s->mints_refused++;
    por_amount after;
    if (por_amount_add(e->supply_before, e->amount, &after) &&
        por_amount_add(after, e->in_flight, &after) &&
        !por_ratio_below(t->reserve_total, after, t->onset_ppb))
        s->false_rejections++;
    if (t->onset && !s->blocked) {
        s->blocked = true;
        s->block_at = ev->now;
    }
}

void por__score_on_redeem(void *score, const por__world_event *ev)
{
    (void)ev;
    ((por__score *)score)->redeems++;
}

/* A reorg removed the block of a mint or redemption (as first reported, undone): its
 * counts are taken back, against the onset as it stood before truth re-checks (world.c
 * subscribes the scorer before truth for UNDONE). mint_block and feed_detect keep their
 * first time (they record when the chain first showed it); a refusal stays counted in
 * false_rejections. */
void por__score_on_undone(void *score, const por__world_event *ev)
{
    por__score *s = score;
    const por__truth *t = s->truth;
    const por_supply_event *e = ev->supply;
    if (e->redeem)
        s->redeems--;
    else if (e->result == POR_MINT_ACCEPTED) {
        s->mints_accepted--;
        /* it counted as unbacked when it was included at or after onset and before the
         * first refusal */
        if (t->onset && e->applied_at >= t->onset_at && (!s->blocked || e->applied_at < s->block_at))
            s->unbacked -= e->amount;
    } else {
        s->mints_refused--;
    }
}

/* Staleness is now - updatedAt of the answer before; the feed detects the shortfall at the
 * first answer after onset whose reported reserve / outstanding supply is below the onset
 * ratio. */
void por__score_on_answer(void *score, const por__world_event *ev)
{
    por__score *s = score;
    const por__truth *t = s->truth;
    const por_round_data *rd = ev->answer;
    if (ev->now - s->last_updated_at > s->max_staleness)
        s->max_staleness = ev->now - s->last_updated_at;
    s->last_updated_at = rd->updated_at;
    por_amount reported;
    if (t->onset && !s->detected &&
        por_amount_rescale(rd->answer, s->feed_decimals, s->token_decimals, &reported) &&
        por_ratio_below(reported, ev->outstanding, t->onset_ppb)) {
        s->detected = true;
        s->detect_at = ev->now;
    }
}

void por__score_on_reaction(void *score, const por__world_event *ev)
{
    por__score *s = score;
    if (ev->reaction->engaged && s->truth->onset && !s->reacted) {
        s->reacted = true;
        s->react_at = ev->now;
    }
}

void por__score_on_finish(void *score, const por__world_event *ev)
{
    por__score *s = score;
    if (ev->now - s->last_updated_at > s->max_staleness)
        s->max_staleness = ev->now - s->last_updated_at;
}

/* A duration measured from onset: observed, censored at horizon - onset, or absent. */
static por_metric_cell por__since_onset(const por__world *w, bool happened, por_time_t at)
{
    por_metric_cell c = {0};
    if (!w->truth.onset)
        return c;
    c.present = true;
    c.censored = !happened;
    c.ns = (happened ? at : w->horizon) - w->truth.onset_at;
    return c;
}

static por_metric_cell por__count(uint64_t v)
{
    por_metric_cell c = {0};
    c.present = true;
    c.value = (double)v;
    return c;
}

void por__world_fill_cells(const por__world *w, por_metric_cell *cells, char *strings)
{
    memset(cells, 0, POR_WM_NCOLS * sizeof *cells);
    por_metric_cell *c = &cells[POR_WM_ONSET];
    c->present = true;
    c->censored = !w->truth.onset;
    c->ns = w->truth.onset ? w->truth.onset_at : w->horizon;
    cells[POR_WM_FEED_DETECT] = por__since_onset(w, w->score.detected, w->score.detect_at);
    cells[POR_WM_MINT_BLOCK] = por__since_onset(w, w->score.blocked, w->score.block_at);
    if (w->truth.onset) {
        c = &cells[POR_WM_UNBACKED_MINTED];
        c->present = true;
        c->value = por_amount_to_double(w->score.unbacked, w->token_decimals);
        c->exact = por_amount_format(w->score.unbacked, w->token_decimals, false,
                                     strings + POR_WM_UNBACKED_MINTED * POR_WORLD_STRING_BYTES,
                                     POR_WORLD_STRING_BYTES);
    }
    cells[POR_WM_FALSE_REJECTIONS] = por__count(w->score.false_rejections);
    if (w->sc->nconsumers)
        cells[POR_WM_CONSUMER_REACTION] = por__since_onset(w, w->score.reacted, w->score.react_at);
    por_don_stats ds;
    por_don_get_stats(w->don, &ds);
    cells[POR_WM_ROUNDS] = por__count(ds.rounds_started);
    cells[POR_WM_EPOCHS] = por__count(ds.epochs);
    cells[POR_WM_REPORTS_ACCEPTED] = por__count(por_aggregator_count(w->agg, POR_TRANSMIT_ACCEPTED));
    cells[POR_WM_TRANSMISSIONS] = por__count(ds.transmissions_sent);
    uint64_t gas = 0;
    for (size_t i = 0; i < w->sc->nchains; i++) {
        por_chain_stats cs;
        por_chain_get_stats(w->chains[i], &cs);
        gas += cs.gas_used;
    }
    por_token_stats tks;
    por_token_get_stats(w->token, &tks);
    cells[POR_WM_GAS] = por__count(gas - tks.request_gas); /* the feed's cost, not the users' */
    c = &cells[POR_WM_MAX_FEED_STALENESS];
    c->present = true;
    c->ns = w->score.max_staleness;
    cells[POR_WM_MINTS_ACCEPTED] = por__count(w->score.mints_accepted);
    cells[POR_WM_MINTS_REFUSED] = por__count(w->score.mints_refused);
    cells[POR_WM_REDEEMS] = por__count(w->score.redeems);
    c = &cells[POR_WM_MIN_TRUE_RATIO];
    c->present = true;
    c->value = w->truth.min_ratio;
    cells[POR_WM_INVARIANT_VIOLATIONS] = por__count(w->inv.violations);
    cells[POR_WM_EVENTS] = por__count(por_sim_events_handled(w->sim));
    cells[POR_WM_FORGED_ACCEPTED] = por__count(ds.forged_accepted);
    cells[POR_WM_FORGED_REJECTED] = por__count(ds.forged_rejected);
    cells[POR_WM_UNDERSIGNED_REPORTS] =
        por__count(ds.undersigned_accepted + ds.forged_undersigned_accepted);
    cells[POR_WM_MEDIAN_OUTSIDE_HONEST] = por__count(ds.median_outside_honest);
    por_token_stats ts;
    por_token_get_stats(w->token, &ts);
    cells[POR_WM_BRIDGE_TRANSFERS] = por__count(ts.bridge_transfers);
    cells[POR_WM_BRIDGE_REFUSED] = por__count(ts.bridge_refused);
    c = &cells[POR_WM_MAX_IN_FLIGHT];
    c->present = true;
    c->value = por_amount_to_double(ts.max_in_flight, w->token_decimals);
    c->exact = por_amount_format(ts.max_in_flight, w->token_decimals, false,
                                 strings + POR_WM_MAX_IN_FLIGHT * POR_WORLD_STRING_BYTES,
                                 POR_WORLD_STRING_BYTES);
    cells[POR_WM_TX_HELD_BACK] = por__count(ds.transmissions_held_back);
    por_net_stats ns;
    por_net_get_stats(por_don_net(w->don), &ns);
    cells[POR_WM_MSGS_RETRANSMITTED] = por__count(ns.retransmitted);
    cells[POR_WM_ROUND_REQUESTS] = por__count(ts.round_requests);
    cells[POR_WM_ROUND_REQUEST_GAS] = por__count(ts.round_request_gas);
    cells[POR_WM_MINTS_HELD] = por__count(ts.mints_held);
    c = &cells[POR_WM_FEE_WEI];
    c->present = true;
    c->value = (double)ds.transmit_fees_wei;
    c->exact = por_amount_format(ds.transmit_fees_wei, 0, false,
                                 strings + POR_WM_FEE_WEI * POR_WORLD_STRING_BYTES,
                                 POR_WORLD_STRING_BYTES);
    double usd = w->sc->chains[w->sc->feed.chain].native_price_usd;
    if (usd > 0) {
        c = &cells[POR_WM_FEE_USD];
        c->present = true;
        c->value = (double)ds.transmit_fees_wei / 1e18 * usd;
    }
    cells[POR_WM_TRANSMISSIONS_REVERTED] = por__count(ds.transmissions_reverted);
    cells[POR_WM_REVERTED_GAS] = por__count(ds.reverted_gas);
    cells[POR_WM_ANSWERS_UNDONE] = por__count(por_aggregator_undone(w->agg));
}
