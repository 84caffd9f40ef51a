/* feed.ocr: the OCR parameters of the feed's DON (por_ocr_config), as a parameter table
 * (por/param.h) read by io/param_read.c and documented by `porsim schema`. The rules
 * across fields are OffchainAggregator's config checks (OffchainAggregator.sol
 * setConfig: "faulty-oracle threshold too high" 3f < n, rMax, the schedule) and libocr's
 * offchainreporting/internal/config/public_config.go checkPublicConfigParameters
 * (deltaGrace < deltaRound < deltaProgress, and the Ethereum mainnet minimums, which
 * porsim only warns about so teaching scenarios can run fast rounds). */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_leader_schedule) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__OCR_FIELD(f) offsetof(por_ocr_config, f)

static const char *const por__leader_schedules[] = {"fixed", "per_replication", NULL};

/* f defaults to the largest f with 3f < n. */
static void por__ocr_default_f(void *s)
{
    por_ocr_config *ocr = s;
    ocr->f = (ocr->n - 1) / 3;
}

/* accept_deviation (OCR2's AlphaAcceptPPB) defaults to the deviation (AlphaReportPPB). */
static void por__ocr_default_accept(void *s)
{
    por_ocr_config *ocr = s;
    ocr->alpha_accept_ppb = ocr->alpha_ppb;
}

/* The default transmission schedule for n oracles: 1, 1, 2, 4, ... until n are used. */
static void por__ocr_default_schedule(void *s)
{
    por_ocr_config *ocr = s;
    uint32_t used = 0, next = 1;
    ocr->nschedule = 0;
    while (used < ocr->n && ocr->nschedule < POR_MAX_ORACLES) {
        uint32_t st = next < ocr->n - used ? next : ocr->n - used;
        ocr->schedule[ocr->nschedule++] = st;
        used += st;
        if (ocr->nschedule >= 2)
            next *= 2;
    }
}

/* OffchainAggregator.setConfig: "faulty-oracle threshold too high" (3f < n). */
static void por__ocr_rule_f(const por_param_check *k, const void *s)
{
    const por_ocr_config *ocr = s;
    if (3 * ocr->f >= ocr->n)
        por_param_fail(k, por_param_given(k, "f") ? "f" : "n", "needs 3f < n, got n=%u f=%u", ocr->n, ocr->f);
}

/* Fails at whichever of KEY_A / KEY_B the file gave (KEY_A first). */
static void por__ocr_fail_order(const por_param_check *k, const char *key_a, const char *key_b, por_time_t a,
                                por_time_t b)
{
    char x[48], y[48];
    const char *at = por_param_given(k, key_a) || !por_param_given(k, key_b) ? key_a : key_b;
    por_param_fail(k, at, "needs %s < %s, got %s=%s %s=%s", key_a, key_b, key_a,
                   por_param_duration_text(a, x, sizeof x), key_b, por_param_duration_text(b, y, sizeof y));
}

static void por__ocr_mainnet_min(const por_param_check *k, const char *key, por_time_t v, por_time_t min)
{
    if (!por_param_given(k, key) || v >= min)
        return;
    char a[48], b[48];
    por_param_warn(k, key, "%s is below libocr's Ethereum mainnet minimum of %s (accepted)",
                   por_param_duration_text(v, a, sizeof a), por_param_duration_text(min, b, sizeof b));
}

static void por__ocr_check(const por_param_check *k, const void *s)
{
    const por_ocr_config *ocr = s;
    if (ocr->delta_grace >= ocr->delta_round)
        por__ocr_fail_order(k, "delta_grace", "delta_round", ocr->delta_grace, ocr->delta_round);
    if (ocr->delta_round >= ocr->delta_progress)
        por__ocr_fail_order(k, "delta_round", "delta_progress", ocr->delta_round, ocr->delta_progress);
    uint64_t sum = 0;
    for (size_t i = 0; i < ocr->nschedule; i++)
        sum += ocr->schedule[i];
    if (sum > ocr->n)
        por_param_fail(k, "schedule", "needs sum(schedule) <= n, got sum %llu with n=%u", (unsigned long long)sum,
                       ocr->n);
    if (sum == 0)
        por_param_fail(k, "schedule", "needs at least one transmitting oracle, got sum 0");
    por__ocr_mainnet_min(k, "delta_c", ocr->delta_c, 10 * POR_MIN);
    por__ocr_mainnet_min(k, "delta_stage", ocr->delta_stage, 10 * POR_SEC);
    por__ocr_mainnet_min(k, "delta_round", ocr->delta_round, 20 * POR_SEC);
    por__ocr_mainnet_min(k, "delta_progress", ocr->delta_progress, 23 * POR_SEC);
    por__ocr_mainnet_min(k, "delta_resend", ocr->delta_resend, 10 * POR_SEC);
}

