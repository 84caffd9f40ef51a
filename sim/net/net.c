/* The oracle-to-oracle network: samples a one-way delay per message from the link's
 * latency distribution (default, or the region matrix override), adds the bandwidth
 * delay, applies loss, partitions and the adversary hook, and schedules the delivery
 * event at the receiving entity.
 *
 * Loss: OCR messages travel over authenticated streams that retransmit (libocr's
 * networking runs over TCP), so by default (loss_model "retransmit") a lost transmission
 * costs a retransmission timeout and the message is sent again, the timeout doubling on
 * each loss of the same message up to POR_NET_RTO_MAX; after POR_NET_MAX_RETRANSMITS
 * losses in a row the message is lost. loss_model "drop" keeps porsim's former model:
 * a lost message is gone.
 *
 * Randomness: one latency stream and one loss stream per sender node, and one skew
 * stream per node, so adding a node never changes another node's draws. Messages are
 * not FIFO per link: each delivery time is drawn independently. */
#include "por/net.h"

#include "por/error.h"
#include "por/rng.h"
#include "por/sample.h"
#include "por/trace.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct por_net {
    const por_network_config *cfg;
    uint32_t n;
    uint32_t *entity;                 /* node -> engine entity */
    gsl_rng **lat_rng;                /* per sender: latency */
    gsl_rng **loss_rng;               /* per sender: loss */
    uint64_t **lat_state;             /* per sender: lat_rng's xoshiro state words */
    const por_sampler **row;          /* per sender: the one-word sampler every link from
                                         it uses, or NULL (links differ, or a sampler
                                         that may draw a second word) */
    por_sampler *sampler;             /* [0] the default latency, [1 + i] region link i */
    const por_sampler **link;         /* n*n: latency sampler of link (from, to) */
    por_time_t *skew;                 /* per node clock offset */
    uint32_t *part_group;             /* npartitions * n: group of each node */
    por_net_filter filter;
    void *filter_ctx;
    por_net_stats stats;
    por_trace_sink *trace;            /* teaching-mode tracing; NULL = off */
};

/* Largest delay the bandwidth term may add (about 292 years): keeps doubles from
 * overflowing. */
#define POR__DELAY_CAP ((double)INT64_MAX / 4.0)

static por_time_t por__to_time(double ns)
{
    if (!(ns > 0.0)) /* also catches NaN */
        return 0;
    if (ns > POR__DELAY_CAP)
        ns = POR__DELAY_CAP;
    return (por_time_t)llround(ns);
}

double por_duration_dist_mean(const por_duration_dist *d)
{
    switch (d->kind) {
    case POR_DIST_CONSTANT:
        return (double)d->value;
    case POR_DIST_UNIFORM:
        return d->max <= d->min ? (double)d->min : 0.5 * ((double)d->min + (double)d->max);
    case POR_DIST_NORMAL: {
        /* mean of a normal truncated below at 0 */
        double mu = (double)d->mean, s = (double)d->sd;
        if (s <= 0.0)
            return mu > 0.0 ? mu : 0.0;
        double a = -mu / s;
        double phi = exp(-0.5 * a * a) / 2.5066282746310002 /* sqrt(2 pi) */;
        double tail = 0.5 * erfc(a / sqrt(2.0)); /* P(Z > a) */
        return tail > 0.0 ? mu + s * phi / tail : 0.0;
    }
    case POR_DIST_LOGNORMAL:
        return (double)d->median * exp(0.5 * d->sigma * d->sigma);
    case POR_DIST_PARETO:
        return d->shape > 1.0 ? d->shape * (double)d->scale / (d->shape - 1.0) : INFINITY;
    case POR_DIST_EXPONENTIAL:
        return (double)d->mean;
    case POR_DIST_EMPIRICAL: {
        if (d->nsamples == 0)
            return 0.0;
        double s = 0.0;
        for (size_t i = 0; i < d->nsamples; i++)
            s += (double)d->samples[i];
        return s / (double)d->nsamples;
    }
    }
    return 0.0;
}

static int32_t por__region_of(const por_network_config *cfg, uint32_t node)
{
    for (size_t r = 0; r < cfg->nregions; r++)
        for (size_t k = 0; k < cfg->regions[r].nnodes; k++)
            if (cfg->regions[r].nodes[k] == node)
                return (int32_t)r;
    return -1;
}

