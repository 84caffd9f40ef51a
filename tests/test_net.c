/* Tests of sim/net: latency distributions (sample means against theory), loss rate,
 * partitions (drop only inside their window and only across groups), region latency
 * override, bandwidth delay, the adversary hook, clock skew bounds, and that a
 * broadcast delivers exactly what a send per receiver does, that every delivery is the
 * sender's next latency draw, and that none passes the end of time. */
#include "por_test.h"

#include "por/net.h"
#include "por/rng.h"
#include "por/sample.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    por_msg hdr;
    por_time_t sent;
} tmsg;

static void tmsg_destroy(por_msg *m) { free(m); }

static tmsg *tmsg_new(por_time_t sent, uint32_t size)
{
    tmsg *m = calloc(1, sizeof *m);
    m->hdr.refs = 1;
    m->hdr.size = size;
    m->hdr.destroy = tmsg_destroy;
    m->sent = sent;
    return m;
}

/* A node entity: records deliveries; on event 1 sends to node TARGET and re-arms every
 * PERIOD until COUNT sends are done. */
typedef struct {
    por_net *net;
    uint32_t idx, target;
    uint32_t remaining;
    por_time_t period;
    uint64_t received;
    double lat_sum, lat_sq;
    por_time_t first_rx, last_rx;
} tnode;

static void tnode_handle(por_sim *sim, void *self, por_event *ev)
{
    tnode *n = self;
    if (ev->type == POR_EV_NET_DELIVER) {
        tmsg *m = ev->ptr;
        double l = (double)(ev->time - m->sent);
        n->received++;
        n->lat_sum += l;
        n->lat_sq += l * l;
        if (n->received == 1)
            n->first_rx = ev->time;
        n->last_rx = ev->time;
        por_msg_unref(&m->hdr);
        return;
    }
    if (ev->type == 1 && n->remaining > 0) {
        n->remaining--;
        tmsg *m = tmsg_new(por_sim_now(sim), 100);
        por_net_send(n->net, sim, n->idx, n->target, &m->hdr);
        por_msg_unref(&m->hdr);
        if (n->remaining > 0)
            por_sim_at(sim, por_sim_now(sim) + n->period, por_sim_current(sim), 1, 0);
    }
}

static void tnode_discard(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    (void)self;
    if (ev->type == POR_EV_NET_DELIVER && ev->ptr)
        por_msg_unref(ev->ptr);
}

static const por_entity_kind tnode_kind = {"tnode", NULL, tnode_handle, NULL, tnode_discard};

typedef struct {
    por_sim *sim;
    por_net *net;
    tnode nodes[4];
} tworld;

/* Builds a 4-node world where node 0 sends COUNT messages to node 1 every PERIOD. */
static void tworld_init(tworld *w, const por_network_config *cfg, uint64_t seed,
                        uint32_t count, por_time_t period)
{
    memset(w, 0, sizeof *w);
    w->sim = por_sim_create(seed, 0);
    uint32_t ent[4];
    for (uint32_t i = 0; i < 4; i++) {
        w->nodes[i].idx = i;
        ent[i] = por_sim_add_entity(w->sim, &tnode_kind, &w->nodes[i]);
    }
    w->net = por_net_create(cfg, 4, ent, seed, 0);
    for (uint32_t i = 0; i < 4; i++)
        w->nodes[i].net = w->net;
    w->nodes[0].target = 1;
    w->nodes[0].remaining = count;
    w->nodes[0].period = period;
    por_sim_at(w->sim, 0, ent[0], 1, 0);
}

static void tworld_free(tworld *w)
{
    por_sim_destroy(w->sim);
    por_net_destroy(w->net);
}

static double mean_latency_of(const por_duration_dist *d, uint32_t count)
{
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency = *d;
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), count, POR_MS);
    ck_assert_int_eq(por_sim_run(w.sim, POR_TIME_MAX / 2), POR_OK);
    ck_assert_uint_eq(w.nodes[1].received, count);
    double m = w.nodes[1].lat_sum / (double)count;
    tworld_free(&w);
    return m;
}

