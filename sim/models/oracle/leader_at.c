/* "leader_at" attack targets: a crash or network attack that hits "the oracle leading at
 * time t" instead of (or besides) fixed node indices. Who leads at t is known only during
 * the run (it depends on the epochs reached so far and, with leader_schedule
 * "per_replication", on the replication's leader-election key), so the target is
 * resolved by an event at t: the leader of the highest epoch any oracle has entered by
 * then, computed with por_ocr_leader, the function the pacemaker uses. From then on the
 * attack treats that oracle as listed: a crash puts it down for the window [from, until),
 * a network attack delays or drops its messages inside the window.
 *
 * Scenarios without leader_at schedule nothing here, so their event sequence is unchanged. */
#include "../ocr/ocr_internal.h"

#include "por/error.h"

#include <stdlib.h>

void por_ocr_leader_at_init(ocr_don *d)
{
    for (size_t i = 0; i < d->sc->nattackers; i++) {
        const por_attack_config *a = &d->sc->attackers[i];
        if (!a->has_leader_at)
            continue;
        if (!d->leader_at_target) {
            d->leader_at_target = por_xcalloc(d->sc->nattackers, sizeof *d->leader_at_target);
            for (size_t k = 0; k < d->sc->nattackers; k++)
                d->leader_at_target[k] = UINT32_MAX;
        }
        /* delivered to oracle 0's entity, which handles it even while down */
        por_sim_schedule(d->sim, a->leader_at, 0, d->nodes[0].entity, OCR_EV_LEADER_AT, i, 0, NULL);
    }
}

uint32_t por_ocr_leader_at_target(const ocr_don *d, size_t attack)
{
    return d->leader_at_target ? d->leader_at_target[attack] : UINT32_MAX;
}

void por_ocr_leader_at_resolve(ocr_don *d, size_t attack)
{
    const por_attack_config *a = &d->sc->attackers[attack];
    POR_ASSERT(attack < d->sc->nattackers && a->has_leader_at && d->leader_at_target);
    /* before any oracle has entered an epoch (t = 0) the protocol is about to start
     * epoch 1, whose leader is the one to hit */
    uint32_t epoch = d->max_epoch > 0 ? d->max_epoch : 1;
    uint32_t target = por_ocr_leader(d, epoch);
    d->leader_at_target[attack] = target;
    if (a->kind != POR_ATTACK_CRASH)
        return; /* the network filter reads leader_at_target */
    ocr_node *nd = &d->nodes[target];
    ocr_node_attacks *at = &d->attacks[target];
    at->list = por_xrealloc(at->list, (at->n + 1) * sizeof *at->list);
    at->list[at->n++] = a;
    por_time_t now = por_sim_now(d->sim);
    if (a->window.until > now && a->window.until < POR_TIME_MAX)
        por_sim_schedule(d->sim, a->window.until, 0, nd->entity, OCR_EV_RECOVER, 0, 0, NULL);
    if (a->window.from > now)
        por_sim_schedule(d->sim, a->window.from, 0, nd->entity, OCR_EV_CRASH, 0, 0, NULL);
    else if (a->window.until > now)
        por_sim_schedule(d->sim, now, 0, nd->entity, OCR_EV_CRASH, 0, 0, NULL);
}