/* The region link entry for regions (ra, rb), or -1 for the default latency. */
static ptrdiff_t por__region_link(const por_network_config *cfg, int32_t ra, int32_t rb)
{
    if (ra < 0 || rb < 0)
        return -1;
    /* an exact (from, to) entry wins; otherwise the reverse direction is used */
    for (size_t i = 0; i < cfg->nregion_links; i++)
        if (cfg->region_links[i].from_region == (uint32_t)ra &&
            cfg->region_links[i].to_region == (uint32_t)rb)
            return (ptrdiff_t)i;
    for (size_t i = 0; i < cfg->nregion_links; i++)
        if (cfg->region_links[i].from_region == (uint32_t)rb &&
            cfg->region_links[i].to_region == (uint32_t)ra)
            return (ptrdiff_t)i;
    return -1;
}

por_net *por_net_create(const por_network_config *cfg, uint32_t nnodes,
                        const uint32_t *node_entity, uint64_t seed, uint64_t replication)
{
    POR_ASSERT(cfg != NULL && nnodes > 0);
    por_net *net = por_xcalloc(1, sizeof *net);
    net->cfg = cfg;
    net->n = nnodes;
    net->entity = por_xmalloc(nnodes * sizeof *net->entity);
    memcpy(net->entity, node_entity, nnodes * sizeof *net->entity);
    net->lat_rng = por_xcalloc(nnodes, sizeof *net->lat_rng);
    net->loss_rng = por_xcalloc(nnodes, sizeof *net->loss_rng);
    net->skew = por_xcalloc(nnodes, sizeof *net->skew);
    for (uint32_t i = 0; i < nnodes; i++) {
        net->lat_rng[i] = por_rng_new(seed, replication, por_stream_id("net", i, "latency"));
        net->loss_rng[i] = por_rng_new(seed, replication, por_stream_id("net", i, "loss"));
        if (cfg->clock_skew_max > 0) {
            gsl_rng *r = por_rng_new(seed, replication, por_stream_id("net", i, "skew"));
            uint64_t span = 2u * (uint64_t)cfg->clock_skew_max + 1u;
            net->skew[i] = (por_time_t)por_rng_below(r, span) - cfg->clock_skew_max;
            gsl_rng_free(r);
        }
    }
    /* one sampler (inverse-CDF table) per distribution, shared by its links */
    net->sampler = por_xmalloc((1 + cfg->nregion_links) * sizeof *net->sampler);
    por_sampler_init_duration(&net->sampler[0], &cfg->latency);
    for (size_t i = 0; i < cfg->nregion_links; i++)
        por_sampler_init_duration(&net->sampler[1 + i], &cfg->region_links[i].latency);
    net->link = por_xmalloc((size_t)nnodes * nnodes * sizeof *net->link);
    int32_t *region = por_xmalloc(nnodes * sizeof *region);
    for (uint32_t i = 0; i < nnodes; i++)
        region[i] = por__region_of(cfg, i);
    for (uint32_t a = 0; a < nnodes; a++)
        for (uint32_t b = 0; b < nnodes; b++)
            net->link[(size_t)a * nnodes + b] =
                &net->sampler[1 + por__region_link(cfg, region[a], region[b])];
    free(region);
    /* The hot paths' shortcuts (por_net_send, por_net_broadcast): each sender's latency
     * state words, and the sampler of its row when one serves all its links and draws
     * from one word (por_sampler_one_word), so a draw reads neither the link table nor
     * the stream object. */
    net->lat_state = por_xmalloc(nnodes * sizeof *net->lat_state);
    net->row = por_xmalloc(nnodes * sizeof *net->row);
    for (uint32_t a = 0; a < nnodes; a++) {
        const por_sampler *const *row = net->link + (size_t)a * nnodes;
        const por_sampler *common = por_sampler_one_word(row[0]) ? row[0] : NULL;
        for (uint32_t b = 1; b < nnodes && common; b++)
            if (row[b] != common)
                common = NULL;
        net->row[a] = common;
        net->lat_state[a] = (uint64_t *)net->lat_rng[a]->state;
    }
    if (cfg->npartitions > 0) {
        net->part_group = por_xmalloc(cfg->npartitions * nnodes * sizeof *net->part_group);
        for (size_t p = 0; p < cfg->npartitions; p++) {
            const por_partition *pt = &cfg->partitions[p];
            uint32_t *g = net->part_group + p * nnodes;
            for (uint32_t i = 0; i < nnodes; i++)
                g[i] = (uint32_t)pt->ngroups; /* the implicit group of the unlisted */
            for (size_t k = 0; k < pt->ngroups; k++)
                for (size_t j = 0; j < pt->group_sizes[k]; j++)
                    if (pt->groups[k][j] < nnodes)
                        g[pt->groups[k][j]] = (uint32_t)k;
        }
    }
    return net;
}