START_TEST(latency_means)
{
    const uint32_t N = 40000;
    por_time_t samples[5] = {10 * POR_MS, 20 * POR_MS, 30 * POR_MS, 40 * POR_MS, 200 * POR_MS};
    por_duration_dist d[7];
    memset(d, 0, sizeof d);
    d[0].kind = POR_DIST_CONSTANT, d[0].value = 50 * POR_MS;
    d[1].kind = POR_DIST_UNIFORM, d[1].min = 10 * POR_MS, d[1].max = 90 * POR_MS;
    d[2].kind = POR_DIST_NORMAL, d[2].mean = 80 * POR_MS, d[2].sd = 20 * POR_MS;
    d[3].kind = POR_DIST_LOGNORMAL, d[3].median = 80 * POR_MS, d[3].sigma = 0.6;
    d[4].kind = POR_DIST_PARETO, d[4].scale = 40 * POR_MS, d[4].shape = 3.0;
    d[5].kind = POR_DIST_EXPONENTIAL, d[5].mean = 70 * POR_MS;
    d[6].kind = POR_DIST_EMPIRICAL, d[6].samples = samples, d[6].nsamples = 5;
    for (int i = 0; i < 7; i++) {
        double want = por_duration_dist_mean(&d[i]);
        double got = mean_latency_of(&d[i], N);
        /* 3% covers > 4 standard errors for every distribution here (Pareto shape 3 has
         * sd/mean = 0.58, lognormal sigma 0.6 about 0.66, empirical 1.0) */
        ck_assert_msg(fabs(got - want) <= 0.03 * want, "dist %d: mean %.0f ns, want %.0f",
                      i, got, want);
    }
    ck_assert_int_eq((int)mean_latency_of(&d[0], 10), (int)(50 * POR_MS));
}
END_TEST

START_TEST(normal_truncated_at_zero)
{
    por_duration_dist d;
    memset(&d, 0, sizeof d);
    d.kind = POR_DIST_NORMAL;
    d.mean = 5 * POR_MS;
    d.sd = 10 * POR_MS;
    gsl_rng *r = por_rng_new(por_test_seed(), 0, 7);
    por_sampler smp;
    por_sampler_init_duration(&smp, &d);
    double s = 0;
    const int N = 100000;
    for (int i = 0; i < N; i++) {
        por_time_t x = por_sample_duration(&smp, r);
        ck_assert_int_ge(x, 0);
        s += (double)x;
    }
    gsl_rng_free(r);
    por_sampler_free(&smp);
    double want = por_duration_dist_mean(&d);
    ck_assert(want > 5.0 * POR_MS); /* truncation raises the mean */
    ck_assert_msg(fabs(s / N - want) <= 0.02 * want, "mean %.0f want %.0f", s / N, want);
}
END_TEST

/* loss_model drop (porsim's former model): a lost message is gone. */
START_TEST(loss_rate)
{
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_CONSTANT;
    cfg.latency.value = POR_MS;
    cfg.loss = 0.1;
    cfg.loss_model = POR_LOSS_DROP;
    const uint32_t N = 50000;
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), N, POR_MS);
    ck_assert_int_eq(por_sim_run(w.sim, POR_TIME_MAX / 2), POR_OK);
    por_net_stats st;
    por_net_get_stats(w.net, &st);
    ck_assert_uint_eq(st.sent, N);
    ck_assert_uint_eq(st.dropped_loss + w.nodes[1].received, N);
    double rate = (double)st.dropped_loss / N;
    /* sd of the rate is sqrt(0.09/50000) = 0.0013 */
    ck_assert_msg(fabs(rate - 0.1) < 0.007, "loss rate %f", rate);
    tworld_free(&w);
}
END_TEST

/* loss_model retransmit (default): OCR messages ride retransmitting authenticated streams
 * (libocr's networking over TCP), so loss is delay. With per-transmission loss p and a
 * first timeout R doubling per loss, a message lost k times arrives R * (2^k - 1) late;
 * K is geometric, E[2^K] = (1 - p) / (1 - 2p), so the mean extra delay is
 * R * ((1 - p) / (1 - 2p) - 1) = R * p / (1 - 2p): 25 ms for p = 0.1, R = 200 ms. */
