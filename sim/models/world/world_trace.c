/* The world's trace translators (world_trace.h): the world's events and the ground truth
 * as por/trace.h records, moved out of world.c; subscribed to the hub only when tracing
 * is on. */
#include "world_trace.h"

#include "por/ratio.h"

/* The header of a record of KIND about ACTOR's INDEX, now. */
#define POR__REC(t, k, a, i) .time = por_sim_now((t)->sim), .kind = (uint16_t)(k), \
                             .actor = (uint8_t)(a), .index = (i)

void por__world_trace_truth(por__world_trace *t, por_trace_truth_cause cause, por_amount reserve,
                            por_amount supply, int64_t onset_ppb)
{
    bool under = por_ratio_below(reserve, supply, onset_ppb);
    if (under && !t->under)
        t->under_since = por_sim_now(t->sim);
    t->under = under;
    por_trace_record r = {POR__REC(t, POR_TK_TRUTH, POR_TRACE_WORLD, 0),
                          .truth = {.reserve = reserve,
                                    .supply = supply,
                                    .under_since = t->under_since,
                                    .onset_ppb = onset_ppb,
                                    .cause = (uint8_t)cause,
                                    .under = under}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_reserve(por__world_trace *t, uint32_t index, por_amount before,
                              por_amount after)
{
    por_trace_record r = {POR__REC(t, POR_TK_RESERVE, POR_TRACE_CUSTODIAN, index),
                          .reserve = {.before = before, .after = after}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_read(por__world_trace *t, uint32_t custodian, uint32_t node,
                           por_read_status st, por_amount v, por_time_t lat)
{
    por_trace_record r = {POR__REC(t, POR_TK_READ, POR_TRACE_CUSTODIAN, custodian),
                          .read = {.figure = st == POR_READ_OK ? v : 0,
                                   .latency = lat,
                                   .node = node,
                                   .status = (uint8_t)st}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_supply(por__world_trace *t, const por_supply_event *ev)
{
    if (ev->redeem) {
        por_trace_record r = {POR__REC(t, POR_TK_REDEEM, POR_TRACE_TOKEN, 0),
                              .redeem = {.amount = ev->amount, .supply_after = ev->supply_after}};
        por_trace_emit(t->sink, &r);
        return;
    }
    por_time_t now = por_sim_now(t->sim);
    por_trace_record r = {POR__REC(t, POR_TK_MINT, POR_TRACE_TOKEN, 0),
                          .mint = {.amount = ev->amount,
                                   .supply = ev->guard_supply_after,
                                   .mintable = ev->mintable,
                                   .feed_age = ev->guarded && ev->feed.round_id
                                                   ? now - ev->feed.updated_at
                                                   : -1,
                                   .chain_slot = ev->chain_slot,
                                   .result = (uint8_t)ev->result,
                                   .by_attacker = ev->by_attacker,
                                   .mintable_known = ev->mintable_known}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_bridge(por__world_trace *t, const por_supply_event *ev)
{
    por_trace_record r = {POR__REC(t, POR_TK_BRIDGE, POR_TRACE_TOKEN, 0),
                          .bridge = {.amount = ev->amount,
                                     .supply_after = ev->supply_after,
                                     .in_flight = ev->in_flight,
                                     .chain_slot = ev->chain_slot,
                                     .other_slot = ev->other_slot,
                                     .release = !ev->redeem,
                                     .refused = ev->bridge_refused}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_answer(por__world_trace *t, const por_round_data *rd,
                             por_amount outstanding)
{
    por_trace_record r = {POR__REC(t, POR_TK_ANSWER, POR_TRACE_CHAIN, 0),
                          .answer = {.answer = rd->answer,
                                     .supply = outstanding,
                                     .updated_at = rd->updated_at,
                                     .round_id = (uint32_t)rd->round_id,
                                     .epoch = rd->epoch,
                                     .round = rd->round}};
    por_trace_emit(t->sink, &r);
}

void por__world_trace_reaction(por__world_trace *t, const por_consumer_reaction *c)
{
    por_trace_record r = {POR__REC(t, POR_TK_CONSUMER, POR_TRACE_CONSUMER, c->consumer),
                          .consumer = {.reported_ratio_ppb = c->reported_ratio_ppb,
                                       .collateral_factor_ppb = c->collateral_factor_ppb,
                                       .threshold = (uint32_t)c->threshold,
                                       .action = (uint8_t)c->action,
                                       .engaged = c->engaged}};
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
