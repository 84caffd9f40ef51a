/* Tests of sim/models/chain: block cadence (fixed and exponential), congestion windows,
 * EIP-1559 and legacy fees (base fee rule and bound, inclusion, price paid, block order
 * by tip then nonce), gas limit, effects in the including block, confirmation depth as a
 * reader's view, reorgs undoing effects; readers' RPC faults (rate, outages). */
#include "por_test.h"

#include "por/chain.h"
#include "por/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int executed, dropped, destroyed, undone;
    por_time_t exec_time, submit_time;
    uint64_t exec_block;
} trec;

typedef struct {
    por_tx base;
    trec *rec;
} ttx;

static void ttx_exec(por_tx *tx, por_sim *sim, por_time_t t, uint64_t block)
{
    (void)sim;
    trec *r = ((ttx *)tx)->rec;
    r->executed++;
    r->exec_time = t;
    r->exec_block = block;
}
static void ttx_undo(por_tx *tx, por_sim *sim)
{
    (void)sim;
    ((ttx *)tx)->rec->undone++;
}
static void ttx_drop(por_tx *tx, por_sim *sim)
{
    (void)sim;
    ((ttx *)tx)->rec->dropped++;
}
static void ttx_destroy(por_tx *tx)
{
    ((ttx *)tx)->rec->destroyed++;
    free(tx);
}

/* A tx bidding BID gwei as both max fee and tip (legacy: its price). */
static por_tx *ttx_new(trec *rec, double bid, uint64_t gas)
{
    ttx *t = calloc(1, sizeof *t);
    t->base.max_fee_wei = (uint64_t)(bid * 1e9);
    t->base.tip_wei = (uint64_t)(bid * 1e9);
    t->base.gas = gas;
    t->base.execute = ttx_exec;
    t->base.undo = ttx_undo;
    t->base.dropped = ttx_drop;
    t->base.destroy = ttx_destroy;
    t->rec = rec;
    return &t->base;
}

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
    return c;
}

/* A helper entity that submits a tx at a given time (event a = index into its list). */
typedef struct {
    por_chain *chain;
    por_tx *txs[8];
    size_t n;
} tsubmitter;

static void tsub_handle(por_sim *sim, void *self, por_event *ev)
{
    tsubmitter *s = self;
    por_chain_submit(s->chain, sim, s->txs[ev->a]);
    s->txs[ev->a] = NULL;
}
static void tsub_discard(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    tsubmitter *s = self;
    if (s->txs[ev->a])
        s->txs[ev->a]->destroy(s->txs[ev->a]);
}
static const por_entity_kind tsub_kind = {"tsub", NULL, tsub_handle, NULL, tsub_discard};

START_TEST(fixed_block_time)
{
    por_chain_config c = base_cfg();
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    ck_assert_int_eq(por_sim_run(sim, POR_HOUR), POR_OK);
    por_chain_stats st;
    por_chain_get_stats(ch, &st);
    ck_assert_uint_eq(st.blocks, 300);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 300);
    ck_assert_int_eq(por_chain_confirmed_time(ch), POR_HOUR);
    ck_assert_str_eq(por_chain_name(ch), "test");
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

START_TEST(random_block_time_mean_and_congestion)
{
    por_chain_config c = base_cfg();
    c.block_time_random = true;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    ck_assert_int_eq(por_sim_run(sim, 30 * POR_DAY), POR_OK);
    por_chain_stats st;
    por_chain_get_stats(ch, &st);
    /* 216000 expected blocks; sd of a Poisson count is 465 */
    double mean = (double)por_chain_confirmed_time(ch) / (double)st.blocks;
    ck_assert_msg(fabs(mean - 12e9) < 0.01 * 12e9, "mean interval %.0f ns", mean);
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    /* congestion: blocks 3x slower for the second half of a day */
    por_chain_config c2 = base_cfg();
    por_congestion cong = {{12 * POR_HOUR, POR_DAY}, 3.0, 8.0};
    c2.congestion = &cong;
    c2.ncongestion = 1;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c2, 0, sim);
    ck_assert_int_eq(por_sim_run(sim, 12 * POR_HOUR), POR_OK);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 3600);
    ck_assert_int_eq(por_sim_run(sim, POR_DAY), POR_OK);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 3600 + 1200);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* EIP-1559 (CHAIN.md "Fees"): base' = base * (1 + (used - target) / target / 8), in
 * integer wei, an increase at least 1 wei. */
