/* Tests of mints and redemptions as transactions (por_token_set_chains, token.c) on a
 * chain with the feed's aggregator: the Secure Mint guard decides at inclusion, against
 * the state at that point of that block (CHAIN.md "Secure Mint as deployed"):
 * - a guard sees an answer in the block that includes it, whatever the confirmations;
 * - a mint and a report in one block resolve by block order (effective tip);
 * - a reorg takes a mint back (supply, counts, listeners) and it is decided anew. */
#include "por_test.h"

#include "por/aggregator.h"
#include "por/token.h"

#include <stdlib.h>
#include <string.h>

/* A 4-oracle aggregator (f = 1, feed decimals 0) and reports signed by oracles 0 and 1. */
typedef struct {
    por_crypto *crypto;
    por_keypair keys[4], tkeys[4];
    por_aggregator *agg;
    uint32_t round;
} feed_fx;

static void feed_init(feed_fx *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->crypto = por_crypto_create(POR_CRYPTO_IDEAL);
    por_aggregator_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n = 4;
    cfg.f = 1;
    for (uint32_t i = 0; i < 4; i++) {
        por_crypto_derive_key(fx->crypto, por_test_seed(), "oracle", i, &fx->keys[i]);
        por_crypto_derive_key(fx->crypto, por_test_seed(), "transmitter", i, &fx->tkeys[i]);
        cfg.signers[i] = fx->keys[i].addr;
        cfg.transmitters[i] = fx->tkeys[i].addr;
    }
    cfg.min_answer = 0;
    cfg.max_answer = POR_AMOUNT_MAX;
    cfg.decimals = 0;
    cfg.config_count = 1;
    fx->agg = por_aggregator_create(&cfg, fx->crypto);
}

static void feed_free(feed_fx *fx)
{
    por_aggregator_destroy(fx->agg);
    por_crypto_destroy(fx->crypto);
}

/* A transmit() transaction reporting RESERVE (all three observations). */
typedef struct {
    por_tx base;
    feed_fx *fx;
    por_report rep;
    por_sig sigs[2];
    por_transmit_result result;
} transmit_tx;

static void transmit_exec(por_tx *tx, por_sim *sim, por_time_t t, uint64_t block)
{
    transmit_tx *x = (transmit_tx *)tx;
    x->result = por_aggregator_transmit(x->fx->agg, sim, t, block, &x->fx->tkeys[0].addr, &x->rep,
                                        x->sigs, 2);
}
static void transmit_undo(por_tx *tx, por_sim *sim)
{
    (void)sim;
    transmit_tx *x = (transmit_tx *)tx;
    por_aggregator_undo_transmit(x->fx->agg, x->result);
}
static void tx_free(por_tx *tx) { free(tx); }

static por_tx *transmit_new(feed_fx *fx, por_amount reserve, double tip_gwei)
{
    transmit_tx *x = calloc(1, sizeof *x);
    x->fx = fx;
    x->rep.config_digest = *por_aggregator_config_digest(fx->agg);
    x->rep.epoch = 1;
    x->rep.round = ++fx->round;
    x->rep.nobs = 3;
    for (uint32_t i = 0; i < 3; i++) {
        x->rep.obs[i] = reserve;
        x->rep.observers[i] = (uint8_t)i;
    }
    por_digest h;
    por_report_hash(&x->rep, &h);
    por_crypto_sign(fx->crypto, &fx->keys[0], &h, &x->sigs[0]);
    por_crypto_sign(fx->crypto, &fx->keys[1], &h, &x->sigs[1]);
    x->base.gas = 300000;
    x->base.max_fee_wei = 1000000000000ull;
    x->base.tip_wei = (uint64_t)(tip_gwei * 1e9);
    x->base.execute = transmit_exec;
    x->base.undo = transmit_undo;
    x->base.destroy = tx_free;
    return &x->base;
}

