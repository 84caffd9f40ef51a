/* The safety invariants (world_invariants.h): Secure Mint's, checked on every accepted
 * mint, and OCR's, judged at the end of the run. Moved out of world.c. */
#include "world_invariants.h"

#include <stdio.h>

void por__invariants_init(por__invariants *inv, const por_scenario *sc, por_feed_reader feed)
{
    *inv = (por__invariants){.sm = &sc->token.secure_mint, .feed = feed,
                             .token_decimals = sc->token.decimals, .f = sc->feed.ocr.f};
    for (size_t i = 0; i < sc->nattackers; i++)
        if (sc->attackers[i].kind == POR_ATTACK_KEY_COMPROMISE &&
            sc->attackers[i].nnodes >= (size_t)sc->feed.ocr.f + 1)
            inv->keys_granted = true;
    uint32_t byz = 0;
    for (size_t i = 0; i < sc->nattackers; i++)
        if (sc->attackers[i].kind == POR_ATTACK_BYZANTINE)
            for (size_t k = 0; k < sc->attackers[i].nnodes; k++)
                if (sc->attackers[i].nodes[k] < 32)
                    byz |= 1u << sc->attackers[i].nodes[k];
    for (; byz; byz &= byz - 1)
        inv->nbyzantine++;
}

void por__invariants_on_mint(void *ctx, const por__world_event *ev)
{
    por__invariants *inv = ctx;
    const por_secure_mint_config *sm = inv->sm;
    const por_supply_event *s = ev->supply;
    if (!sm->enabled || s->result != POR_MINT_ACCEPTED)
        return;
    por_round_data rd;
    inv->feed.latest(inv->feed.ctx, &rd);
    por_time_t now = ev->now;
    por_amount reserve, limit;
    const char *why = NULL;
    if (rd.round_id == 0)
        why = "no answer";
    else if (rd.answer <= 0)
        why = "non-positive answer";
    else if (rd.updated_at > now ||
             (sm->max_staleness > 0 && now - rd.updated_at > sm->max_staleness))
        why = "stale or future answer";
    else if (!por_amount_rescale(rd.answer, inv->feed.decimals, inv->token_decimals, &reserve) ||
             !por_secure_mint_mintable(sm, reserve, &limit))
        why = "mintable does not fit";
    else if (s->guard_supply_after > limit)
        why = "supply above mintable"; /* the supply the guard reads: its chain's (LOCAL) */
    if (!why)
        return;
    inv->violations++;
    if (inv->violations == 1) {
        char t[48];
        snprintf(inv->violation, sizeof inv->violation,
                 "Secure Mint accepted a mint of %s at %s: %s",
                 por_amount_format(s->amount, inv->token_decimals, false, t, sizeof t),
                 por_time_format_clock(now, (char[40]){0}, 40), why);
    }
}

bool por__invariants_ocr_broken(const por__invariants *inv, const por_don_stats *ds,
                                const char *why, char *out, size_t len)
{
    uint32_t f = inv->f;
    if (ds->undersigned_accepted || ds->forged_undersigned_accepted) {
        snprintf(out, len, "%s (%llu reports)",
                 why ? why : "a forged report was accepted with fewer than f+1 valid signatures",
                 (unsigned long long)(ds->undersigned_accepted + ds->forged_undersigned_accepted));
        return true;
    }
    if (ds->forged_accepted && !inv->keys_granted) {
        snprintf(out, len, "%llu forged reports accepted although at most f=%u keys were stolen",
                 (unsigned long long)ds->forged_accepted, (unsigned)f);
        return true;
    }
    if (ds->median_outside_honest && inv->nbyzantine <= f) {
        snprintf(out, len, "%s with %u byzantine oracles, f=%u (%llu reports)",
                 why ? why : "an accepted median left the honest range", (unsigned)inv->nbyzantine,
                 (unsigned)f, (unsigned long long)ds->median_outside_honest);
        return true;
    }
    return false;
}

por_status por__invariants_verdict(const por__invariants *inv, const por_don_stats *ds,
                                   const char *don_why, const char *name, uint64_t rep,
                                   por_error *err)
{
    char ocr_why[320];
    if (inv->violations && !inv->keys_granted)
        return por_error_set(err, POR_EINVARIANT, "%s: replication %llu: %s (%llu violations)",
                             name, (unsigned long long)rep, inv->violation,
                             (unsigned long long)inv->violations);
    if (por__invariants_ocr_broken(inv, ds, don_why, ocr_why, sizeof ocr_why))
        return por_error_set(err, POR_EINVARIANT, "%s: replication %llu: OCR safety: %s",
                             name, (unsigned long long)rep, ocr_why);
    return POR_OK;
}