START_TEST(eip1559_base_fee_rule)
{
    const uint64_t g = 1000000000ull, target = 15000000;
    ck_assert_uint_eq(por_eip1559_next_base_fee(100 * g, 2 * target, target), 112500000000ull);
    ck_assert_uint_eq(por_eip1559_next_base_fee(100 * g, 0, target), 87500000000ull);
    ck_assert_uint_eq(por_eip1559_next_base_fee(100 * g, target, target), 100 * g);
    ck_assert_uint_eq(por_eip1559_next_base_fee(7, target + 1, target), 8); /* at least +1 */
    ck_assert_uint_eq(por_eip1559_next_base_fee(100 * g, target + target / 2, target),
                      106250000000ull);
}
END_TEST

/* Records the head's base fee after every block (a never-includable tx's on_pending). */
typedef struct {
    por_chain *chain;
    uint64_t fees[4000];
    size_t n;
} fee_log;
static fee_log *g_log;
static void log_pending(por_tx *tx, por_sim *sim, uint64_t block)
{
    (void)tx, (void)sim, (void)block;
    if (g_log->n < sizeof g_log->fees / sizeof g_log->fees[0])
        g_log->fees[g_log->n++] = por_chain_head_price_wei(g_log->chain);
}

/* The base fee moves at most 1/8 a block, rises while other users' demand exceeds the
 * target (a congestion window multiplies it) and falls back after. */
START_TEST(base_fee_within_bound)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.5;
    por_congestion cong = {{2 * POR_HOUR, 4 * POR_HOUR}, 1.0, 10.0};
    c.congestion = &cong;
    c.ncongestion = 1;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    static fee_log log;
    memset(&log, 0, sizeof log);
    log.chain = ch;
    g_log = &log;
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec r;
    memset(&r, 0, sizeof r);
    sub.txs[0] = ttx_new(&r, 0.0, 21000); /* max fee 0: never includable */
    sub.txs[0]->on_pending = log_pending;
    por_sim_at(sim, 1, se, 0, 0);
    ck_assert_int_eq(por_sim_run(sim, 6 * POR_HOUR), POR_OK);
    ck_assert_uint_eq(log.n, 1800);
    for (size_t i = 1; i < log.n; i++) {
        uint64_t a = log.fees[i - 1], b = log.fees[i];
        uint64_t d = a > b ? a - b : b - a;
        ck_assert_msg(d <= a / 8 + 1, "block %zu: %llu -> %llu", i, (unsigned long long)a,
                      (unsigned long long)b);
    }
    /* blocks are 12 s: block 600 at 2 h, 1200 at 4 h */
    uint64_t before = log.fees[598], peak = 0;
    for (size_t i = 600; i < 1200; i++)
        if (log.fees[i] > peak)
            peak = log.fees[i];
    ck_assert_uint_gt(peak, 5 * before); /* demand x10 pushes the base fee up */
    ck_assert_uint_lt(log.fees[1799], peak / 2); /* and it falls back after the window */
    ck_assert_int_eq(r.executed, 0);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 1); /* never dropped */
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* A tx is includable only while max fee >= base fee, and then pays base + min(tip, max fee
 * - base) per gas; a legacy chain charges the bid. A low bid waits, it is never dropped. */
