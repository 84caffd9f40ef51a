/* Tests of sim/models/chain/txm.c, the transaction manager of an oracle key (the
 * Chainlink node's Txm and BlockHistory estimator, por/txm.h): the estimate is the
 * percentile of the newest blocks' fee levels and the head's base fee (nothing from a
 * future block); an unmined transaction is re-priced by bump_percent every
 * bump_threshold blocks until price_max and never dropped; nonces; the queue of depth 1. */
#include "por_test.h"

#include "por/txm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static por_chain_config base_cfg(void)
{
    por_chain_config c;
    memset(&c, 0, sizeof c);
    strcpy(c.name, "test");
    c.block_time = 12 * POR_SEC;
    c.confirmations = 1;
    c.fee_model = POR_FEE_EIP1559;
    c.base_gas_gwei = 20.0;
    c.priority_fee_gwei = 1.0;
    c.demand_elasticity = 1.0;
    c.gas_limit = 30000000;
    c.transmit_gas = 200000;
    /* the Chainlink node's defaults (fallback.toml, Ethereum_Mainnet.toml) */
    c.txm.history_blocks = 4;
    c.txm.percentile = 50;
    c.txm.bump_threshold = 3;
    c.txm.bump_percent = 20;
    c.txm.bump_min_wei = 5000000000ull;
    c.txm.price_max_wei = 100000000000000ull;
    c.txm.price_min_wei = 1000000000ull;
    c.txm.tip_cap_min_wei = 1;
    return c;
}

typedef struct {
    por_tx base;
    int *executed, *dropped;
    uint64_t *exec_nonce;
} ttx;

static void ttx_exec(por_tx *tx, por_sim *sim, por_time_t t, uint64_t block)
{
    (void)sim, (void)t, (void)block;
    ttx *x = (ttx *)tx;
    (*x->executed)++;
    if (x->exec_nonce)
        *x->exec_nonce = tx->nonce;
}
static void ttx_drop(por_tx *tx, por_sim *sim)
{
    (void)sim;
    (*((ttx *)tx)->dropped)++;
}
static void ttx_free(por_tx *tx) { free(tx); }

static por_tx *ttx_new(int *executed, int *dropped, uint64_t *nonce)
{
    ttx *t = calloc(1, sizeof *t);
    t->base.gas = 100000;
    t->base.execute = ttx_exec;
    t->base.dropped = ttx_drop;
    t->base.destroy = ttx_free;
    t->executed = executed;
    t->dropped = dropped;
    t->exec_nonce = nonce;
    return &t->base;
}

/* An entity that sends txs through a txm at given times (event a = index). */
typedef struct {
    por_txm *txm;
    por_tx *txs[4];
} tsender;
static void tsend_handle(por_sim *sim, void *self, por_event *ev)
{
    tsender *s = self;
    por_txm_send(s->txm, sim, s->txs[ev->a]);
    s->txs[ev->a] = NULL;
}
static const por_entity_kind tsend_kind = {"tsend", NULL, tsend_handle, NULL, NULL};

/* Logs a pending tx's bid after each block (a never-includable tx's on_pending runs
 * before the manager's, both in submission order). */