void por_net_destroy(por_net *net)
{
    if (!net)
        return;
    for (uint32_t i = 0; i < net->n; i++) {
        gsl_rng_free(net->lat_rng[i]);
        gsl_rng_free(net->loss_rng[i]);
    }
    free(net->lat_rng);
    free(net->loss_rng);
    free(net->entity);
    free(net->skew);
    free(net->link);
    free(net->row);
    free(net->lat_state);
    for (size_t i = 0; i < 1 + net->cfg->nregion_links; i++)
        por_sampler_free(&net->sampler[i]);
    free(net->sampler);
    free(net->part_group);
    free(net);
}

/* True if a partition active at NOW separates FROM and TO. */
static bool por__partitioned(const por_net *net, por_time_t now, uint32_t from, uint32_t to)
{
    for (size_t p = 0; p < net->cfg->npartitions; p++) {
        const por_window *w = &net->cfg->partitions[p].window;
        if (now < w->from || now >= w->until)
            continue;
        const uint32_t *g = net->part_group + p * net->n;
        if (g[from] != g[to])
            return true;
    }
    return false;
}

/* Draws whether a message from FROM gets through despite loss. With loss_model drop one
 * draw decides; with retransmit each lost transmission adds the current retransmission
 * timeout to *WAIT (doubling, capped at POR_NET_RTO_MAX) and the message is sent again,
 * up to POR_NET_MAX_RETRANSMITS times; *RESENT says it was. The first draw is the same in
 * both models. */
static bool por__survives_loss(por_net *net, uint32_t from, por_time_t *wait, bool *resent)
{
    const por_network_config *cfg = net->cfg;
    if (por_rng_uniform(net->loss_rng[from]) >= cfg->loss)
        return true;
    if (cfg->loss_model == POR_LOSS_DROP)
        return false;
    por_time_t rto = cfg->retransmit_timeout;
    *resent = true;
    for (int k = 0; k < POR_NET_MAX_RETRANSMITS; k++) {
        *wait += rto;
        if (por_rng_uniform(net->loss_rng[from]) >= cfg->loss)
            return true;
        if (rto < POR_NET_RTO_MAX)
            rto = rto > POR_NET_RTO_MAX / 2 ? POR_NET_RTO_MAX : 2 * rto;
    }
    return false;
}

/* The MESSAGE trace record of one send (only called when tracing). */
static void por__trace_msg(por_net *net, por_time_t now, uint32_t from, uint32_t to,
                           const por_msg *msg, por_time_t delay, por_time_t resend_wait,
                           bool resent, por_trace_msg_fate fate)
{
    por_trace_record r = {.time = now,
                          .kind = POR_TK_MESSAGE,
                          .actor = POR_TRACE_ORACLE,
                          .index = from,
                          .message = {.latency = delay,
                                      .resend_wait = resend_wait,
                                      .to = to,
                                      .size = msg->size,
                                      .type = msg->type,
                                      .fate = (uint8_t)fate,
                                      .resent = resent}};
    if (net->trace->describe)
        net->trace->describe(net->trace->describe_ctx, msg, &r.message.epoch, &r.message.round);
    por_trace_emit(net->trace, &r);
}

void por_net_set_trace(por_net *net, por_trace_sink *sink) { net->trace = sink; }

/* DELAY, capped so that NOW + DELAY is at most the end of time (POR_TIME_MAX): the rule
 * of every delivery (por_net_send and both loops of por_net_broadcast). */
static inline por_time_t por__capped_delay(por_time_t now, por_time_t delay)
{
    return delay > POR_TIME_MAX - now ? POR_TIME_MAX - now : delay;
}

