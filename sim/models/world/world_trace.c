/* The world's trace translators (world_trace.h): the world's events and the ground truth
 * as por/trace.h records, moved out of world.c; subscribed to the hub only when tracing
 * is on. */
#include "world_trace.h"

#include "por/ratio.h"

#include <string.h>

static void por__rec_init(const por__world_trace *t, por_trace_record *r, por_trace_kind kind,
                          por_trace_actor actor, uint32_t index)
{
    memset(r, 0, sizeof *r);
    r->time = por_sim_now(t->sim);
    r->kind = (uint16_t)kind;
    r->actor = (uint8_t)actor;
    r->index = index;
}

void por__world_trace_truth(por__world_trace *t, por_trace_truth_cause cause, por_amount reserve,
                            por_amount supply, int64_t onset_ppb)
{
    bool under = por_ratio_below(reserve, supply, onset_ppb);
    if (under && !t->under)
        t->under_since = por_sim_now(t->sim);
    t->under = under;
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_TRUTH, POR_TRACE_WORLD, 0);
    r.reason = (uint8_t)cause;
    r.a = reserve;
    r.b = supply;
    r.flag = under;
    r.t2 = t->under_since;
    r.ppb = onset_ppb;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_reserve(por__world_trace *t, uint32_t index, por_amount before,
                              por_amount after)
{
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_RESERVE, POR_TRACE_CUSTODIAN, index);
    r.a = before;
    r.b = after;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_read(por__world_trace *t, uint32_t custodian, uint32_t node,
                           por_read_status st, por_amount v, por_time_t lat)
{
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_READ, POR_TRACE_CUSTODIAN, custodian);
    r.peer = node;
    r.reason = (uint8_t)st;
    r.a = st == POR_READ_OK ? v : 0;
    r.dt = lat;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_supply(por__world_trace *t, const por_supply_event *ev)
{
    por_trace_record r;
    por__rec_init(t, &r, ev->redeem ? POR_TK_REDEEM : POR_TK_MINT, POR_TRACE_TOKEN, 0);
    r.reason = (uint8_t)ev->result;
    r.a = ev->amount;
    r.b = ev->redeem ? ev->supply_after : ev->guard_supply_after;
    r.c = ev->mintable;
    if (!ev->redeem)
        r.index = ev->chain_slot; /* the chain the mint is on (slot into token.chains) */
    r.flag = ev->by_attacker;
    r.flag2 = ev->mintable_known;
    r.dt = ev->guarded && ev->feed.round_id ? r.time - ev->feed.updated_at : -1;
    r.ppb = ev->guarded ? (int64_t)ev->feed.round_id : 0;
    por_trace_emit(t->sink, &r);
}

/* A bridge burn, refusal or release, as a REDEEM record with flag = bridge: flag2 =
 * release (else burn), reason = 1 refused, index = chain slot, peer = the other slot,
 * a = amount, b = on-chain supply after, c = in flight after [t]. */
void por__world_trace_bridge(por__world_trace *t, const por_supply_event *ev)
{
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_REDEEM, POR_TRACE_TOKEN, ev->chain_slot);
    r.flag = true;
    r.flag2 = !ev->redeem;
    r.reason = ev->bridge_refused;
    r.peer = ev->other_slot;
    r.a = ev->amount;
    r.b = ev->supply_after;
    r.c = ev->in_flight;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_answer(por__world_trace *t, const por_round_data *rd,
                             por_amount outstanding)
{
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_ANSWER, POR_TRACE_CHAIN, 0);
    r.a = rd->answer;
    r.count = (uint32_t)rd->round_id;
    r.epoch = rd->epoch;
    r.round = rd->round;
    r.t2 = rd->updated_at;
    r.b = outstanding;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_reaction(por__world_trace *t, const por_consumer_reaction *c)
{
    por_trace_record r;
    por__rec_init(t, &r, POR_TK_CONSUMER, POR_TRACE_CONSUMER, c->consumer);
    r.flag = c->engaged;
    r.reason = (uint8_t)c->action;
    r.ppb = c->reported_ratio_ppb;
    r.count = (uint32_t)c->threshold;
    r.dt = c->collateral_factor_ppb;
    por_trace_emit(t->sink, &r);
}

void por__world_trace_on_start(void *tr, const por__world_event *ev)
{
    por__world_trace *t = tr;
    por__world_trace_truth(t, POR_TRUTH_START, t->truth->reserve_total, ev->outstanding,
                           t->truth->onset_ppb);
}

void por__world_trace_on_reserve(void *tr, const por__world_event *ev)
{
    por__world_trace *t = tr;
    por__world_trace_reserve(t, ev->reserve.index, ev->reserve.before, ev->reserve.after);
    por__world_trace_truth(t, POR_TRUTH_RESERVE, t->truth->reserve_total, ev->outstanding,
                           t->truth->onset_ppb);
}

void por__world_trace_on_read(void *tr, const por__world_event *ev)
{
    por__world_trace_read(tr, ev->read.custodian, ev->read.node, ev->read.status,
                          ev->read.value, ev->read.latency);
}

void por__world_trace_on_supply(void *tr, const por__world_event *ev)
{
    por__world_trace *t = tr;
    por__world_trace_supply(t, ev->supply);
    if (ev->supply->redeem || ev->supply->result == POR_MINT_ACCEPTED)
        por__world_trace_truth(t, POR_TRUTH_SUPPLY, t->truth->reserve_total, ev->outstanding,
                               t->truth->onset_ppb);
}

void por__world_trace_on_bridge(void *tr, const por__world_event *ev)
{
    por__world_trace_bridge(tr, ev->supply);
}

void por__world_trace_on_answer(void *tr, const por__world_event *ev)
{
    por__world_trace_answer(tr, ev->answer, ev->outstanding);
}

void por__world_trace_on_reaction(void *tr, const por__world_event *ev)
{
    por__world_trace_reaction(tr, ev->reaction);
}