static void feed_latest(void *ctx, por_round_data *out) { por_aggregator_latest(ctx, out); }

typedef struct {
    int accepted, refused, undone;
    por_amount seen_answer;
    uint64_t seen_block_round;
} mint_log;

static void on_supply(void *ctx, por_sim *sim, const por_supply_event *ev)
{
    (void)sim;
    mint_log *l = ctx;
    if (ev->undone) {
        l->undone++;
        return;
    }
    if (ev->redeem)
        return;
    if (ev->result == POR_MINT_ACCEPTED)
        l->accepted++;
    else
        l->refused++;
    l->seen_answer = ev->feed.answer;
    l->seen_block_round = ev->feed.round_id;
}

/* The world around one test: chain 0 (12 s blocks, CONF confirmations, reorgs as given),
 * the feed, a token of supply 0 on chain 0 with Secure Mint (no margin). */
typedef struct {
    por_chain_config ccfg;
    por_chain *chain;
    por_chain *chains[1];
    feed_fx fx;
    uint32_t token_chains[1];
    por_token_config tcfg;
    por_token *token;
    por_sim *sim;
    mint_log log;
} world;

static void world_init(world *w, uint32_t conf)
{
    memset(w, 0, sizeof *w);
    strcpy(w->ccfg.name, "test");
    w->ccfg.block_time = 12 * POR_SEC;
    w->ccfg.confirmations = conf;
    w->ccfg.fee_model = POR_FEE_EIP1559;
    w->ccfg.base_gas_gwei = 20;
    w->ccfg.priority_fee_gwei = 1;
    w->ccfg.demand_elasticity = 1;
    w->ccfg.gas_limit = 30000000;
    w->ccfg.transmit_gas = 300000;
    w->ccfg.txm.history_blocks = 4;
    w->ccfg.txm.percentile = 50;
    w->ccfg.txm.price_max_wei = 100000000000000ull;
    w->sim = por_sim_create(por_test_seed(), 0);
    w->chain = por_chain_create(&w->ccfg, 0, w->sim);
    w->chains[0] = w->chain;
    feed_init(&w->fx);
    w->tcfg.chains = w->token_chains;
    w->tcfg.nchains = 1;
    w->tcfg.decimals = 0;
    w->tcfg.secure_mint.enabled = true;
    w->tcfg.secure_mint.max_staleness = 26 * POR_HOUR;
    w->tcfg.secure_mint.margin_mode = POR_MARGIN_NONE;
    por_error err;
    memset(&err, 0, sizeof err);
    w->token = por_token_create(&w->tcfg, w->sim, (por_feed_reader){feed_latest, w->fx.agg, 0},
                                NULL, 0, 0, &err);
    ck_assert_ptr_nonnull(w->token);
    por_token_set_chains(w->token, w->chains);
    por_token_add_listener(w->token, on_supply, &w->log);
}

static void world_free(world *w)
{
    por_sim_destroy(w->sim);
    por_chain_destroy(w->chain);
    por_token_destroy(w->token);
    feed_free(&w->fx);
}

/* Submits TX at the current time (between blocks). */
static void submit(world *w, por_tx *tx) { por_chain_submit(w->chain, w->sim, tx); }

START_TEST(guard_sees_answer_in_including_block)
{
    /* 6 confirmations: they belong to off-chain readers, never to the guard */
    world w;
    world_init(&w, 6);
    submit(&w, transmit_new(&w.fx, 100, 5.0));
    ck_assert_int_eq(por_sim_run(w.sim, 12 * POR_SEC), POR_OK); /* block 1: reserve 100 */
    /* block 2: a report of reserve 50 (tip 5 gwei) and a mint of 60 (the wallet's
     * estimate: ~1 gwei tip) are both included; the report goes first */
    submit(&w, transmit_new(&w.fx, 50, 5.0));
    por_tx *mint = por_token_submit(w.token, w.sim, 0, 60, false, false);
    ck_assert_uint_lt(mint->tip_wei, 5000000000ull);
    ck_assert_int_eq(por_sim_run(w.sim, 24 * POR_SEC), POR_OK);
    ck_assert_int_eq(w.log.refused, 1);
    ck_assert_int_eq(w.log.accepted, 0);
    ck_assert(w.log.seen_answer == 50);
    ck_assert_uint_eq(por_chain_confirmed_number(w.chain), 0); /* not even 1 block deep for a 6-conf reader */
    ck_assert(por_token_total_supply(w.token) == 0);
    world_free(&w);
}
END_TEST

