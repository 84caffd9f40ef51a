/* OCR pacemaker: epochs and leaders (OCR paper, pacemaker algorithm; libocr OCR1).
 *
 * A node in epoch e with leader leader(e) runs T_progress = ΔProgress, reset by progress
 * from report generation. On expiry, or on a change-leader event (the leader's
 * OBSERVE-REQ for round rMax + 1), it stops T_progress and sends NEWEPOCH(max(ne, e + 1))
 * to all (libocr pacemaker.go, eventChangeLeader; the timeout calls it too); T_progress
 * runs again only on progress or on entering an epoch. From NEWEPOCH messages it keeps the highest epoch
 * each node asked for: more than f nodes above ne -> it joins (sends NEWEPOCH for) the
 * (f+1)-th highest; more than 2f above e -> it moves to the (2f+1)-th highest epoch.
 *
 * porsim simplifications: every node starts in epoch 1 at time 0 (libocr starts at 0 and
 * lets the pacemaker move to 1); NEWEPOCH is resent every ΔResend only while an epoch
 * change is pending (ne > e), not forever, which saves n^2 messages per ΔResend in
 * steady state; a lagging node catches up at the next epoch change. */
#include "ocr_internal.h"

#include <string.h>

/* The k-th largest of the nodes' requested epochs above FLOOR (libocr pacemaker.go,
 * messageNewepoch's candidateEpochs[len - k]; por/ocr_rules.h). */
static uint32_t ocr__kth_largest(const ocr_node *nd, uint32_t k, uint32_t floor)
{
    return por_ocr_kth_largest_above(nd->newepoch, nd->don->n, k, floor);
}

/* Recounts the requested epochs above ne and above e; called whenever ne or e moves, so
 * that a NEWEPOCH only updates the two counts for its sender's entry. */
static void ocr__recount(ocr_node *nd)
{
    uint32_t above_ne = 0, above_e = 0;
    for (uint32_t j = 0; j < nd->don->n; j++) {
        above_ne += nd->newepoch[j] > nd->ne;
        above_e += nd->newepoch[j] > nd->e;
    }
    nd->above_ne = above_ne;
    nd->above_e = above_e;
}

static void ocr__send_new_epoch(ocr_node *nd, uint32_t epoch)
{
    ocr_small *m = por_ocr_small_new(nd->don, OCR_NEWEPOCH, epoch, 0);
    por_ocr_broadcast(nd, &m->hdr);
    por_msg_unref(&m->hdr);
    nd->ne = epoch;
    ocr__recount(nd);
    por_ocr_cancel(nd, &nd->t_resend);
    nd->t_resend = por_ocr_timer(nd, nd->don->oc->delta_resend, OCR_EV_RESEND, 0);
}

static void ocr__enter_epoch(ocr_node *nd, uint32_t epoch)
{
    ocr_don *d = nd->don;
    por_ocr_repgen_abort(nd);
    nd->e = epoch;
    nd->leader = por_ocr_leader(d, epoch);
    if (nd->ne < epoch)
        nd->ne = epoch;
    ocr__recount(nd);
    if (epoch > d->max_epoch) {
        d->stats.epochs++;
        if (nd->leader != d->max_epoch_leader)
            d->stats.leader_changes++;
        d->max_epoch = epoch;
        d->max_epoch_leader = nd->leader;
    }
    if (d->trace)
        por_ocr_trace_epoch(nd);
    por_ocr_pacemaker_progress(nd);
    por_ocr_repgen_start_epoch(nd);
}

void por_ocr_pacemaker_start(ocr_node *nd)
{
    memset(nd->newepoch, 0, sizeof nd->newepoch);
    nd->ne = 0;
    ocr__enter_epoch(nd, nd->e ? nd->e : 1);
}

void por_ocr_pacemaker_progress(ocr_node *nd)
{
    por_ocr_cancel(nd, &nd->t_progress);
    nd->t_progress = por_ocr_timer(nd, nd->don->oc->delta_progress, OCR_EV_PROGRESS, nd->e);
}

/* libocr pacemaker.go, eventChangeLeader: T_progress stops (a stalled change is retried
 * by the ΔResend timer, never escalated) and the node asks for max(ne, e + 1). */
static void ocr__change_leader(ocr_node *nd, por_trace_newepoch_why why)
{
    por_ocr_cancel(nd, &nd->t_progress);
    uint32_t next = por_ocr_change_leader_epoch(nd->e, nd->ne);
    if (nd->don->trace)
        por_ocr_trace_newepoch(nd, next, why);
    ocr__send_new_epoch(nd, next);
}

void por_ocr_pacemaker_change_leader(ocr_node *nd) { ocr__change_leader(nd, POR_NEWEPOCH_RMAX); }

/* libocr pacemaker.go, eventTProgressTimeout: calls eventChangeLeader. */
void por_ocr_pacemaker_on_progress_timeout(ocr_node *nd)
{
    nd->t_progress = 0;
    ocr__change_leader(nd, POR_NEWEPOCH_PROGRESS);
}

void por_ocr_pacemaker_on_resend(ocr_node *nd)
{
    nd->t_resend = 0;
    if (nd->ne <= nd->e)
        return;
    ocr_small *m = por_ocr_small_new(nd->don, OCR_NEWEPOCH, nd->ne, 0);
    por_ocr_broadcast(nd, &m->hdr);
    por_msg_unref(&m->hdr);
    nd->t_resend = por_ocr_timer(nd, nd->don->oc->delta_resend, OCR_EV_RESEND, 0);
}

/* libocr pacemaker.go, messageNewepoch, its two "upon" handlers, for a node whose
 * counts passed a threshold (por_ocr_pacemaker_newepoch_record, ocr_internal.h, has
 * recorded the request and updated the counts). The counts are read now: sending
 * NEWEPOCH below moves ne (and recounts) but the epoch test uses the count from before,
 * as when both were computed here (above_e does not depend on ne). */
void por__ocr_pacemaker_newepoch_upon(ocr_node *nd)
{
    ocr_don *d = nd->don;
    uint32_t above_ne = nd->above_ne, above_e = nd->above_e;
    if (above_ne > d->f) {
        uint32_t join = ocr__kth_largest(nd, d->f + 1, nd->ne);
        if (d->trace)
            por_ocr_trace_newepoch(nd, join, POR_NEWEPOCH_JOIN);
        ocr__send_new_epoch(nd, join);
    }
    if (above_e > 2 * d->f)
        ocr__enter_epoch(nd, ocr__kth_largest(nd, 2 * d->f + 1, nd->e));
}
