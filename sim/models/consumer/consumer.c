/* The lending-protocol consumer: polls (or hears) the feed, compares the reported ratio
 * with its thresholds, takes and lifts actions (see por/consumer.h). */
#include "por/consumer.h"

#include "por/ratio.h"

#include <stdlib.h>

enum { POR__EV_POLL = 1 };

typedef struct {
    por_consumer_listener fn;
    void *ctx;
} por__consumer_listener_slot;

struct por_consumer {
    const por_consumer_config *cfg;
    uint32_t index, entity;
    por_feed_reader feed;
    const por_token *token;
    bool *engaged; /* per threshold */
    por__consumer_listener_slot *listeners;
    size_t nlisteners;
    por_consumer_stats stats;
};

/* floor(num * 1e9 / den) saturated to [0, INT64_MAX], for reports only. */
static int64_t por__ratio_ppb(por_amount num, por_amount den)
{
    double r = por_ratio_to_double(num, den) * 1e9;
    if (!(r > 0))
        return 0;
    if (r >= 9.2e18)
        return INT64_MAX;
    return (int64_t)r;
}

void por_consumer_on_answer(por_consumer *c, por_sim *sim)
{
    c->stats.polls++;
    por_round_data rd;
    c->feed.latest(c->feed.ctx, &rd);
    por_amount supply = por_token_total_supply(c->token), reported;
    if (rd.round_id == 0 || supply <= 0 ||
        !por_amount_rescale(rd.answer, c->feed.decimals, por_token_decimals(c->token), &reported))
        return;
    c->stats.evaluations++;
    for (size_t i = 0; i < c->cfg->nthresholds; i++) {
        const por_consumer_threshold *th = &c->cfg->thresholds[i];
        bool below = por_ratio_below(reported, supply, th->ratio_ppb);
        if (below == c->engaged[i])
            continue;
        c->engaged[i] = below;
        if (below)
            c->stats.actions++;
        else
            c->stats.lifts++;
        por_consumer_reaction r = {
            .consumer = c->index,
            .threshold = i,
            .action = th->action,
            .engaged = below,
            .collateral_factor_ppb = th->collateral_factor_ppb,
            .reported_ratio_ppb = por__ratio_ppb(reported, supply),
            .answer_updated_at = rd.updated_at,
        };
        for (size_t k = 0; k < c->nlisteners; k++)
            c->listeners[k].fn(c->listeners[k].ctx, sim, &r);
    }
}

static void por__consumer_init(por_sim *sim, void *self)
{
    por_consumer *c = self;
    if (c->cfg->poll_every > 0)
        por_sim_schedule(sim, c->cfg->poll_every, 0, c->entity, POR__EV_POLL, 0, 0, NULL);
}

static void por__consumer_handle(por_sim *sim, void *self, por_event *ev)
{
    por_consumer *c = self;
    POR_ASSERT(ev->type == POR__EV_POLL);
    por_consumer_on_answer(c, sim);
    por_time_t next;
    if (!__builtin_add_overflow(por_sim_now(sim), c->cfg->poll_every, &next))
        por_sim_schedule(sim, next, 0, c->entity, POR__EV_POLL, 0, 0, NULL);
}

static const por_entity_kind por__consumer_kind = {
    "consumer", por__consumer_init, por__consumer_handle, NULL, NULL,
};

por_consumer *por_consumer_create(const por_consumer_config *cfg, uint32_t index, por_sim *sim,
                                  por_feed_reader feed, const por_token *token, por_error *err)
{
    for (size_t i = 0; i < cfg->nthresholds; i++) {
        const por_consumer_threshold *th = &cfg->thresholds[i];
        if (th->ratio_ppb <= 0 || (th->action == POR_ACTION_LOWER_CF &&
                                   (th->collateral_factor_ppb < 0 ||
                                    th->collateral_factor_ppb > POR_PPB_ONE))) {
            por_error_set(err, POR_EINPUT, "consumer %s: threshold %zu: needs ratio > 0 and a "
                          "collateral factor in [0, 1]", cfg->name, i);
            return NULL;
        }
    }
    por_consumer *c = por_xcalloc(1, sizeof *c);
    c->cfg = cfg;
    c->index = index;
    c->feed = feed;
    c->token = token;
    c->engaged = por_xcalloc(cfg->nthresholds ? cfg->nthresholds : 1, sizeof *c->engaged);
    c->entity = por_sim_add_entity(sim, &por__consumer_kind, c);
    return c;
}

void por_consumer_destroy(por_consumer *c)
{
    if (!c)
        return;
    free(c->engaged);
    free(c->listeners);
    free(c);
}

void por_consumer_add_listener(por_consumer *c, por_consumer_listener fn, void *ctx)
{
    c->listeners = por_xrealloc(c->listeners, (c->nlisteners + 1) * sizeof *c->listeners);
    c->listeners[c->nlisteners].fn = fn;
    c->listeners[c->nlisteners].ctx = ctx;
    c->nlisteners++;
}

bool por_consumer_paused(const por_consumer *c)
{
    for (size_t i = 0; i < c->cfg->nthresholds; i++)
        if (c->engaged[i] && c->cfg->thresholds[i].action == POR_ACTION_PAUSE)
            return true;
    return false;
}

int64_t por_consumer_collateral_factor(const por_consumer *c)
{
    int64_t cf = -1;
    for (size_t i = 0; i < c->cfg->nthresholds; i++) {
        const por_consumer_threshold *th = &c->cfg->thresholds[i];
        if (c->engaged[i] && th->action == POR_ACTION_LOWER_CF &&
            (cf < 0 || th->collateral_factor_ppb < cf))
            cf = th->collateral_factor_ppb;
    }
    return cf;
}

void por_consumer_get_stats(const por_consumer *c, por_consumer_stats *out) { *out = c->stats; }