static const por_param por__ocr_params[] = {
    {.name = "n", .type = POR_PARAM_UINT32, .offset = POR__OCR_FIELD(n), .unit = "oracles", .def.u = 4,
     .min.u = 1, .max.u = POR_MAX_ORACLES, .doc = "the DON's oracles"},
    {.name = "f", .type = POR_PARAM_UINT32, .offset = POR__OCR_FIELD(f), .unit = "oracles",
     .derive = por__ocr_default_f, .default_doc = "largest f with 3f < n", .min.u = 0, .max.u = POR_MAX_ORACLES,
     .doc = "faulty oracles tolerated, 3f < n"},
    {.type = POR_PARAM_RULE, .rule = por__ocr_rule_f, .doc = "3f < n"},
    {.name = "delta_progress", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_progress),
     .def.i = 23 * POR_SEC, .positive = true, .doc = "libocr DeltaProgress: a leader without progress is replaced"},
    {.name = "delta_resend", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_resend),
     .def.i = 10 * POR_SEC, .positive = true, .doc = "libocr DeltaResend: NEWEPOCH is resent this often"},
    {.name = "delta_round", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_round),
     .def.i = 20 * POR_SEC, .positive = true, .doc = "libocr DeltaRound: the leader starts a round this often"},
    {.name = "delta_grace", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_grace), .def.i = POR_SEC,
     .positive = true, .doc = "libocr DeltaGrace: the leader waits this long for late observations"},
    {.name = "delta_c", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_c), .def.i = POR_DAY,
     .positive = true, .doc = "libocr DeltaC, the heartbeat: a report at least this often"},
    {.name = "deviation", .type = POR_PARAM_PERCENT, .offset = POR__OCR_FIELD(alpha_ppb), .def.i = 10000000,
     .min.i = 0, .max.i = 100000000000, .doc = "libocr Alpha: a report when the median moves this much"},
    {.name = "delta_stage", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(delta_stage),
     .def.i = 20 * POR_SEC, .doc = "libocr DeltaStage: the wait between transmission stages"},
    {.name = "schedule", .type = POR_PARAM_UINT32_LIST, .offset = POR__OCR_FIELD(schedule),
     .count_offset = POR__OCR_FIELD(nschedule), .max_len = POR_MAX_ORACLES, .unit = "oracles",
     .derive = por__ocr_default_schedule, .default_doc = "1, 1, 2, 4, ... up to n", .min.u = 0,
     .max.u = POR_MAX_ORACLES, .doc = "libocr S: oracles transmitting in each stage, 1 <= sum <= n"},
    {.name = "r_max", .type = POR_PARAM_UINT32, .offset = POR__OCR_FIELD(r_max), .unit = "rounds", .def.u = 6,
     .min.u = 1, .max.u = 254, .range_msg = "needs 0 < r_max < 255, got %llu",
     .doc = "libocr RMax: rounds per epoch, 0 < r_max < 255"},
    {.name = "observe_timeout", .type = POR_PARAM_DURATION, .offset = POR__OCR_FIELD(observe_timeout),
     .def.i = 5 * POR_SEC, .positive = true, .doc = "the longest a node spends reading its sources"},
    {.name = "leader_schedule", .type = POR_PARAM_ENUM, .offset = POR__OCR_FIELD(leader_schedule), .def.u = 0,
     .names = por__leader_schedules,
     .doc = "\"fixed\": oracle keys and the leader-election key come from the seed, so every replication has "
            "the same leaders; \"per_replication\": their seed is drawn per replication from a stream of its "
            "own (other draws do not shift; the same seed gives the same schedules for any -j)"},
    {.name = "accept_deviation", .type = POR_PARAM_PERCENT, .offset = POR__OCR_FIELD(alpha_accept_ppb),
     .derive = por__ocr_default_accept, .default_doc = "ocr.deviation", .min.i = 0, .max.i = 100000000000,
     .doc = "only with feed.protocol \"ocr2\": the median plugin's AlphaAcceptPPB (a finalized report is "
            "accepted for transmission while the node's previous accepted one is still pending only if it "
            "deviates from it by this much)"},
    {.name = "read_confirmations", .type = POR_PARAM_UINT32, .offset = POR__OCR_FIELD(read_confirmations),
     .unit = "blocks", .def.u = 1, .min.u = 1, .max.u = 10000,
     .doc = "the depth at which the oracles read the aggregator's latest (epoch, round) before transmitting "
            "(1 = the newest block, as an eth_call at latest reads; the chain's confirmations do not apply)"},
};

const por_param_table por_ocr_param_table = {
    .path = "feed.ocr",
    .params = por__ocr_params,
    .nparams = sizeof por__ocr_params / sizeof por__ocr_params[0],
    .check = por__ocr_check,
    .check_doc = "delta_grace < delta_round < delta_progress; 1 <= sum(schedule) <= n; values below libocr's "
                 "Ethereum mainnet minimums (delta_c >= 10m, delta_stage >= 10s, delta_round >= 20s, "
                 "delta_progress >= 23s, delta_resend >= 10s) are accepted with a warning",
};
