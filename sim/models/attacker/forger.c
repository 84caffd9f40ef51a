/* The key-compromise forger entity and the signature audit of accepted reports (see
 * por/attacker.h). The forger reads the chain like anyone (the aggregator's latest
 * round), builds a report one round above it in the same epoch with 2f + 1 copies of the
 * forged answer, signs the report hash with every stolen key, pads with its own keys up
 * to f + 1 signatures when it holds fewer, and outbids the going gas price twofold. */
#include "por/attacker.h"

#include "por/error.h"
#include "por/trace.h"
#include "por/txm.h"

#include <stdlib.h>
#include <string.h>

uint32_t por_report_valid_signers(por_crypto *crypto, const por_aggregator_config *cfg,
                                  const por_report *rep, const por_sig *sigs, uint32_t nsigs)
{
    por_digest h;
    por_report_hash(rep, &h);
    uint32_t seen = 0, count = 0;
    for (uint32_t i = 0; i < nsigs; i++) {
        por_addr who;
        if (!por_crypto_recover(crypto, &h, &sigs[i], &who))
            continue;
        for (uint32_t j = 0; j < cfg->n; j++) {
            if (!por_addr_eq(&who, &cfg->signers[j]))
                continue;
            if (!(seen & (1u << j))) {
                seen |= 1u << j;
                count++;
            }
            break;
        }
    }
    return count;
}

enum { POR__FORGE_EV = 1 };

struct por_forger {
    const por_attack_config *atk;
    por_sim *sim;
    por_chain *chain;
    por_aggregator *agg;
    por_crypto *crypto;
    uint32_t entity;
    por_keypair stolen[POR_MAX_ORACLES];
    uint32_t nstolen;
    por_keypair own[POR_MAX_ORACLES]; /* padding keys nobody configured */
    por_addr sender;
    bool in_flight, scheduled;
    uint64_t own_rounds;  /* accepted forgeries; the listener skips their answers */
    por_forger_stats stats;
    por_trace_sink *trace; /* teaching-mode tracing; NULL = off */
};

typedef struct {
    por_tx base;
    por_forger *fg;
    por_report report;
    uint32_t nsigs;
    por_sig sigs[POR_MAX_ORACLES];
    por_transmit_result result; /* of the latest execution, for undo */
    bool undersigned;           /* ... and whether it counted as undersigned */
} por__forged_tx;

/* A FORGED_SENT / FORGED_RESULT trace record (only called when tracing). */
static void por__trace_forged(por_forger *fg, por_trace_kind kind, const por_report *rep,
                              int reason)
{
    por_trace_record r = {.time = por_sim_now(fg->sim),
                          .kind = (uint16_t)kind,
                          .actor = POR_TRACE_ATTACKER,
                          .forged = {.answer = fg->atk->forged_answer,
                                     .epoch = rep->epoch,
                                     .round = rep->round,
                                     .stolen_keys = fg->nstolen,
                                     .result = (uint8_t)reason}};
    por_trace_emit(fg->trace, &r);
}

void por_forger_set_trace(por_forger *fg, por_trace_sink *sink) { fg->trace = sink; }

static void por__forged_execute(por_tx *tx, por_sim *sim, por_time_t block_time, uint64_t block)
{
    por__forged_tx *t = (por__forged_tx *)tx;
    por_forger *fg = t->fg;
    fg->in_flight = false;
    tx->gas_used = por_transmit_gas(&t->report, t->nsigs, POR_TRANSMIT_ACCEPTED);
    if (tx->gas_used > tx->gas) { /* out of gas: reverts, pays the limit */
        tx->gas_used = tx->gas;
        t->result = POR_TRANSMIT_NRESULTS;
        fg->stats.rejected++;
        return;
    }
    /* counted before transmit runs the listeners, so the forger's own listener knows */
    uint64_t before = por_aggregator_rounds(fg->agg);
    fg->own_rounds++;
    por_transmit_result r = por_aggregator_transmit(fg->agg, sim, block_time, block, &fg->sender,
                                                    &t->report, t->sigs, t->nsigs);
    t->result = r;
    tx->gas_used = por_transmit_gas(&t->report, t->nsigs, r);
    t->undersigned = false;
    if (fg->trace)
        por__trace_forged(fg, POR_TK_FORGED_RESULT, &t->report, (int)r);
    if (r != POR_TRANSMIT_ACCEPTED) {
        fg->own_rounds--;
        fg->stats.rejected++;
        return;
    }
    POR_ASSERT(por_aggregator_rounds(fg->agg) == before + 1);
    fg->stats.accepted++;
    const por_aggregator_config *cfg = por_aggregator_get_config(fg->agg);
    if (por_report_valid_signers(fg->crypto, cfg, &t->report, t->sigs, t->nsigs) <= cfg->f) {
        fg->stats.undersigned_accepted++;
        t->undersigned = true;
    }
}

/* A reorg removed the block: the contract and the forger's counts forget the call, and
 * the transaction is pending again. */
static void por__forged_undo(por_tx *tx, por_sim *sim)
{
    (void)sim;
    por__forged_tx *t = (por__forged_tx *)tx;
    por_forger *fg = t->fg;
    if (t->result != POR_TRANSMIT_NRESULTS)
        por_aggregator_undo_transmit(fg->agg, t->result);
    fg->in_flight = true;
    if (t->result == POR_TRANSMIT_ACCEPTED) {
        fg->own_rounds--;
        fg->stats.accepted--;
        fg->stats.undersigned_accepted -= t->undersigned;
    } else {
        fg->stats.rejected--;
    }
}

