/* The oracle node entity: dispatches network deliveries and timers to the OCR state
 * machines (pacemaker, report generation, transmission; with feed.protocol "ocr2" report
 * generation and transmission are OCR2's, in sim/models/ocr/ocr2_*.c), and applies the
 * faults the scenario gives the node.
 *
 * CRASH: inside the window the node is down: every message and timer is ignored and
 * nothing is sent; its state is lost (timers cancelled, rounds aborted). When the window
 * ends it restarts in the epoch it knew, with a fresh progress timer.
 * BYZANTINE behaviours: inflate / deflate / random change the value the node observes
 * (and signs); silent sends nothing; refuse_sign never signs a report; withhold_final
 * never sends FINAL as leader nor FINAL-ECHO; malformed produces signatures that
 * recover to nobody; equivocate sends different signed observations to different nodes
 * and, as leader, different valid reports to the two halves of the DON (see
 * report_generation.c). */
#include "../ocr/ocr_internal.h"

#include "por/chain.h"
#include "por/error.h"

#include <string.h>

bool por_ocr_crashed(const ocr_node *nd, por_time_t now)
{
    const ocr_node_attacks *at = &nd->don->attacks[nd->idx];
    for (size_t i = 0; i < at->n; i++) {
        const por_attack_config *a = at->list[i];
        if (a->kind == POR_ATTACK_CRASH && now >= a->window.from && now < a->window.until)
            return true;
    }
    return false;
}

const por_attack_config *por__ocr_byzantine_listed(const ocr_node *nd, por_byzantine_behavior b)
{
    const ocr_node_attacks *at = &nd->don->attacks[nd->idx];
    por_time_t now = por_sim_now(nd->don->sim);
    for (size_t i = 0; i < at->n; i++) {
        const por_attack_config *a = at->list[i];
        if (a->kind == POR_ATTACK_BYZANTINE && a->behavior == b && now >= a->window.from &&
            now < a->window.until)
            return a;
    }
    return NULL;
}

static void ocr__go_down(ocr_node *nd)
{
    nd->down = true;
    por_ocr_repgen_abort(nd);
    por_ocr_transmission_abort(nd);
    por_ocr_cancel(nd, &nd->t_progress);
    por_ocr_cancel(nd, &nd->t_resend);
}

static void ocr__node_init(por_sim *sim, void *self)
{
    ocr_node *nd = self;
    const ocr_node_attacks *at = &nd->don->attacks[nd->idx];
    for (size_t i = 0; i < at->n; i++) {
        const por_attack_config *a = at->list[i];
        if (a->kind != POR_ATTACK_CRASH)
            continue;
        if (a->window.from > 0)
            por_sim_schedule(sim, a->window.from, 0, nd->entity, OCR_EV_CRASH, 0, 0, NULL);
        if (a->window.until < POR_TIME_MAX && a->window.until > 0)
            por_sim_schedule(sim, a->window.until, 0, nd->entity, OCR_EV_RECOVER, 0, 0, NULL);
    }
    if (por_ocr_crashed(nd, por_sim_now(sim))) {
        nd->down = true;
        nd->e = 1; /* it will join epoch 1 when it comes up */
        return;
    }
    por_ocr_pacemaker_start(nd);
}

/* The OCR2 node's report generation and transmission timers (ocr2_*.c); false for the
 * others (the pacemaker's, which OCR2 shares with OCR1). */
static bool ocr2__node_timer(ocr_node *nd, const por_event *ev)
{
    switch (ev->type) {
    case OCR_EV_ROUND:
        por_ocr2_repgen_on_round_timer(nd, ev->a);
        return true;
    case OCR_EV_GRACE:
        por_ocr2_repgen_on_grace(nd, ev->a);
        return true;
    case OCR_EV_OBSERVED:
        por_ocr2_repgen_on_observed(nd, ev->a);
        return true;
    case OCR_EV_TRANSMIT:
        por_ocr2_transmission_on_timer(nd, ev->a);
        return true;
    default:
        return false;
    }
}

/* The pacemaker's handlers after a NEWEPOCH's record asked for them, then the drop of
 * the delivery's reference (out of line: see ocr__node_handle). */