START_TEST(loss_retransmits)
{
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_CONSTANT;
    cfg.latency.value = POR_MS;
    cfg.loss = 0.1;
    cfg.loss_model = POR_LOSS_RETRANSMIT;
    cfg.retransmit_timeout = 200 * POR_MS;
    const uint32_t N = 50000;
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), N, POR_MS);
    ck_assert_int_eq(por_sim_run(w.sim, POR_TIME_MAX / 2), POR_OK);
    por_net_stats st;
    por_net_get_stats(w.net, &st);
    ck_assert_uint_eq(st.sent, N);
    ck_assert_uint_eq(st.dropped_loss, 0); /* 16 losses in a row: p^16 = 1e-16 */
    ck_assert_uint_eq(w.nodes[1].received, N);
    double resent = (double)st.retransmitted / N; /* P(lost at least once) = p */
    ck_assert_msg(fabs(resent - 0.1) < 0.007, "retransmitted fraction %f", resent);
    double mean = w.nodes[1].lat_sum / N, want = (double)POR_MS + 200.0 * POR_MS * 0.1 / 0.8;
    /* sd of one extra delay = 97 ms (E[(2^K - 1)^2] = 0.25), of the mean 0.43 ms */
    ck_assert_msg(fabs(mean - want) < 2.0 * POR_MS, "mean latency %.0f want %.0f", mean, want);
    tworld_free(&w);

    /* a link that loses everything: after POR_NET_MAX_RETRANSMITS resends it gives up */
    cfg.loss = 1.0;
    tworld_init(&w, &cfg, por_test_seed(), 100, POR_MS);
    ck_assert_int_eq(por_sim_run(w.sim, POR_TIME_MAX / 2), POR_OK);
    por_net_get_stats(w.net, &st);
    ck_assert_uint_eq(st.dropped_loss, 100);
    ck_assert_uint_eq(w.nodes[1].received, 0);
    tworld_free(&w);
}
END_TEST

START_TEST(partition_window)
{
    uint32_t g0[] = {0, 2};
    uint32_t *groups[] = {g0};
    size_t sizes[] = {2};
    por_partition part = {{10 * POR_SEC, 20 * POR_SEC}, groups, sizes, 1};
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_CONSTANT;
    cfg.latency.value = 100 * POR_MS;
    cfg.partitions = &part;
    cfg.npartitions = 1;
    /* node 0 (group 0) sends to node 1 (implicit group) once a second for 30 s */
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), 30, POR_SEC);
    ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    por_net_stats st;
    por_net_get_stats(w.net, &st);
    ck_assert_uint_eq(st.dropped_partition, 10); /* sends at 10..19 s */
    ck_assert_uint_eq(w.nodes[1].received, 20);
    tworld_free(&w);

    /* same group: never dropped */
    tworld_init(&w, &cfg, por_test_seed(), 30, POR_SEC);
    w.nodes[0].target = 2;
    ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    ck_assert_uint_eq(w.nodes[2].received, 30);
    tworld_free(&w);
}
END_TEST

START_TEST(region_override_and_bandwidth)
{
    uint32_t ra[] = {0}, rb[] = {1, 2, 3};
    por_region regions[2];
    memset(regions, 0, sizeof regions);
    regions[0].nodes = ra, regions[0].nnodes = 1;
    regions[1].nodes = rb, regions[1].nnodes = 3;
    por_region_link link;
    memset(&link, 0, sizeof link);
    link.from_region = 1; /* defined in the reverse direction: used both ways */
    link.to_region = 0;
    link.latency.kind = POR_DIST_CONSTANT;
    link.latency.value = 300 * POR_MS;
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_CONSTANT;
    cfg.latency.value = 10 * POR_MS;
    cfg.regions = regions, cfg.nregions = 2;
    cfg.region_links = &link, cfg.nregion_links = 1;
    cfg.bandwidth_bps = 8000.0; /* 100-byte message: 0.1 s */
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), 5, POR_SEC);
    ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    ck_assert_uint_eq(w.nodes[1].received, 5);
    ck_assert_int_eq((int64_t)(w.nodes[1].lat_sum / 5), 400 * POR_MS);
    tworld_free(&w);
    /* within region 1 the default applies */
    tworld_init(&w, &cfg, por_test_seed(), 5, POR_SEC);
    w.nodes[0].target = 0; /* self-send: zero latency, no bandwidth */
    ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    ck_assert_int_eq((int64_t)w.nodes[0].lat_sum, 0);
    tworld_free(&w);
}
END_TEST