static void por__forged_destroy(por_tx *tx) { free(tx); }

static bool por__in_window(const por_forger *fg, por_time_t now)
{
    return now >= fg->atk->window.from && now < fg->atk->window.until;
}

static void por__forge(por_forger *fg)
{
    por_time_t now = por_sim_now(fg->sim);
    if (fg->in_flight || !por__in_window(fg, now))
        return;
    const por_aggregator_config *cfg = por_aggregator_get_config(fg->agg);
    por__forged_tx *t = por_xcalloc(1, sizeof *t);
    por_round_data rd;
    por_aggregator_latest(fg->agg, &rd);
    por_report *rep = &t->report;
    rep->config_digest = *por_aggregator_config_digest(fg->agg);
    rep->epoch = rd.round_id ? rd.epoch : 1;
    rep->round = rd.round_id ? rd.round + 1 : 1;
    rep->nobs = 2 * cfg->f + 1;
    for (uint32_t i = 0; i < rep->nobs; i++) {
        rep->obs[i] = fg->atk->forged_answer;
        rep->observers[i] = (uint8_t)i;
    }
    /* an OCR2Aggregator takes OCR2 reports (with observationsTimestamp) carrying exactly
     * f + 1 signatures (contract2/OCR2Aggregator.sol transmit) */
    uint32_t max_sigs = POR_MAX_ORACLES;
    if (cfg->ocr2) {
        rep->ocr2 = true;
        rep->observations_timestamp = now / POR_SEC * POR_SEC;
        max_sigs = cfg->f + 1;
    }
    por_digest h;
    por_report_hash(rep, &h);
    uint32_t s = 0;
    for (uint32_t i = 0; i < fg->nstolen && s < max_sigs; i++)
        por_crypto_sign(fg->crypto, &fg->stolen[i], &h, &t->sigs[s++]);
    for (uint32_t i = 0; s <= cfg->f && s < POR_MAX_ORACLES; i++)
        por_crypto_sign(fg->crypto, &fg->own[i], &h, &t->sigs[s++]);
    t->nsigs = s;
    t->fg = fg;
    t->base.sender = UINT32_MAX - 1; /* not an oracle */
    /* the attacker bids twice what the node's estimator would, with no price cap */
    const por_chain_config *cc = por_chain_config_of(fg->chain);
    por_txm_estimate(fg->chain, &cc->txm, 2.0, 0, &t->base.max_fee_wei, &t->base.tip_wei);
    t->base.gas = cc->transmit_gas;
    t->base.undo = por__forged_undo;
    t->base.execute = por__forged_execute;
    t->base.destroy = por__forged_destroy;
    fg->in_flight = true;
    fg->stats.sent++;
    if (fg->trace)
        por__trace_forged(fg, POR_TK_FORGED_SENT, rep, 0);
    por_chain_submit(fg->chain, fg->sim, &t->base);
}

/* After an honest answer inside the window, forge again. */
static void por__on_answer(void *ctx, por_sim *sim, const por_round_data *rd)
{
    (void)rd;
    por_forger *fg = ctx;
    if (fg->own_rounds > fg->stats.accepted) {
        /* this answer is the forgery being accepted right now */
        return;
    }
    if (fg->scheduled || fg->in_flight || !por__in_window(fg, por_sim_now(sim)))
        return;
    fg->scheduled = true;
    por_sim_schedule(sim, por_sim_now(sim), 0, fg->entity, POR__FORGE_EV, 0, 0, NULL);
}

static void por__forger_init(por_sim *sim, void *self)
{
    por_forger *fg = self;
    if (fg->atk->window.from < fg->atk->window.until && fg->atk->window.from < POR_TIME_MAX) {
        fg->scheduled = true;
        por_sim_schedule(sim, fg->atk->window.from, 0, fg->entity, POR__FORGE_EV, 0, 0, NULL);
    }
}

static void por__forger_handle(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    por_forger *fg = self;
    if (ev->type == POR__FORGE_EV) {
        fg->scheduled = false;
        por__forge(fg);
    }
}

static const por_entity_kind por__forger_kind = {"forger", por__forger_init, por__forger_handle,
                                                 NULL, NULL};

por_forger *por_forger_create(const por_attack_config *atk, por_sim *sim, por_chain *chain,
                              por_aggregator *agg, por_crypto *crypto,
                              const por_keypair *stolen, size_t nstolen, const por_addr *sender,
                              uint64_t own_seed)
{
    POR_ASSERT(atk->kind == POR_ATTACK_KEY_COMPROMISE);
    POR_ASSERT(nstolen <= POR_MAX_ORACLES);
    por_forger *fg = por_xcalloc(1, sizeof *fg);
    fg->atk = atk;
    fg->sim = sim;
    fg->chain = chain;
    fg->agg = agg;
    fg->crypto = crypto;
    fg->nstolen = (uint32_t)nstolen;
    memcpy(fg->stolen, stolen, nstolen * sizeof *stolen);
    fg->sender = *sender;
    uint32_t f = por_aggregator_get_config(agg)->f;
    for (uint32_t i = 0; i <= f && i < POR_MAX_ORACLES; i++)
        por_crypto_derive_key(crypto, own_seed, "attacker", i, &fg->own[i]);
    fg->entity = por_sim_add_entity(sim, &por__forger_kind, fg);
    por_aggregator_add_listener(agg, por__on_answer, fg);
    return fg;
}

void por_forger_destroy(por_forger *fg) { free(fg); }

void por_forger_get_stats(const por_forger *fg, por_forger_stats *out) { *out = fg->stats; }