/* por_net_send's every case: loss, partitions, bandwidth, the adversary, the trace, a
 * message to itself, links without a row sampler, the last 2^62 ns of time. */
static __attribute__((noinline)) void por__send_any(por_net *net, por_sim *sim, uint32_t from,
                                                     uint32_t to, por_msg *msg, por_time_t now)
{
    net->stats.sent++;
    por_time_t delay = 0;
    por_time_t resend_wait = 0; /* time spent on retransmissions after losses */
    bool resent = false;
    if (from != to) {
        if (net->cfg->loss > 0.0 && !por__survives_loss(net, from, &resend_wait, &resent)) {
            net->stats.dropped_loss++;
            if (net->trace)
                por__trace_msg(net, now, from, to, msg, 0, 0, false, POR_MSG_LOST);
            return;
        }
        if (net->part_group && por__partitioned(net, now, from, to)) {
            net->stats.dropped_partition++;
            if (net->trace)
                por__trace_msg(net, now, from, to, msg, 0, 0, false, POR_MSG_PARTITION);
            return;
        }
        const por_sampler *row = net->row[from];
        delay = row ? por_sample_duration_at(row, por_xoshiro_next(net->lat_state[from]))
                    : por_sample_duration(net->link[(size_t)from * net->n + to],
                                          net->lat_rng[from]);
        if (net->cfg->bandwidth_bps > 0.0)
            delay += por__to_time((double)msg->size * 8.0 * 1e9 / net->cfg->bandwidth_bps);
        if (net->filter) {
            por_net_verdict v = {false, 0};
            net->filter(net->filter_ctx, sim, from, to, msg, &v);
            if (v.drop) {
                net->stats.dropped_adversary++;
                if (net->trace)
                    por__trace_msg(net, now, from, to, msg, 0, 0, false, POR_MSG_ADVERSARY);
                return;
            }
            if (v.extra_delay > 0)
                delay += v.extra_delay;
        }
        delay += resend_wait;
        if (resent)
            net->stats.retransmitted++;
    }
    delay = por__capped_delay(now, delay);
    net->stats.delivered++;
    if (net->trace && from != to)
        por__trace_msg(net, now, from, to, msg, delay, resend_wait, resent, POR_MSG_DELIVERED);
    por_sim_schedule(sim, now + delay, 0, net->entity[to], POR_EV_NET_DELIVER, from, to,
                     por_msg_ref(msg));
}

/* True when nothing but latency applies to a message: no trace, adversary's filter,
 * partitions, loss or bandwidth. Then a send is one latency draw and the delivery, which
 * the short paths of por_net_send and por_net_broadcast take. */
static inline bool por__latency_only(const por_net *net)
{
    const por_network_config *cfg = net->cfg;
    return !(net->trace || net->filter || net->part_group || cfg->loss > 0.0 ||
             cfg->bandwidth_bps > 0.0);
}

void por_net_send(por_net *net, por_sim *sim, uint32_t from, uint32_t to, por_msg *msg)
{
    POR_ASSERT(from < net->n && to < net->n);
    const por_sampler *row = net->row[from];
    por_time_t now = por_sim_now(sim);
    if (!por__latency_only(net) || !row || from == to ||
        now > POR_TIME_MAX - POR_SAMPLE_MAX_DURATION) {
        por__send_any(net, sim, from, to, msg, now);
        return;
    }
    /* What por__send_any does for a message to another node over a row sampler's link
     * when nothing but latency applies (por__latency_only, as por_net_broadcast's fast
     * loop asks, and a time before the last 2^62 ns, where no draw needs the end-of-time
     * cap): one draw from the sender's stream and the delivery. Every observation's send
     * to the leader in the year benchmark. */
    net->stats.sent++;
    net->stats.delivered++;
    por_time_t delay = por_sample_duration_at(row, por_xoshiro_next(net->lat_state[from]));
    por_sim_schedule(sim, now + delay, 0, net->entity[to], POR_EV_NET_DELIVER, from, to,
                     por_msg_ref(msg));
}

/* por_net_broadcast's loop for a sender whose links share one one-word sampler (the
 * common case: no region matrix): the stream's four state words are copied into locals
 * for the whole broadcast and written back at its end, and the sampler's table is read
 * once, so a receiver costs one draw and one table lookup, with no reload of the stream
 * or the link table between draws (stores into the state could otherwise alias the
 * table's loads). Each draw is the stream's next word through por_sample_duration_at,
 * the draw por_sample_duration makes for such a sampler: the same values in the same
 * order. */