static void drop_odd(void *ctx, por_sim *sim, uint32_t from, uint32_t to, const por_msg *msg,
                     por_net_verdict *v)
{
    (void)from, (void)to, (void)msg;
    int *calls = ctx;
    (*calls)++;
    if ((por_sim_now(sim) / POR_SEC) % 2 == 1)
        v->drop = true;
    else
        v->extra_delay = 5 * POR_MS;
}

START_TEST(adversary_filter)
{
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_CONSTANT;
    cfg.latency.value = 10 * POR_MS;
    tworld w;
    tworld_init(&w, &cfg, por_test_seed(), 10, POR_SEC);
    int calls = 0;
    por_net_set_filter(w.net, drop_odd, &calls);
    ck_assert_int_eq(por_sim_run(w.sim, POR_HOUR), POR_OK);
    ck_assert_int_eq(calls, 10);
    ck_assert_uint_eq(w.nodes[1].received, 5);
    ck_assert_int_eq((int64_t)(w.nodes[1].lat_sum / 5), 15 * POR_MS);
    por_net_stats st;
    por_net_get_stats(w.net, &st);
    ck_assert_uint_eq(st.dropped_adversary, 5);
    tworld_free(&w);
}
END_TEST

START_TEST(clock_skew)
{
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.clock_skew_max = 2 * POR_SEC;
    uint32_t ent[31];
    for (uint32_t i = 0; i < 31; i++)
        ent[i] = i;
    por_net *net = por_net_create(&cfg, 31, ent, por_test_seed(), 0);
    bool nonzero = false;
    for (uint32_t i = 0; i < 31; i++) {
        por_time_t o = por_net_clock_offset(net, i);
        ck_assert_int_le(o, 2 * POR_SEC);
        ck_assert_int_ge(o, -2 * POR_SEC);
        nonzero |= o != 0;
    }
    ck_assert(nonzero);
    /* adding nodes does not change the others' offsets */
    por_net *net2 = por_net_create(&cfg, 20, ent, por_test_seed(), 0);
    for (uint32_t i = 0; i < 20; i++)
        ck_assert_int_eq(por_net_clock_offset(net, i), por_net_clock_offset(net2, i));
    por_net_destroy(net);
    por_net_destroy(net2);
}
END_TEST

/* por_net_broadcast's loop for a network with latency only (no loss, partition,
 * bandwidth, adversary or trace) must do exactly what a por_net_send per receiver does:
 * the same latency draws, the same deliveries in the same order, the same counters. */
typedef struct {
    uint32_t idx;
    por_time_t *log; /* time, receiver, sender per delivery */
    size_t *len;
} trec;

static void trec_handle(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    trec *r = self;
    ck_assert_int_eq(ev->type, POR_EV_NET_DELIVER);
    ck_assert_uint_eq(ev->b, r->idx);
    r->log[(*r->len)++] = ev->time;
    r->log[(*r->len)++] = r->idx;
    r->log[(*r->len)++] = (por_time_t)ev->a;
    por_msg_unref(ev->ptr);
}

static const por_entity_kind trec_kind = {"trec", NULL, trec_handle, NULL, tnode_discard};

static void broadcast_log(bool one_by_one, por_time_t *log, size_t *len, por_net_stats *st)
{
    enum { N = 7 };
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_LOGNORMAL;
    cfg.latency.median = 80 * POR_MS;
    cfg.latency.sigma = 0.8;
    por_sim *sim = por_sim_create(por_test_seed(), 0);
    trec nodes[N];
    uint32_t ent[N];
    for (uint32_t i = 0; i < N; i++) {
        nodes[i] = (trec){i, log, len};
        ent[i] = por_sim_add_entity(sim, &trec_kind, &nodes[i]);
    }
    por_net *net = por_net_create(&cfg, N, ent, por_test_seed(), 0);
    for (uint32_t k = 0; k < 3 * N; k++) {
        uint32_t from = (k * 3) % N;
        tmsg *m = tmsg_new(0, 100);
        if (one_by_one)
            for (uint32_t to = 0; to < N; to++)
                por_net_send(net, sim, from, to, &m->hdr);
        else
            por_net_broadcast(net, sim, from, &m->hdr);
        por_msg_unref(&m->hdr);
    }
    ck_assert_int_eq(por_sim_run(sim, POR_HOUR), POR_OK);
    por_net_get_stats(net, st);
    por_sim_destroy(sim);
    por_net_destroy(net);
}

