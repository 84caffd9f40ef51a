/* Safety audit of the DON's accepted reports, kept apart from the protocol code: the
 * simulator knows which nodes are byzantine and what the honest ones observed in every
 * round, so it can check the two OCR safety facts on every report the aggregator
 * accepts, with its own arithmetic rather than the contract's:
 *  (1) the report carries at least f + 1 valid signatures from distinct configured
 *      signers (por_report_valid_signers);
 *  (2) its median lies within [min, max] of the honest observations of its (epoch,
 *      round), which holds whenever at most f nodes are byzantine, since a report has
 *      more than 2f observations.
 * Honest ranges live in a direct-mapped table of OCR_RANGE_SLOTS recent rounds; a report
 * whose round was evicted before it was sent is counted as unchecked, never guessed. */
#include "ocr_internal.h"

#include "por/attacker.h"
#include "por/error.h"
#include "por/rng.h"

#include <stdio.h>
#include <string.h>

ocr_round_range *por__ocr_ranges_create(ocr_don *d)
{
    d->ranges = por_xcalloc(OCR_RANGE_SLOTS, sizeof *d->ranges);
    return d->ranges;
}

bool por_ocr_honest_range(const ocr_don *d, uint32_t epoch, uint32_t round, por_amount *lo,
                      por_amount *hi)
{
    if (!d->ranges)
        return false;
    uint64_t er = ((uint64_t)epoch << 32) | round;
    const ocr_round_range *r = &d->ranges[por_ocr_range_slot(er)];
    if (!r->used || r->er != er)
        return false;
    *lo = r->lo;
    *hi = r->hi;
    return true;
}

/* Marks the recorded violation as provoked when a test fault is on (por/don.h). */
static void ocr__note_test_faults(ocr_don *d)
{
    if (!d->test_faults)
        return;
    size_t len = strlen(d->violation);
    snprintf(d->violation + len, sizeof d->violation - len, " [POR_TEST_FAULT is set]");
}

void por_ocr_audit_accepted(ocr_don *d, const por_report *rep, const por_sig *sigs, uint32_t nsigs,
                        bool range_known, por_amount lo, por_amount hi)
{
    const por_aggregator_config *cfg = por_aggregator_get_config(d->agg);
    uint32_t valid = por_report_valid_signers(d->crypto, cfg, rep, sigs, nsigs);
    if (valid <= cfg->f) {
        d->stats.undersigned_accepted++;
        if (!d->violation[0]) {
            snprintf(d->violation, sizeof d->violation,
                     "report (epoch %u, round %u) accepted with %u valid distinct signatures, "
                     "fewer than f+1=%u",
                     (unsigned)rep->epoch, (unsigned)rep->round, (unsigned)valid,
                     (unsigned)cfg->f + 1);
            ocr__note_test_faults(d);
        }
    }
    if (!range_known || rep->nobs == 0) {
        d->stats.median_unchecked++;
        return;
    }
    por_amount median = rep->obs[rep->nobs / 2];
    if (median >= lo && median <= hi)
        return;
    d->stats.median_outside_honest++;
    /* with more than f byzantine nodes this is the attack's outcome, not a violation */
    if (!d->violation[0] && d->nbyz <= d->f) {
        char a[48], b[48], c[48];
        snprintf(d->violation, sizeof d->violation,
                 "report (epoch %u, round %u) accepted with median %s outside the honest "
                 "observations [%s, %s]",
                 (unsigned)rep->epoch, (unsigned)rep->round,
                 por_amount_format(median, cfg->decimals, false, a, sizeof a),
                 por_amount_format(lo, cfg->decimals, false, b, sizeof b),
                 por_amount_format(hi, cfg->decimals, false, c, sizeof c));
        ocr__note_test_faults(d);
    }
}
