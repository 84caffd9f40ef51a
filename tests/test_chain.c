/* Tests of sim/models/chain: block cadence (fixed and exponential), congestion windows,
 * gas price bids (wait for a cheap block, or time out), gas limit, confirmation depth and
 * reorgs returning transactions to the mempool; readers' RPC faults (rate, outages). */
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

static por_tx *ttx_new(trec *rec, double bid, uint64_t gas)
{
    ttx *t = calloc(1, sizeof *t);
    t->base.gas_price_gwei = bid;
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
    c.base_gas_gwei = 20.0;
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
    ck_assert(fabs(por_chain_gas_price(ch, 12 * POR_HOUR) - 160.0) < 1e-9);
    ck_assert(fabs(por_chain_gas_price(ch, 11 * POR_HOUR) - 20.0) < 1e-9);
    ck_assert_int_eq(por_sim_run(sim, POR_DAY), POR_OK);
    ck_assert_uint_eq(por_chain_confirmed_number(ch), 3600 + 1200);
    por_sim_destroy(sim);
    por_chain_destroy(ch);
}
END_TEST

START_TEST(low_bid_waits_or_times_out)
{
    /* volatile gas: a bid at 80% of base waits for a cheap block, a high bid goes first */
    por_chain_config c = base_cfg();
    c.gas_volatility = 0.3;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    por_chain *ch = por_chain_create(&c, 0, sim);
    tsubmitter sub = {ch, {0}, 0};
    uint32_t se = por_sim_add_entity(sim, &tsub_kind, &sub);
    trec low[4], high;
    memset(low, 0, sizeof low);
    memset(&high, 0, sizeof high);
    for (int i = 0; i < 4; i++) {
        sub.txs[i] = ttx_new(&low[i], 16.0, 100000);
        por_sim_at(sim, 1 * POR_SEC + i * 5 * POR_MIN, se, 0, (uint64_t)i);
    }
    sub.txs[4] = ttx_new(&high, 1000.0, 100000);
    por_sim_at(sim, 1 * POR_SEC, se, 0, 4);
    ck_assert_int_eq(por_sim_run(sim, 2 * POR_HOUR), POR_OK);
    ck_assert_int_eq(high.executed, 1);
    ck_assert_int_eq(high.exec_block, 1);
    int waited = 0;
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(low[i].executed, 1);
        ck_assert_int_eq(low[i].destroyed, 1);
        if (low[i].exec_block > 1 + (uint64_t)(i * 25))
            waited++;
    }
    /* each low bid lands in its first block with probability P(price <= 16) = 0.23 */
    ck_assert_int_ge(waited, 1);
    por_sim_destroy(sim);
    por_chain_destroy(ch);

    /* flat gas at 20: a 16 gwei bid never lands and times out */
    por_chain_config c2 = base_cfg();
    c2.tx_timeout = 10 * POR_MIN;
    sim = por_sim_create(por_test_seed(), 0);
    ch = por_chain_create(&c2, 0, sim);
    tsubmitter sub2 = {ch, {0}, 0};
    se = por_sim_add_entity(sim, &tsub_kind, &sub2);
    trec r;
    memset(&r, 0, sizeof r);
    sub2.txs[0] = ttx_new(&r, 16.0, 100000);
    por_sim_at(sim, POR_SEC, se, 0, 0);
    ck_assert_int_eq(por_sim_run(sim, 9 * POR_MIN), POR_OK);
    ck_assert_int_eq(r.dropped, 0);
    ck_assert_uint_eq(por_chain_mempool_size(ch), 1);
    ck_assert_int_eq(por_sim_run(sim, POR_HOUR), POR_OK);
    ck_assert_int_eq(r.executed, 0);
    ck_assert_int_eq(r.dropped, 1);
    ck_assert_int_eq(r.destroyed, 1);
    por_chain_stats st;
    por_chain_get_stats(ch, &st);
    ck_assert_uint_eq(st.txs_dropped, 1);
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
    c.reorg_probability = 0.5;
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
    ck_assert_int_gt(undone, 0); /* with p = 0.5 some inclusion is removed */
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
    tcase_add_test(tc, low_bid_waits_or_times_out);
    tcase_add_test(tc, gas_limit_and_confirmations);
    tcase_add_test(tc, reorg_returns_txs);
    tcase_add_test(tc, rpc_read_faults);
    suite_add_tcase(s, tc);
    return s;
}