START_TEST(broadcast_same_as_sends)
{
    static por_time_t a[3 * 7 * 7 * 3], b[3 * 7 * 7 * 3];
    size_t na = 0, nb = 0;
    por_net_stats sa, sb;
    broadcast_log(false, a, &na, &sa);
    broadcast_log(true, b, &nb, &sb);
    ck_assert_uint_eq(na, sizeof a / sizeof a[0]);
    ck_assert_uint_eq(na, nb);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert_mem_eq(&sa, &sb, sizeof sa);
    ck_assert_uint_eq(sa.sent, 3 * 7 * 7);
    ck_assert_uint_eq(sa.delivered, 3 * 7 * 7);
}
END_TEST

/* ---- each delivery is the sender's next latency draw -----------------------------------
 * The rule of sim/net/net.c (its header and por_net_send): the delay of a message from
 * FROM to TO is the next draw of FROM's "latency" stream from the (FROM, TO) link's
 * distribution, none for a message to itself, and a broadcast draws for its receivers in
 * index order. The reference below draws from its own copy of each stream
 * (por_rng_new(seed, 0, por_stream_id("net", from, "latency"))) and its own samplers,
 * so it checks por_net_broadcast's per-sender shortcuts (the row sampler, the stream's
 * state held in locals for a broadcast and written back) against the definition, with
 * broadcasts and single sends interleaved so that a state not written back shows. */
enum { ROW_N = 7, ROW_MSGS = 40 };

typedef struct {
    uint32_t idx;
    por_time_t (*got)[ROW_N];
} trow;

static void trow_handle(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    trow *r = self;
    tmsg *m = ev->ptr;
    r->got[m->sent][r->idx] = ev->time;
    por_msg_unref(ev->ptr);
}

static const por_entity_kind trow_kind = {"trow", NULL, trow_handle, NULL, tnode_discard};

/* Region of node I in the mixed configuration: 0-2 in region 0, 3-5 in region 1, node 6
 * in none (its row is all default links). */
static int32_t row_region(uint32_t i) { return i < 3 ? 0 : i < 6 ? 1 : -1; }

/* A simulation of SEED with ROW_N receivers NODES logging into GOT (their entities in
 * ENT), and REF: each sender's "latency" stream drawn again from its definition. */
static por_sim *row_world(uint64_t seed, trow nodes[ROW_N], uint32_t ent[ROW_N],
                          por_time_t (*got)[ROW_N], gsl_rng *ref[ROW_N])
{
    por_sim *sim = por_sim_create(seed, 0);
    for (uint32_t i = 0; i < ROW_N; i++) {
        nodes[i] = (trow){i, got};
        ent[i] = por_sim_add_entity(sim, &trow_kind, &nodes[i]);
        ref[i] = por_rng_new(seed, 0, por_stream_id("net", i, "latency"));
    }
    return sim;
}

/* Fails unless message k's delivery to node j came at WANT[k][j] for the first NMSGS
 * messages; RULE names where WANT comes from. */
static void row_check(uint64_t seed, uint32_t nmsgs, por_time_t (*got)[ROW_N],
                      por_time_t (*want)[ROW_N], const char *rule)
{
    for (uint32_t k = 0; k < nmsgs; k++)
        for (uint32_t j = 0; j < ROW_N; j++)
            if (got[k][j] != want[k][j])
                ck_abort_msg("seed %llu: message %u to node %u delivered at %lld, %s gives "
                             "%lld", (unsigned long long)seed, k, j, (long long)got[k][j],
                             rule, (long long)want[k][j]);
}