START_TEST(bids_and_price_paid)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.0;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec low, ok;
    memset(&low, 0, sizeof low);
    memset(&ok, 0, sizeof ok);
    sub.txs[0] = ttx_new(&low, 16.0, 100000); /* below the 20 gwei base fee */
    sub.txs[1] = ttx_new(&ok, 25.0, 100000);
    sub.txs[1]->tip_wei = 2000000000ull;
    por_tx *okt = sub.txs[1];
    por_sim_at(sim, POR_SEC, se, 0, 0);
    por_sim_at(sim, POR_SEC, se, 0, 1);
    ck_assert_int_eq(por_sim_run(sim, 12 * POR_SEC), POR_OK);
    ck_assert_int_eq(ok.executed, 1);
    /* demand at equilibrium: base fee of block 1 = gas_price_gwei */
    ck_assert_uint_eq(okt->price_paid_wei, 20000000000ull + 2000000000ull);
    ck_assert_int_eq(por_sim_run(sim, 2 * POR_HOUR), POR_OK);
    ck_assert_int_eq(low.executed, 0);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 1);
    por_chain_stats st;
    por_chain_get_stats(ch, &st);
    ck_assert(st.fees_wei == (por_amount)100000 * 22000000000ll);
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    /* legacy: the price clears demand (flat here: 20 gwei); a bid covering it pays itself */
    por_chain_config c2 = base_cfg();
    c2.fee_model = POR_FEE_LEGACY;
    c2.gas_volatility = 0.0;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c2, 0, sim);
    tsubmitter sub2 = {ch, {0}, 0};
    se = por_sim_add_entity(sim, &tsub_kind, &sub2);
    trec l2;
    memset(&l2, 0, sizeof l2);
    sub2.txs[0] = ttx_new(&l2, 25.0, 100000);
    por_tx *lt = sub2.txs[0];
    por_sim_at(sim, POR_SEC, se, 0, 0);
    ck_assert_int_eq(por_sim_run(sim, 12 * POR_SEC), POR_OK);
    ck_assert_int_eq(l2.executed, 1);
    ck_assert_uint_eq(lt->price_paid_wei, 25000000000ull);
    ck_assert_uint_eq(por_chain_head_price_wei(ch), 20000000000ull);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* Records execution order into a shared list. */
static int g_order[8], g_norder;
static void order_exec(por_tx *tx, por_sim *sim, por_time_t t, uint64_t block)
{
    (void)sim, (void)t, (void)block;
    g_order[g_norder++] = (int)(tx->sender * 10 + tx->nonce);
}

/* CHAIN.md: within a block, transactions go by effective tip, then a sender's nonce;
 * a sender's higher nonce never goes before its lower one. */
START_TEST(block_order_tip_then_nonce)
{
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.0;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec r[4];
    memset(r, 0, sizeof r);
    /* sender 1: nonce 1 tips 2 gwei, nonce 2 tips 9; sender 2: nonce 1 tips 5 */
    double tips[3] = {2, 9, 5};
    uint32_t senders[3] = {1, 1, 2};
    uint64_t nonces[3] = {1, 2, 1};
    for (int i = 0; i < 3; i++) {
        sub.txs[i] = ttx_new(&r[i], 100.0, 100000);
        sub.txs[i]->tip_wei = (uint64_t)(tips[i] * 1e9);
        sub.txs[i]->sender = senders[i];
        sub.txs[i]->nonce = nonces[i];
        sub.txs[i]->execute = order_exec;
        por_sim_at(sim, POR_SEC, se, 0, (uint64_t)i);
    }
    g_norder = 0;
    ck_assert_int_eq(por_sim_run(sim, 12 * POR_SEC), POR_OK);
    /* sender 2 (tip 5) first; sender 1's nonce 2 (tip 9) must wait for its nonce 1
     * (tip 2), and follows it in the same block */
    ck_assert_int_eq(g_norder, 3);
    ck_assert_int_eq(g_order[0], 21);
    ck_assert_int_eq(g_order[1], 11);
    ck_assert_int_eq(g_order[2], 12);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 0);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* CHAIN.md "EVM state and confirmations": effects apply in the including block;
 * confirmations are a reader's depth and never delay them. */