typedef struct {
    por_tx base;
    por_tx *watched;
    uint64_t tips[400], fees[400];
    size_t n;
} tlogger;
static void log_pending(por_tx *tx, por_sim *sim, uint64_t block)
{
    (void)sim, (void)block;
    tlogger *l = (tlogger *)tx;
    if (l->watched && l->n < 400) {
        l->tips[l->n] = l->watched->tip_wei;
        l->fees[l->n++] = l->watched->max_fee_wei;
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* BlockHistory (node docs: TransactionPercentile of the newest BlockHistorySize blocks)
 * and EIP1559FeeCapBufferBlocks = BumpThreshold + 1: max fee = tip + head base * 1.125^4.
 * Everything comes from blocks already mined. */
START_TEST(estimate_from_recent_blocks)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.4;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    uint64_t fee, tip;
    por_txm_estimate(ch, &c.txm, 1.0, 0, &fee, &tip); /* no block yet: TipCapMin */
    ck_assert_uint_eq(tip, 1);
    ck_assert_uint_eq(fee, 1 + (uint64_t)llround(20e9 * pow(1.125, 4)));
    ck_assert_int_eq(por_sim_run(sim, 10 * POR_MIN), POR_OK);
    uint64_t hist[4];
    ck_assert_uint_eq(por_chain_recent_fees(ch, 4, hist), 4);
    qsort(hist, 4, sizeof hist[0], cmp_u64);
    por_txm_estimate(ch, &c.txm, 1.0, 0, &fee, &tip);
    ck_assert_uint_eq(tip, hist[1]); /* 50th percentile of 4, nearest rank: the 2nd */
    double want = (double)tip + (double)por_chain_head_price_wei(ch) * pow(1.125, 4);
    ck_assert(fabs((double)fee - want) <= 1.0);
    /* the multiplier scales both; price_max caps both */
    uint64_t fee2, tip2;
    por_txm_estimate(ch, &c.txm, 2.0, 0, &fee2, &tip2);
    ck_assert_uint_eq(tip2, 2 * tip);
    por_txm_estimate(ch, &c.txm, 1.0, tip / 2, &fee2, &tip2);
    ck_assert_uint_eq(fee2, tip / 2);
    ck_assert_uint_eq(tip2, tip / 2);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* Node docs (BumpThreshold, BumpPercent, PriceMax): a tx still unmined after
 * bump_threshold blocks is re-priced to max(price * (1 + bump_percent), price +
 * bump_min, estimate), never above the cap, and never dropped. */
START_TEST(unmined_tx_bumped_until_cap)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.0;  /* other users tip exactly 1 gwei: the estimate stays put */
    c.txm.bump_min_wei = 0;  /* pure percentage bumps */
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    const uint64_t cap = 15000000000ull; /* 15 gwei: below the 20 gwei base fee */
    por_txm *m = por_txm_create(ch, 7, 1.0, cap);
    tlogger *log = calloc(1, sizeof *log);
    log->base.max_fee_wei = 0; /* never includable */
    log->base.on_pending = log_pending;
    log->base.destroy = ttx_free;
    por_chain_submit(ch, sim, &log->base);
    int executed = 0, dropped = 0;
    por_tx *tx = ttx_new(&executed, &dropped, NULL);
    log->watched = tx;
    por_txm_send(m, sim, tx); /* before the first block: the estimate's tip is TipCapMin */
    ck_assert_uint_eq(tx->nonce, 1);
    ck_assert_uint_eq(tx->max_fee_wei, cap); /* 1 wei + 20 gwei * 1.125^4 > cap */
    ck_assert_int_eq(por_sim_run(sim, 2 * POR_HOUR), POR_OK);
    ck_assert_int_eq(executed, 0);
    ck_assert_int_eq(dropped, 0);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 2); /* still pending after 600 blocks */
    /* log[k] is the bid seen after block k + 1 (before that block's bump) */
    uint64_t expect = 1, reached = 0;
    for (size_t k = 0; k < log->n; k++) {
        uint64_t block = k + 1;
        ck_assert_msg(log->tips[k] == expect, "block %zu: tip %llu, expected %llu", (size_t)block,
                      (unsigned long long)log->tips[k], (unsigned long long)expect);
        ck_assert_uint_le(log->tips[k], cap);
        ck_assert_uint_eq(log->fees[k], cap);
        if (block % 3 == 0) { /* bumped after this block: 3 blocks since the last price */
            double up = (double)expect * 1.2;
            uint64_t est = 1000000000ull; /* other users' 1 gwei */
            expect = up > (double)est ? (uint64_t)llround(up) : est;
            if (expect > cap)
                expect = cap;
        }
        if (log->tips[k] == cap && !reached)
            reached = block;
    }
    ck_assert_uint_gt(reached, 0); /* the cap is reached and kept */
    por_txm_stats st;
    por_txm_get_stats(m, &st);
    ck_assert_uint_eq(st.broadcast, 1);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
    por_txm_destroy(m);
}
END_TEST

/* OCR's transmit queue of depth 1 behind the one in flight: an older queued tx is dropped
 * when a newer one arrives; the queued one is broadcast with the next nonce once the
 * in-flight one is mined. */
START_TEST(queue_depth_one_and_nonces)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.0;
    por_congestion cong = {{0, 20 * POR_MIN}, 1.0, 10.0}; /* demand x10 for 20 minutes */
    c.congestion = &cong;
    c.ncongestion = 1;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    por_txm *m = por_txm_create(ch, 3, 1.0, 40000000000ull); /* cap 40 gwei */
    tsender s = {m, {0}};
    uint32_t se = por_sim_add_entity(sim, &tsend_kind, &s);
    int ex[3] = {0}, dr[3] = {0};
    uint64_t nonce[3] = {0};
    for (int i = 0; i < 3; i++) {
        s.txs[i] = ttx_new(&ex[i], &dr[i], &nonce[i]);
        por_sim_at(sim, 10 * POR_MIN + i * POR_MIN, se, 0, (uint64_t)i);
    }
    ck_assert_int_eq(por_sim_run(sim, 14 * POR_MIN), POR_OK);
    /* the base fee is far above 40 gwei by then: A waits, B was replaced by C */
    ck_assert_uint_gt(por_chain_head_price_wei(ch), 40000000000ull);
    ck_assert_int_eq(ex[0], 0);
    ck_assert_int_eq(dr[1], 1);
    ck_assert_int_eq(dr[0] + dr[2], 0);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 1);
    ck_assert_int_eq(por_sim_run(sim, 3 * POR_HOUR), POR_OK);
    ck_assert_int_eq(ex[0], 1);
    ck_assert_int_eq(ex[1], 0);
    ck_assert_int_eq(ex[2], 1);
    ck_assert_uint_eq(nonce[0], 1);
    ck_assert_uint_eq(nonce[2], 2);
    por_txm_stats st;
    por_txm_get_stats(m, &st);
    ck_assert_uint_eq(st.broadcast, 2);
    ck_assert_uint_eq(st.replaced_in_queue, 1);
    ck_assert_uint_gt(st.bumps, 0);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
    por_txm_destroy(m);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("txm");
    TCase *tc = tcase_create("txm");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, estimate_from_recent_blocks);
    tcase_add_test(tc, unmined_tx_bumped_until_cap);
    tcase_add_test(tc, queue_depth_one_and_nonces);
    suite_add_tcase(s, tc);
    return s;
}