static __attribute__((noinline)) void ocr__newepoch_upon_and_drop(ocr_node *nd, por_msg *m)
{
    por__ocr_pacemaker_newepoch_upon(nd);
    por_msg_unref(m);
}

/* Every event but a delivery to a running OCR1 node and a NEWEPOCH to a running node. */
static __attribute__((noinline)) void ocr__node_handle_other(por_sim *sim, ocr_node *nd,
                                                             por_event *ev)
{
    if (ev->type == POR_EV_NET_DELIVER) {
        por_msg *m = ev->ptr;
        if (!nd->down)
            por_ocr2_repgen_on_message(nd, (uint32_t)ev->a, m); /* OCR2's */
        por_msg_unref(m);
        return;
    }
    if (ev->type == OCR_EV_CRASH) {
        if (!nd->down)
            ocr__go_down(nd);
        if (nd->don->trace)
            por_ocr_trace_node(nd, POR_TK_CRASH);
        return;
    }
    if (ev->type == OCR_EV_LEADER_AT) {
        por_ocr_leader_at_resolve(nd->don, (size_t)ev->a);
        return;
    }
    if (ev->type == OCR_EV_RECOVER) {
        if (nd->down && !por_ocr_crashed(nd, por_sim_now(sim))) {
            nd->down = false;
            if (nd->don->trace)
                por_ocr_trace_node(nd, POR_TK_RECOVER);
            por_ocr_pacemaker_start(nd);
        }
        return;
    }
    if (nd->down)
        return;
    if (nd->don->protocol == POR_PROTOCOL_OCR2 && ocr2__node_timer(nd, ev))
        return;
    switch (ev->type) {
    case OCR_EV_PROGRESS:
        if (ev->a == nd->e)
            por_ocr_pacemaker_on_progress_timeout(nd);
        break;
    case OCR_EV_RESEND:
        por_ocr_pacemaker_on_resend(nd);
        break;
    case OCR_EV_ROUND:
        por_ocr_repgen_on_round_timer(nd, ev->a);
        break;
    case OCR_EV_GRACE:
        por_ocr_repgen_on_grace(nd, ev->a);
        break;
    case OCR_EV_OBSERVED:
        por_ocr_repgen_on_observed(nd, ev->a);
        break;
    case OCR_EV_TRANSMIT:
        por_ocr_transmission_on_timer(nd, ev->a);
        break;
    default:
        break;
    }
}

/* The node's dispatch. A NEWEPOCH delivery to a running node (over half of all events in
 * the year benchmark) is handled here with nothing but jumps out: the record inline, then
 * either the handlers with the drop of the message (rare) or the drop alone, whose last
 * reference frees the message. Any other delivery to a running OCR1 node goes on with a
 * jump to report generation, which handles it and drops it. With no call that returns
 * here, the function needs no frame, so those deliveries skip the saving and restoring
 * of registers that the other events pay in ocr__node_handle_other. The order of the
 * work is that of the handlers followed by the drop, as before. */
static void ocr__node_handle(por_sim *sim, void *self, por_event *ev)
{
    ocr_node *nd = self;
    if (ev->type == POR_EV_NET_DELIVER && !nd->down) {
        por_msg *m = ev->ptr;
        uint32_t from = (uint32_t)ev->a;
        if (m->type == OCR_NEWEPOCH) {
            if (por_ocr_pacemaker_newepoch_record(nd, from, (const ocr_small *)m)) {
                ocr__newepoch_upon_and_drop(nd, m);
                return;
            }
            por_msg_unref(m);
            return;
        }
        if (nd->don->protocol != POR_PROTOCOL_OCR2) {
            por_ocr_repgen_deliver(nd, from, m);
            return;
        }
    }
    ocr__node_handle_other(sim, nd, ev);
}

static void ocr__node_discard(por_sim *sim, void *self, por_event *ev)
{
    (void)sim;
    (void)self;
    if (ev->type == POR_EV_NET_DELIVER && ev->ptr)
        por_msg_unref(ev->ptr);
}

const por_entity_kind por_ocr_node_kind = {"oracle", ocr__node_init, ocr__node_handle, NULL,
                                       ocr__node_discard};