START_TEST(gas_limit_and_confirmations)
{
    por_chain_config c = base_cfg();
    c.confirmations = 3;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    por_chain_set_gas_limit(ch, 250000);
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec r[2];
    memset(r, 0, sizeof r);
    sub.txs[0] = ttx_new(&r[0], 30.0, 200000);
    sub.txs[1] = ttx_new(&r[1], 25.0, 200000);
    por_sim_at(sim, POR_SEC, se, 0, 0);
    por_sim_at(sim, POR_SEC, se, 0, 1);
    ck_assert_int_eq(por_sim_run(sim, 12 * POR_SEC), POR_OK);
    /* the higher bid fills block 1 (gas limit) and applies in it, 3 confirmations or not */
    ck_assert_int_eq(r[0].executed, 1);
    ck_assert_uint_eq(r[0].exec_block, 1);
    ck_assert_int_eq(r[0].exec_time, 12 * POR_SEC);
    ck_assert_int_eq(r[1].executed, 0);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 0);
    ck_assert_int_eq(por_sim_run(sim, 24 * POR_SEC), POR_OK);
    ck_assert_int_eq(r[1].executed, 1);
    ck_assert_uint_eq(r[1].exec_block, 2);
    ck_assert_int_eq(r[1].exec_time, 24 * POR_SEC);
    /* the reader waiting for 3 confirmations sees block 1 once block 3 is mined */
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 0);
    ck_assert_uint_eq(por_chain_block_at_depth(ch, 3), 0);
    ck_assert_int_eq(por_sim_run(sim, 36 * POR_SEC), POR_OK);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 1);
    ck_assert_int_eq(por_chain_confirmed_time(ch), 12 * POR_SEC);
    ck_assert_uint_eq(por_chain_block_at_depth(ch, 3), 1);
    ck_assert_uint_eq(por_chain_block_at_depth(ch, 1), 3);
    ck_assert_uint_eq(por_chain_block_at_depth(ch, 0), 3);
    /* transactions stay alive while a reorg could still reach their block */
    ck_assert_int_eq(r[0].destroyed, 0);
    ck_assert_int_eq(por_sim_run(sim, 10 * POR_MIN), POR_OK);
    ck_assert_int_eq(r[0].destroyed, 1);
    ck_assert_int_eq(r[1].destroyed, 1);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

/* CHAIN.md: a reorg removes blocks, undoes their effects and returns their transactions
 * to the mempool; they are included (and applied) again later. */
START_TEST(reorg_returns_txs)
{
    por_chain_config c = base_cfg();
    c.confirmations = 4;
    c.reorg_probability = 0.3; /* the chain still grows: 1 - 0.3 * 2 blocks per block time */
    c.reorg_depth = 2;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec r[8];
    memset(r, 0, sizeof r);
    for (int i = 0; i < 8; i++) {
        sub.txs[i] = ttx_new(&r[i], 30.0, 100000);
        por_sim_at(sim, POR_SEC + i * 13 * POR_SEC, se, 0, (uint64_t)i);
    }
    ck_assert_int_eq(por_sim_run(sim, POR_HOUR), POR_OK);
    por_chain_stats st;
    por_chain_get_stats(ch, &st);
    ck_assert_uint_gt(st.reorgs, 10);
    /* every tx is in effect exactly once at the end: executions minus undos = 1 */
    int undone = 0;
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(r[i].executed - r[i].undone, 1);
        ck_assert_int_eq(r[i].destroyed, 1);
        undone += r[i].undone;
    }
    ck_assert_int_gt(undone, 0); /* with p = 0.3 some inclusion is removed */
    ck_assert_uint_eq(st.txs_undone, (uint64_t)undone);
    ck_assert_uint_eq(st.txs_mined, 8);
    ck_assert_uint_eq(st.gas_used, 800000);
    /* reorgs cost height: fewer blocks on the chain than mining events */
    ck_assert_uint_lt(por_chain_tip_number(ch), st.blocks);
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    /* every block drops its predecessor: the tx is applied, undone, applied again... */
    por_chain_config c2 = base_cfg();
    c2.confirmations = 4;
    c2.reorg_probability = 1.0;
    c2.reorg_depth = 1;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c2, 0, sim);
    tsubmitter sub2 = {ch, {0}, 0};
    se = por_sim_add_entity(sim, &tsub_kind, &sub2);
    trec q;
    memset(&q, 0, sizeof q);
    sub2.txs[0] = ttx_new(&q, 30.0, 100000);
    por_sim_at(sim, POR_SEC, se, 0, 0);
    ck_assert_int_eq(por_sim_run(sim, 60 * POR_SEC), POR_OK);
    /* blocks at 12..60 s: included 5 times, the first 4 removed by the next block */
    ck_assert_int_eq(q.executed, 5);
    ck_assert_int_eq(q.undone, 4);
    ck_assert_uint_le(por_chain_tip_number(ch), 1);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 0); /* never 4 deep */
    por_sim_destroy(sim);
    por_chain_destroy(ch);
    ck_assert_int_eq(q.destroyed, 1); /* freed by por_chain_destroy */
}
END_TEST