static void check_rows(const por_network_config *cfg, const por_duration_dist *link01,
                       uint64_t seed)
{
    static por_time_t got[ROW_MSGS][ROW_N], want[ROW_MSGS][ROW_N];
    for (uint32_t k = 0; k < ROW_MSGS; k++)
        for (uint32_t j = 0; j < ROW_N; j++)
            got[k][j] = want[k][j] = -1;
    trow nodes[ROW_N];
    uint32_t ent[ROW_N];
    gsl_rng *ref[ROW_N]; /* the reference: the streams and samplers by their definitions */
    por_sim *sim = row_world(seed, nodes, ent, got, ref);
    por_net *net = por_net_create(cfg, ROW_N, ent, seed, 0);
    por_sampler def, other;
    por_sampler_init_duration(&def, &cfg->latency);
    por_sampler_init_duration(&other, link01 ? link01 : &cfg->latency);
    gsl_rng *pick = por_rng_new(seed, 0, 99);
    for (uint32_t k = 0; k < ROW_MSGS; k++) {
        uint32_t from = (uint32_t)por_rng_below(pick, ROW_N);
        bool one = por_rng_below(pick, 3) == 0;
        uint32_t to1 = (uint32_t)por_rng_below(pick, ROW_N);
        tmsg *m = tmsg_new(k, 100); /* `sent` holds the message number */
        if (one)
            por_net_send(net, sim, from, to1, &m->hdr);
        else
            por_net_broadcast(net, sim, from, &m->hdr);
        por_msg_unref(&m->hdr);
        for (uint32_t to = 0; to < ROW_N; to++) {
            if (one && to != to1)
                continue;
            int32_t ra = row_region(from), rb = row_region(to);
            bool across = link01 && ra >= 0 && rb >= 0 && ra != rb;
            want[k][to] = to == from ? 0 : por_sample_duration(across ? &other : &def, ref[from]);
        }
    }
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX / 2), POR_OK);
    row_check(seed, ROW_MSGS, got, want, "its draw");
    for (uint32_t i = 0; i < ROW_N; i++)
        gsl_rng_free(ref[i]);
    gsl_rng_free(pick);
    por_sampler_free(&def);
    por_sampler_free(&other);
    por_sim_destroy(sim);
    por_net_destroy(net);
}

START_TEST(deliveries_are_the_senders_next_draws)
{
    uint64_t seed = por_test_seed();
    printf("deliveries_are_the_senders_next_draws: seed %llu\n", (unsigned long long)seed);
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    /* one lognormal everywhere: every row takes the shortcut */
    cfg.latency.kind = POR_DIST_LOGNORMAL;
    cfg.latency.median = 80 * POR_MS;
    cfg.latency.sigma = 0.8;
    check_rows(&cfg, NULL, seed);
    /* a region link: rows 0-5 mix two samplers, row 6 (no region) has one */
    uint32_t ra[] = {0, 1, 2}, rb[] = {3, 4, 5};
    por_region regions[2];
    memset(regions, 0, sizeof regions);
    regions[0].nodes = ra, regions[0].nnodes = 3;
    regions[1].nodes = rb, regions[1].nnodes = 3;
    por_region_link link;
    memset(&link, 0, sizeof link);
    link.from_region = 0;
    link.to_region = 1;
    link.latency.kind = POR_DIST_LOGNORMAL;
    link.latency.median = 150 * POR_MS;
    link.latency.sigma = 0.3;
    por_network_config mixed = cfg;
    mixed.regions = regions, mixed.nregions = 2;
    mixed.region_links = &link, mixed.nregion_links = 1;
    check_rows(&mixed, &link.latency, seed + 1);
    /* a sampler without a one-word table (uniform): no shortcut */
    cfg.latency.kind = POR_DIST_UNIFORM;
    cfg.latency.min = 10 * POR_MS;
    cfg.latency.max = 90 * POR_MS;
    check_rows(&cfg, NULL, seed + 2);
}
END_TEST

/* ---- deliveries near the end of time ----------------------------------------------------
 * The rule (por__capped_delay, net.c): a delivery whose instant would pass the end of time
 * happens at POR_TIME_MAX. por_net_broadcast and por_net_send leave the cap out while now
 * <= POR_TIME_MAX - POR_SAMPLE_MAX_DURATION (no draw is longer). Broadcasts and single
 * sends (one of them to the sender itself) at that bound, one nanosecond after it, 60 ms
 * and 1 ns before the end (where some 80 ms draws are capped and some are not) are
 * compared with the reference draws, capped. */
typedef struct {
    por_net *net;
} tdriver;

/* Event type 1: a broadcast from node b; type 2: a send from node b % 256 to b / 256. */
static void tdriver_handle(por_sim *sim, void *self, por_event *ev)
{
    tdriver *d = self;
    tmsg *m = tmsg_new((por_time_t)ev->a, 100); /* `sent` holds the message number */
    if (ev->type == 1)
        por_net_broadcast(d->net, sim, (uint32_t)ev->b, &m->hdr);
    else
        por_net_send(d->net, sim, (uint32_t)(ev->b % 256), (uint32_t)(ev->b / 256), &m->hdr);
    por_msg_unref(&m->hdr);
}