static void por__broadcast_row(por_net *net, por_sim *sim, uint32_t from, por_msg *msg,
                               por_time_t now)
{
    const por_sampler *s = net->row[from];
    uint64_t *state = net->lat_state[from];
    uint64_t x[4] = {state[0], state[1], state[2], state[3]};
    /* A draw is at most POR_SAMPLE_MAX_DURATION, so before the last 2^62 ns of time no
     * delivery needs por__capped_delay's cap; and the sender's own slot (no draw) splits a
     * chunk in two plain runs of draws. Same draws, same order, same instants: only the
     * per-receiver compares are gone. */
    bool uncapped = now <= POR_TIME_MAX - POR_SAMPLE_MAX_DURATION;
    por_time_t at[64];
    for (uint32_t base = 0; base < net->n; base += 64) {
        uint32_t m = net->n - base < 64 ? net->n - base : 64;
        if (uncapped) {
            uint32_t self = from - base < m ? from - base : m; /* m: not in this chunk */
            for (uint32_t j = 0; j < self; j++)
                at[j] = now + por_sample_duration_at(s, por_xoshiro_next(x));
            if (self < m)
                at[self] = now;
            for (uint32_t j = self + 1; j < m; j++)
                at[j] = now + por_sample_duration_at(s, por_xoshiro_next(x));
        } else {
            for (uint32_t j = 0; j < m; j++) {
                por_time_t delay = base + j == from ? 0 : por_sample_duration_at(s, por_xoshiro_next(x));
                at[j] = now + por__capped_delay(now, delay);
            }
        }
        msg->refs += m; /* one por_msg_ref per delivery */
        por_sim_schedule_fanout(sim, m, at, net->entity + base, 0, POR_EV_NET_DELIVER, from,
                                base, msg);
    }
    state[0] = x[0], state[1] = x[1], state[2] = x[2], state[3] = x[3];
}

void por_net_broadcast(por_net *net, por_sim *sim, uint32_t from, por_msg *msg)
{
    if (!por__latency_only(net)) {
        for (uint32_t to = 0; to < net->n; to++)
            por_net_send(net, sim, from, to, msg);
        return;
    }
    /* No loss, partitions, bandwidth, adversary or trace: what por_net_send does for
     * each receiver reduces to the latency draw (none to itself) and the delivery, in
     * the same order, so the same draws and the same events. Half of all events in the
     * year benchmark are NEWEPOCH broadcasts; this loop keeps the per-sender lookups out
     * of the per-receiver work. */
    POR_ASSERT(from < net->n);
    por_time_t now = por_sim_now(sim);
    net->stats.sent += net->n;
    net->stats.delivered += net->n;
    if (net->row[from]) {
        por__broadcast_row(net, sim, from, msg, now);
        return;
    }
    const por_sampler *const *link = net->link + (size_t)from * net->n;
    gsl_rng *rng = net->lat_rng[from];
    /* The deliveries go to the engine a chunk at a time (por_sim_schedule_fanout): the
     * same events, sequence numbers and order as one por_sim_schedule each. */
    por_time_t at[64];
    for (uint32_t base = 0; base < net->n; base += 64) {
        uint32_t m = net->n - base < 64 ? net->n - base : 64;
        for (uint32_t j = 0; j < m; j++) {
            uint32_t to = base + j;
            por_time_t delay = to == from ? 0 : por_sample_duration(link[to], rng);
            at[j] = now + por__capped_delay(now, delay);
        }
        msg->refs += m; /* one por_msg_ref per delivery */
        por_sim_schedule_fanout(sim, m, at, net->entity + base, 0, POR_EV_NET_DELIVER, from,
                                base, msg);
    }
}

void por_net_set_filter(por_net *net, por_net_filter filter, void *ctx)
{
    net->filter = filter;
    net->filter_ctx = ctx;
}

por_time_t por_net_clock_offset(const por_net *net, uint32_t node)
{
    POR_ASSERT(node < net->n);
    return net->skew[node];
}

void por_net_get_stats(const por_net *net, por_net_stats *out) { *out = net->stats; }

uint32_t por_net_nodes(const por_net *net) { return net->n; }