/* RPC faults: every read fails inside an outage, none outside with rate 0 (and nothing
 * drawn then); a rate draws from the reader's stream at about that frequency. */
START_TEST(rpc_read_faults)
{
    por_chain_config c = base_cfg();
    por_window outage = {2 * POR_HOUR, 3 * POR_HOUR};
    c.rpc_outages = &outage;
    c.nrpc_outages = 1;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    ck_assert(por_chain_rpc_faulty(ch));
    ck_assert(!por_chain_rpc_read_fails(ch, 0, NULL));
    ck_assert(!por_chain_rpc_read_fails(ch, 2 * POR_HOUR - 1, NULL));
    ck_assert(por_chain_rpc_read_fails(ch, 2 * POR_HOUR, NULL));
    ck_assert(por_chain_rpc_read_fails(ch, 3 * POR_HOUR - 1, NULL));
    ck_assert(!por_chain_rpc_read_fails(ch, 3 * POR_HOUR, NULL));
    gsl_rng *rng = por_rng_new(por_test_seed(), 0, por_stream_id("test", 0, "rpc"));
    gsl_rng *copy = gsl_rng_clone(rng);
    ck_assert(!por_chain_rpc_read_fails(ch, POR_HOUR, rng));
    ck_assert_uint_eq(gsl_rng_get(rng), gsl_rng_get(copy)); /* rate 0: nothing drawn */
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    c.rpc_failure_rate = 0.25;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c, 0, sim);
    int fails = 0, n = 20000;
    for (int i = 0; i < n; i++)
        fails += por_chain_rpc_read_fails(ch, POR_HOUR, rng);
    /* binomial(20000, 0.25): sd = 61.2; 6 sd either side */
    ck_assert_int_gt(fails, 5000 - 368);
    ck_assert_int_lt(fails, 5000 + 368);
    ck_assert(por_chain_rpc_read_fails(ch, 2 * POR_HOUR + 1, rng)); /* outage wins */
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    c.rpc_failure_rate = 1.0;
    c.rpc_outages = NULL;
    c.nrpc_outages = 0;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c, 0, sim);
    for (int i = 0; i < 1000; i++)
        ck_assert(por_chain_rpc_read_fails(ch, i * POR_SEC, rng));
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    c.rpc_failure_rate = 0;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c, 0, sim);
    ck_assert(!por_chain_rpc_faulty(ch));
    por_sim_destroy(sim);
    por_chain_destroy(ch);
    gsl_rng_free(rng);
    gsl_rng_free(copy);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("chain");
    TCase *tc = tcase_create("chain");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, fixed_block_time);
    tcase_add_test(tc, random_block_time_mean_and_congestion);
    tcase_add_test(tc, eip1559_base_fee_rule);
    tcase_add_test(tc, base_fee_within_bound);
    tcase_add_test(tc, bids_and_price_paid);
    tcase_add_test(tc, block_order_tip_then_nonce);
    tcase_add_test(tc, gas_limit_and_confirmations);
    tcase_add_test(tc, reorg_returns_txs);
    tcase_add_test(tc, rpc_read_faults);
    suite_add_tcase(s, tc);
    return s;
}