static const por_entity_kind tdriver_kind = {"tdriver", NULL, tdriver_handle, NULL, NULL};

START_TEST(broadcast_capped_at_end_of_time)
{
    uint64_t seed = por_test_seed();
    printf("broadcast_capped_at_end_of_time: seed %llu\n", (unsigned long long)seed);
    static por_time_t got[ROW_MSGS][ROW_N], want[ROW_MSGS][ROW_N];
    for (uint32_t k = 0; k < ROW_MSGS; k++)
        for (uint32_t j = 0; j < ROW_N; j++)
            got[k][j] = want[k][j] = -1;
    const por_time_t bound = POR_TIME_MAX - POR_SAMPLE_MAX_DURATION;
    const por_time_t when[] = {bound, bound + 1, POR_TIME_MAX - 60 * POR_MS, POR_TIME_MAX - 1};
    enum { PER = 10, SENDS = 3 }; /* messages at each instant, the last SENDS single sends */
    por_network_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.latency.kind = POR_DIST_LOGNORMAL;
    cfg.latency.median = 80 * POR_MS;
    cfg.latency.sigma = 0.8;
    trow nodes[ROW_N];
    uint32_t ent[ROW_N];
    gsl_rng *ref[ROW_N];
    por_sim *sim = row_world(seed, nodes, ent, got, ref);
    tdriver drv;
    uint32_t drv_ent = por_sim_add_entity(sim, &tdriver_kind, &drv);
    drv.net = por_net_create(&cfg, ROW_N, ent, seed, 0);
    por_sampler def;
    por_sampler_init_duration(&def, &cfg.latency);
    uint32_t capped = 0, uncapped_late = 0, k = 0;
    for (size_t w = 0; w < sizeof when / sizeof when[0]; w++)
        for (uint32_t b = 0; b < PER; b++, k++) {
            uint32_t from = (k * 5 + w) % ROW_N;
            bool one = b >= PER - SENDS;
            uint32_t to1 = b == PER - 1 ? from : (from + 1 + b) % ROW_N; /* last: to itself */
            if (one)
                por_sim_schedule(sim, when[w], 0, drv_ent, 2, k, from + 256 * to1, NULL);
            else
                por_sim_schedule(sim, when[w], 0, drv_ent, 1, k, from, NULL);
            for (uint32_t to = 0; to < ROW_N; to++) {
                if (one && to != to1)
                    continue;
                por_time_t d = to == from ? 0 : por_sample_duration(&def, ref[from]);
                want[k][to] = d > POR_TIME_MAX - when[w] ? POR_TIME_MAX : when[w] + d;
                if (w == 2 && to != from) {
                    capped += want[k][to] == POR_TIME_MAX;
                    uncapped_late += want[k][to] < POR_TIME_MAX;
                }
            }
        }
    ck_assert_uint_le(k, ROW_MSGS);
    ck_assert_uint_gt(capped, 0); /* both sides of the end occur */
    ck_assert_uint_gt(uncapped_late, 0);
    ck_assert_int_eq(por_sim_run(sim, POR_TIME_MAX), POR_OK);
    row_check(seed, k, got, want, "the capped draw");
    for (uint32_t i = 0; i < ROW_N; i++)
        gsl_rng_free(ref[i]);
    por_sampler_free(&def);
    por_sim_destroy(sim);
    por_net_destroy(drv.net);
}
END_TEST

Suite *por_test_suite(void)
{
    Suite *s = suite_create("net");
    TCase *tc = tcase_create("net");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, latency_means);
    tcase_add_test(tc, normal_truncated_at_zero);
    tcase_add_test(tc, loss_rate);
    tcase_add_test(tc, loss_retransmits);
    tcase_add_test(tc, partition_window);
    tcase_add_test(tc, region_override_and_bandwidth);
    tcase_add_test(tc, adversary_filter);
    tcase_add_test(tc, clock_skew);
    tcase_add_test(tc, broadcast_same_as_sends);
    tcase_add_test(tc, deliveries_are_the_senders_next_draws);
    tcase_add_test(tc, broadcast_capped_at_end_of_time);
    suite_add_tcase(s, tc);
    return s;
}