START_TEST(mint_and_report_in_one_block_by_block_order)
{
    for (int mint_first = 0; mint_first < 2; mint_first++) {
        world w;
        world_init(&w, 1);
        submit(&w, transmit_new(&w.fx, 100, 5.0));
        ck_assert_int_eq(por_sim_run(w.sim, 12 * POR_SEC), POR_OK);
        /* the same block holds a report of 50 and a mint of 60; the higher tip goes first */
        submit(&w, transmit_new(&w.fx, 50, 5.0));
        por_tx *mint = por_token_submit(w.token, w.sim, 0, 60, false, false);
        mint->tip_wei = mint_first ? 9000000000ull : 1000000000ull;
        mint->max_fee_wei = 1000000000000ull;
        ck_assert_int_eq(por_sim_run(w.sim, 24 * POR_SEC), POR_OK);
        por_round_data rd;
        por_aggregator_latest(w.fx.agg, &rd);
        ck_assert(rd.answer == 50); /* the report landed in block 2 either way */
        ck_assert_uint_eq(rd.block, 2);
        if (mint_first) { /* the guard read reserve 100: 60 fits */
            ck_assert_int_eq(w.log.accepted, 1);
            ck_assert(w.log.seen_answer == 100);
            ck_assert(por_token_total_supply(w.token) == 60);
        } else { /* the guard read reserve 50: 60 does not fit */
            ck_assert_int_eq(w.log.refused, 1);
            ck_assert(w.log.seen_answer == 50);
            ck_assert(por_token_total_supply(w.token) == 0);
        }
        world_free(&w);
    }
}
END_TEST

START_TEST(reorg_takes_a_mint_back)
{
    world w;
    world_init(&w, 1);
    w.ccfg.reorg_probability = 1.0; /* every block first removes its predecessor */
    w.ccfg.reorg_depth = 1;
    submit(&w, transmit_new(&w.fx, 100, 5.0));
    por_token_submit(w.token, w.sim, 0, 60, false, false);
    ck_assert_int_eq(por_sim_run(w.sim, 12 * POR_SEC), POR_OK);
    ck_assert_int_eq(w.log.accepted, 1); /* block 1: the answer, then the mint */
    ck_assert(por_token_total_supply(w.token) == 60);
    ck_assert_int_eq(por_sim_run(w.sim, 24 * POR_SEC), POR_OK);
    /* block 1 removed (mint undone, then the answer), both included again in block 1' */
    ck_assert_int_eq(w.log.undone, 1);
    ck_assert_int_eq(w.log.accepted, 2);
    ck_assert(por_token_total_supply(w.token) == 60);
    ck_assert_uint_eq(por_aggregator_undone(w.fx.agg), 1);
    por_token_stats st;
    por_token_get_stats(w.token, &st);
    ck_assert_uint_eq(st.mints_accepted, 1);
    ck_assert(st.minted == 60);
    ck_assert_uint_eq(st.request_gas, POR_MINT_GAS);
    world_free(&w);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("mint_tx");
    TCase *tc = tcase_create("mint_tx");
    tcase_add_test(tc, guard_sees_answer_in_including_block);
    tcase_add_test(tc, mint_and_report_in_one_block_by_block_order);
    tcase_add_test(tc, reorg_takes_a_mint_back);
    suite_add_tcase(s, tc);
    return s;
}
