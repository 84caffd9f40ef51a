/* Internal state of the OCR model shared by sim/models/ocr (pacemaker, report
 * generation, transmission, messages) and sim/models/oracle (the node entity, attackers,
 * the DON builder). Not a public header.
 *
 * One ocr_node per oracle, each an engine entity with its own state machine. Nodes talk
 * only through por_net messages (ocr_small / ocr_big, pooled and reference counted); the
 * only shared objects are immutable (configuration, keys' public addresses) plus the
 * chain and aggregator, which every node reads the way it would read a contract. */
#ifndef POR_OCR_INTERNAL_H
#define POR_OCR_INTERNAL_H

#include "por/aggregator.h"
#include "por/chain.h"
#include "por/crypto.h"
#include "por/don.h"
#include "por/net.h"
#include "por/ocr_rules.h"
#include "por/rng.h"
#include "por/trace.h"
#include "por/txm.h"

#include <gsl/gsl_rng.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Message types (por_msg.type). */
enum {
    OCR_NEWEPOCH = 1,
    OCR_OBSERVE_REQ,
    OCR_OBSERVE,
    OCR_REPORT_REQ,
    OCR_REPORT,
    OCR_FINAL,
    OCR_FINAL_ECHO,
};

/* Engine event types of a node (timers and internal steps); payload a = epoch or the
 * round the timer belongs to, so a stale timer is recognised even if not cancelled. */
enum {
    OCR_EV_PROGRESS = 1, /* pacemaker T_progress */
    OCR_EV_RESEND,       /* pacemaker T_resend */
    OCR_EV_ROUND,        /* leader T_round */
    OCR_EV_GRACE,        /* leader T_grace */
    OCR_EV_OBSERVED,     /* follower: the data source answered */
    OCR_EV_TRANSMIT,     /* transmission stage reached */
    OCR_EV_CRASH,        /* a crash window starts */
    OCR_EV_RECOVER,      /* a crash window ends */
    OCR_EV_LEADER_AT,    /* resolve the target of a "leader_at" attack (a = attack index) */
};

typedef struct por_don ocr_don;
typedef struct ocr_big ocr_big;

/* Small messages: NEWEPOCH, OBSERVE-REQ, OBSERVE, REPORT, FINAL-ECHO. */
typedef struct ocr_small {
    por_msg hdr;
    ocr_don *don;
    struct ocr_small *next_free;
    uint32_t epoch, round;
    por_amount value;   /* OBSERVE */
    por_sig sig;        /* OBSERVE: observation signature; REPORT: report signature */
    por_digest digest;  /* REPORT: the report hash signed; OBSERVE: memo, see below */
    ocr_big *final;     /* FINAL-ECHO: the FINAL echoed (one reference held) */
    /* OBSERVE: the observer index whose observation digest of (epoch, round, value) is
     * in `digest` (computed once by the sender to sign it), or -1. A receiver uses it
     * only when it names the node the message came from, so the check is the same
     * function of the same immutable bytes, computed once instead of twice. */
    int32_t digest_observer;
    /* OCR2 only (set by ocr2_*.c on every message it builds): OBSERVE: the observation's
     * timestamp; REPORT: true for a "skip" attestation (the follower does not report) */
    por_time_t obs_ts;
    bool skip;
} ocr_small;

/* Big messages: REPORT-REQ and FINAL. Immutable once sent. */
struct ocr_big {
    por_msg hdr;
    ocr_don *don;
    ocr_big *next_free;
    por_report report;                 /* context and sorted observations */
    por_sig obs_sigs[POR_MAX_ORACLES]; /* REPORT-REQ: each observation's signature */
    por_time_t obs_ts[POR_MAX_ORACLES]; /* OCR2 REPORT-REQ: each observation's timestamp */
    uint32_t nsigs;                    /* FINAL */
    uint8_t signers[POR_MAX_ORACLES];  /* FINAL: oracle index of each signature */
    por_sig sigs[POR_MAX_ORACLES];     /* FINAL: report signatures */
    /* Memo of checks every receiver would repeat on these same immutable bytes (a
     * simulation shortcut with identical results: verification is a pure function of
     * the bytes and the public configuration). -1 = not computed yet. */
    int8_t valid;
    bool hash_set;
    por_digest hash;                   /* report hash */
};

/* Reports a node may hold waiting for its transmission stage at once. */
#define OCR_MAX_PENDING 8

typedef struct ocr_node {
    ocr_don *don;
    uint32_t idx, entity;
    por_txm *txm;          /* the node's transmitter key's transaction manager */
    por_keypair key;
    gsl_rng *observe_rng, *byz_rng;
    bool down;             /* crashed now */
    bool byz_listed;       /* a BYZANTINE attack lists it (its bit of don->byz_listed,
                              copied at creation: the lists never change) */
    por_time_t clock_offset; /* its clock's offset from true time (por_net_clock_offset,
                                constant over a replication: read once at creation) */

    /* pacemaker */
    uint32_t e, ne, leader;
    uint32_t newepoch[POR_MAX_ORACLES];
    uint32_t above_ne, above_e; /* entries of newepoch above ne / above e, kept current */
    por_event_id t_progress, t_resend;

    /* report generation, follower side (for epoch e; libocr followerState, reset for
     * each new round rf) */
    uint32_t rf;             /* the follower's current round (followerState.r) */
    bool observing;          /* an observation for round rf is under way */
    por_event_id t_observe;
    por_amount obs_value;
    bool sent_report;        /* signed the round's report (sentReport) */
    bool completed;          /* the round is complete (completedRound): declined to
                                report, or handed the report to transmission */
    ocr_big *sent_echo;      /* the FINAL this node echoed in round rf (sentEcho;
                                reference held), NULL if none */
    uint32_t echo_mask;      /* nodes whose FINAL-ECHO for round rf was seen
                                (receivedEcho) */

    /* report generation, leader side (when leader == idx) */
    uint32_t r;
    int phase;
    por_event_id t_round, t_grace;
    uint32_t obs_mask;
    por_amount obs_val[POR_MAX_ORACLES];
    por_sig obs_sig[POR_MAX_ORACLES];
    ocr_big *req;            /* REPORT-REQ of this round (reference held) */
    uint32_t rep_mask;
    por_sig rep_sig[POR_MAX_ORACLES];
    /* an equivocating leader's second REPORT-REQ of the round (reference held), the
     * nodes it went to, its report signatures, and which variants got a FINAL (bit 0:
     * req, bit 1: eq_req) */
    ocr_big *eq_req;
    uint32_t eq_to, eq_rep_mask;
    por_sig eq_rep_sig[POR_MAX_ORACLES];
    uint32_t eq_finals;

    /* transmission: reports waiting for this node's stage, each with its own timer */
    ocr_big *pending[OCR_MAX_PENDING]; /* FINALs (reference held) or NULL */
    por_event_id t_transmit[OCR_MAX_PENDING];
    /* shouldTransmit's memory: the newest report accepted for transmission (libocr
     * transmissionState.latestEpochRound / latestMedian) */
    por_ocr_transmit_memory tx_memory;

    /* the node's RPC reads of the aggregator: failure draws (NULL when the chain's
     * configuration cannot make a read fail) */
    gsl_rng *rpc_rng;

    /* OCR2 (ocr2_*.c; unused under OCR1) */
    bool o2_ready;              /* leader: readyToStartRound */
    bool o2_sent_report, o2_completed; /* follower: sentReport, completedRound for rf */
    por_time_t obs_time;        /* follower: timestamp of its observation for rf */
    por_time_t obs_ts[POR_MAX_ORACLES];  /* leader: timestamps of the observations */
    uint32_t skip_mask;         /* leader: followers that attested "skip" */
    uint64_t o2_accepted_er;    /* median plugin: latestAcceptedEpochRound */
    por_amount o2_accepted_median; /* median plugin: latestAcceptedMedian */
    uint64_t o2_final_latest;   /* report finalization: finalizedLatest */
    uint64_t *o2_finalized;     /* ring of finalized (epoch << 32 | round), 0 = empty */
    uint32_t o2_nfinal_pos;
} ocr_node;

enum { OCR_PHASE_IDLE, OCR_PHASE_OBSERVE, OCR_PHASE_GRACE, OCR_PHASE_REPORT, OCR_PHASE_FINAL };

/* The honest observations of one (epoch, round): their min and max, for the safety
 * audit of accepted medians. A direct-mapped table keyed by (epoch << 32 | round). */
typedef struct {
    uint64_t er;
    por_amount lo, hi;
    bool used;
} ocr_round_range;
#define OCR_RANGE_SLOTS 1024

/* Attacks touching one node (pointers into the scenario). */
typedef struct {
    const por_attack_config **list;
    size_t n;
} ocr_node_attacks;

struct por_don {
    const por_scenario *sc;
    const por_ocr_config *oc;
    uint32_t n, f;
    por_sim *sim;
    por_chain *chain;
    por_net *net;
    por_crypto *crypto;
    por_aggregator *agg;
    por_observer observer;
    ocr_node *nodes;
    por_keypair *tkeys;      /* transmitter keys */
    por_digest shared_key;   /* leader election key */
    uint8_t order_key[16];   /* transmissionOrderKey, derived from shared_key */
    por_digest config_digest;
    por_digest_prefix obs_prefix; /* digest state after config_digest, with which every
                                     real-mode observation digest starts (its mode says
                                     which: ideal ones are packed, not hashed) */
    uint64_t transmit_gas;   /* gas limit of a transmit transaction */
    uint32_t sched[POR_MAX_ORACLES]; /* S: oracles transmitting in each stage */
    uint32_t nsched;
    uint32_t schedule_total; /* sum(S), capped at n */
    ocr_node_attacks *attacks;
    gsl_rng *adv_rng;        /* network attacker draws */
    bool has_network_attack;
    /* safety audit: nodes listed by a BYZANTINE attack (their observations are not
     * honest), honest ranges per round, the first violation seen */
    uint32_t byz_listed, nbyz;
    ocr_round_range *ranges; /* OCR_RANGE_SLOTS entries */
    ocr_round_range *range_last; /* the slot recorded last (NULL before the first): the
                                    observers of a round record one after another */
    char violation[200];
    /* KEY_COMPROMISE forgers (one per attack) */
    struct por_forger **forgers;
    size_t nforgers;
    /* per attacker of the scenario: the oracle a "leader_at" attack targets, UINT32_MAX
     * until resolved (NULL when no attack uses leader_at) */
    uint32_t *leader_at_target;
    /* leader(epoch) memo */
    uint32_t memo_epoch, memo_leader;
    /* por_ocr_deviates memo (por_ocr_deviates_memo): the last question and its answer;
     * the followers of a round ask the same one */
    bool dev_set, dev_answer;
    int64_t dev_alpha;
    por_amount dev_old, dev_now;
    /* global progress bookkeeping for stats */
    uint32_t max_epoch, max_epoch_leader;
    por_don_stats stats;
    /* message pools */
    ocr_small *free_small;
    ocr_big *free_big;
    /* teaching-mode trace sink (NULL = tracing off; see trace_hooks.c) */
    por_trace_sink *trace;
    /* test-only faults (por_don_fault bits; POR_TEST_FAULT, see por/don.h) */
    unsigned test_faults;
    /* the protocol; OCR2: transmissionOrderKey, finalization window in rounds
     * (expirationAgeRounds) and the size of each node's finalized ring */
    por_ocr_protocol protocol;
    por_digest transmission_order_key;
    uint32_t o2_expiration_rounds, o2_ring;
};

/* ---- messages.c ---- */
/* A small message of TYPE for (EPOCH, ROUND) with one reference, from D's pool (value 0,
 * no final, no digest observer). Inline: the pool is warm after the first rounds, and the
 * type is a constant at every call, so the wire size folds. */
ocr_small *por__ocr_small_alloc(void);
void por__ocr_small_destroy(por_msg *hdr);
static inline ocr_small *por_ocr_small_new(ocr_don *d, uint16_t type, uint32_t epoch,
                                           uint32_t round)
{
    ocr_small *m = d->free_small;
    if (m)
        d->free_small = m->next_free;
    else
        m = por__ocr_small_alloc();
    m->hdr.refs = 1;
    m->hdr.type = type;
    m->hdr.destroy = por__ocr_small_destroy;
    /* wire sizes: header 16 + context; signatures 65, values 24, digests 32 */
    switch (type) {
    case OCR_OBSERVE:
        m->hdr.size = 16 + 8 + 24 + 65;
        break;
    case OCR_REPORT:
        m->hdr.size = 16 + 8 + 32 + 65;
        break;
    default:
        m->hdr.size = 16 + 8;
        break;
    }
    m->don = d;
    m->next_free = NULL;
    m->epoch = epoch;
    m->round = round;
    m->value = 0;
    m->final = NULL;
    m->digest_observer = -1;
    return m;
}
ocr_big *por_ocr_big_new(ocr_don *d, uint16_t type);
void por_ocr_pools_free(ocr_don *d);
/* Leader of EPOCH: keccak(shared key, epoch) mod n. */
uint32_t por_ocr_leader(ocr_don *d, uint32_t epoch);
/* Digest an oracle signs for its observation in (epoch, round). With real signatures
 * keccak-256 of config digest (32) || epoch (4) || round (4) || observer (1) || value
 * (16), big-endian, as the contract would hash it. With ideal ones the message itself,
 * packed: epoch, round, observer and value in bytes 0..24 as above, then the first 7
 * bytes of the config digest. Why no hash there: an ideal digest only names the message
 * for the signature oracle, which tags it under the signer's key (por_crypto_sign); no
 * output, contract or trace line reads its bytes, and an injective packing names each
 * message of the DON apart, where a hash only almost surely does. It saves a SipHash of
 * the 57-byte message per observation signed (about 3.6 % of the year benchmark's
 * instructions, docs/PERFORMANCE.md "Performance XII"). */
void por_ocr_observation_digest(const ocr_don *d, uint32_t epoch, uint32_t round, uint32_t observer,
                            por_amount value, por_digest *out);
/* The report hash of M (memoized). */
const por_digest *por_ocr_big_hash(ocr_big *m);
/* Full follower-side validity of a REPORT-REQ / FINAL for (epoch, round) (memoized). */
bool por_ocr_final_valid(ocr_don *d, ocr_big *m);
/* The content check of a REPORT-REQ for (EPOCH, ROUND) (observers, order, signatures),
 * computed and memoized in M->valid: por_ocr_report_req_valid's out-of-line part. */
bool por__ocr_report_req_content_valid(ocr_don *d, ocr_big *m, uint32_t epoch, uint32_t round);
/* Inline: the context checks are cheap and per receiver, and the content's answer is
 * usually memoized (every follower of a round receives the same message). */
static inline bool por_ocr_report_req_valid(ocr_don *d, ocr_big *m, uint32_t epoch,
                                            uint32_t round)
{
    const por_report *r = &m->report;
    if (r->epoch != epoch || r->round != round ||
        memcmp(r->config_digest.b, d->config_digest.b, 32) != 0)
        return false;
    if (m->valid >= 0)
        return m->valid == 1;
    return por__ocr_report_req_content_valid(d, m, epoch, round);
}

/* The slot of the packed (epoch, round) ER in the honest-range table. */
static inline size_t por_ocr_range_slot(uint64_t er)
{
    return (size_t)(por_mix64(er) % OCR_RANGE_SLOTS);
}
/* D's honest-range table, created on the first observation (audit.c). */
ocr_round_range *por__ocr_ranges_create(ocr_don *d);
/* Records VALUE, observed by an honest node in (EPOCH, ROUND), in the round's range.
 * Inline: every honest observation records; the slot recorded last is tried first (a
 * slot holding the round is the round's slot). */
static inline void por_ocr_record_honest(ocr_don *d, uint32_t epoch, uint32_t round,
                                         por_amount value)
{
    uint64_t er = ((uint64_t)epoch << 32) | round;
    ocr_round_range *r = d->range_last;
    if (!r || r->er != er) {
        ocr_round_range *ranges = d->ranges ? d->ranges : por__ocr_ranges_create(d);
        r = d->range_last = &ranges[por_ocr_range_slot(er)];
    }
    if (!r->used || r->er != er) {
        r->used = true;
        r->er = er;
        r->lo = r->hi = value;
        return;
    }
    if (value < r->lo)
        r->lo = value;
    if (value > r->hi)
        r->hi = value;
}
/* The honest range of (EPOCH, ROUND) into *LO, *HI; false if unknown (evicted or none). */
bool por_ocr_honest_range(const ocr_don *d, uint32_t epoch, uint32_t round, por_amount *lo,
                      por_amount *hi);
/* Audits a report the aggregator just accepted from the DON: at least f + 1 valid
 * distinct signers, median within [LO, HI] when RANGE_KNOWN. Counts and records the
 * first violation. */
void por_ocr_audit_accepted(ocr_don *d, const por_report *rep, const por_sig *sigs, uint32_t nsigs,
                        bool range_known, por_amount lo, por_amount hi);

/* ---- oracle.c (node plumbing and attackers) ---- */
/* The first attack of kind BYZANTINE with behaviour B active on the node now, or NULL.
 * Inline: a node no BYZANTINE attack lists (its byz_listed, built with the attack lists
 * in don.c) answers NULL without a call; the year benchmark asks about four times per
 * observation. por__ocr_byzantine_listed searches the node's list. */
const por_attack_config *por__ocr_byzantine_listed(const ocr_node *nd,
                                                   por_byzantine_behavior b);
static inline const por_attack_config *por_ocr_byzantine(const ocr_node *nd,
                                                         por_byzantine_behavior b)
{
    if (!nd->byz_listed)
        return NULL;
    return por__ocr_byzantine_listed(nd, b);
}
/* The number of set bits of X (a mask of the oracles heard from). Written out because
 * the build targets x86-64 without -mpopcnt, where __builtin_popcount is a call into
 * libgcc (__popcountdi2, about 21 instructions plus the call); this is the classic
 * branch-free sum of bit fields (Hacker's Delight 5-1), a dozen instructions inline. */
static inline unsigned por_ocr_popcount(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}
/* The node's sends, signature and clock are inline: the year benchmark sends and signs
 * about 134,000 times a simulated day each, and the wrappers' call frames cost more
 * than their tests. */
/* Sends M to node TO (nothing from a node that is down or SILENT). */
static inline void por_ocr_send(ocr_node *nd, uint32_t to, por_msg *m)
{
    if (nd->down || por_ocr_byzantine(nd, POR_BYZ_SILENT))
        return;
    nd->don->stats.messages_sent++;
    por_net_send(nd->don->net, nd->don->sim, nd->idx, to, m);
}
/* Sends M to every node, the sender included (nothing from a node down or SILENT). */
static inline void por_ocr_broadcast(ocr_node *nd, por_msg *m)
{
    if (nd->down || por_ocr_byzantine(nd, POR_BYZ_SILENT))
        return;
    nd->don->stats.messages_sent += nd->don->n;
    por_net_broadcast(nd->don->net, nd->don->sim, nd->idx, m);
}
/* Signs DIGEST as the node (a MALFORMED node produces garbage that recovers nothing). */
static inline void por_ocr_sign(ocr_node *nd, const por_digest *digest, por_sig *out)
{
    if (por_ocr_byzantine(nd, POR_BYZ_MALFORMED)) {
        /* v = 0xff is rejected by ecrecover and by the ideal oracle alike */
        memset(out->b, 0xa5, sizeof out->b);
        out->b[64] = 0xff;
        return;
    }
    por_crypto_sign(nd->don->crypto, &nd->key, digest, out);
}
static inline por_time_t por_ocr_now(const ocr_node *nd) { return por_sim_now(nd->don->sim); }
/* Reads the aggregator's latest round into *OUT as node ND does, through its RPC
 * endpoint to the chain: false when the read fails (the chain's rpc_failure_rate and
 * rpc_outages; *OUT is then zeroed). Inline: every follower reads it every round. */
static inline bool por_ocr_read_contract(ocr_node *nd, por_round_data *out)
{
    ocr_don *d = nd->don;
    if (nd->rpc_rng && por_chain_rpc_read_fails(d->chain, por_ocr_now(nd), nd->rpc_rng)) {
        memset(out, 0, sizeof *out);
        return false;
    }
    /* the node reads at its own confirmation depth: an answer mined in the newest
     * read_confirmations - 1 blocks is not seen yet */
    por_aggregator_latest_at(
        d->agg, por_chain_block_at_depth(d->chain, d->sc->feed.ocr.read_confirmations), out);
    return true;
}
/* Whether a requestNewRound is pending for the node: the latest RoundRequested event
 * (this configuration, any age, as the Chainlink node's LatestRoundRequested returns it)
 * is not older than the latest transmission RD the node read (libocr shouldReport's
 * unfulfilledRequest). Pure: no draw. Inline, as the read. */
static inline bool por_ocr_unfulfilled_request(ocr_node *nd, const por_round_data *rd)
{
    /* libocr offchainreporting/internal/protocol/report_generation_follower.go
     * shouldReport: unfulfilledRequest := requested.configDigest == config.ConfigDigest &&
     * !(EpochRound{requested}.Less(EpochRound{latest transmission})), with the request
     * from ContractTransmitter.LatestRoundRequested(ctx, lookback = DeltaC) and the latest
     * transmission from LatestTransmissionDetails (RD, already read through the node's RPC
     * endpoint: the two reads libocr makes in parallel share its fate, one draw).
     * libocr's types.go lets an implementation drop events older than the lookback; the
     * Chainlink node's (core/services/ocr/contract_tracker.go,
     * OCRContractTracker.LatestRoundRequested) does not: it returns the latest
     * RoundRequested log it stored (HandleLog keeps the latest by block, tx and log
     * index), whatever its age. porsim does the same. */
    ocr_don *d = nd->don;
    const por_round_request *req = por_aggregator_last_request(d->agg);
    if (!req->emitted)
        return false;
    if (memcmp(req->config_digest.b, d->config_digest.b, 32) != 0)
        return false;
    uint64_t requested = ((uint64_t)req->epoch << 32) | req->round;
    uint64_t latest = rd->round_id ? ((uint64_t)rd->epoch << 32) | rd->round : 0;
    return !(requested < latest);
}
/* Schedules the node's timer TYPE (payload A) DELAY from now (a negative delay is now);
 * 0 and nothing scheduled when that is past the end of time. Inline: a node arms about
 * 320,000 timers a simulated day of the year benchmark (a call frame each otherwise). */
static inline por_event_id por_ocr_timer(ocr_node *nd, por_time_t delay, uint16_t type,
                                         uint64_t a)
{
    por_sim *sim = nd->don->sim;
    por_time_t now = por_sim_now(sim);
    if (delay < 0)
        delay = 0;
    if (delay > POR_TIME_MAX - now)
        return 0; /* beyond the end of time: never fires */
    return por_sim_schedule(sim, now + delay, 0, nd->entity, type, a, 0, NULL);
}
/* Cancels the timer *ID if one is armed and clears it. */
static inline void por_ocr_cancel(ocr_node *nd, por_event_id *id)
{
    if (*id) {
        por_sim_cancel(nd->don->sim, *id);
        *id = 0;
    }
}

bool por_ocr_crashed(const ocr_node *nd, por_time_t now);

/* ---- leader_at.c ("leader_at" attack targets) ---- */
/* Schedules the resolution of every "leader_at" attack (none: nothing changes). */
void por_ocr_leader_at_init(ocr_don *d);
/* Resolves attack ATTACK's target now (the OCR_EV_LEADER_AT event). */
void por_ocr_leader_at_resolve(ocr_don *d, size_t attack);
/* The oracle attack ATTACK targets, UINT32_MAX before it is resolved. */
uint32_t por_ocr_leader_at_target(const ocr_don *d, size_t attack);
/* The engine entity kind of an oracle node (self = its ocr_node). */
extern const por_entity_kind por_ocr_node_kind;

/* ---- pacemaker.c ---- */
void por_ocr_pacemaker_start(ocr_node *nd);
void por_ocr_pacemaker_progress(ocr_node *nd);
void por_ocr_pacemaker_change_leader(ocr_node *nd);
/* The "upon" handlers of messageNewepoch once a count is past its threshold. */
void por__ocr_pacemaker_newepoch_upon(ocr_node *nd);
/* libocr pacemaker.go, messageNewepoch: a NEWEPOCH not above the epoch recorded for its
 * sender returns at once ("neither of the following two upon handlers can be
 * triggered"). The same holds here: between events above_ne <= f and above_e <= 2f (a
 * handler that finds a count past its threshold moves ne or e to the (f+1)-th or
 * (2f+1)-th highest request, after which at most f, or 2f, requests are above it; ne
 * and e otherwise only grow, and a restart zeroes the requests), so a message that
 * changes no count leaves both conditions false, and one that leaves both counts within
 * their thresholds triggers neither handler. About 7 % of the NEWEPOCHs of the year
 * benchmark take the first return and almost all the others the second; inline (the
 * node's dispatch calls it for every NEWEPOCH delivery, over half of all events), with
 * the handlers out of line in pacemaker.c. The record is split from the handlers: it
 * records the request, updates the counts and returns whether the handlers must run;
 * the dispatch (oracle.c) then calls por__ocr_pacemaker_newepoch_upon. */
static inline bool por_ocr_pacemaker_newepoch_record(ocr_node *nd, uint32_t from,
                                                     const ocr_small *m)
{
    uint32_t old = nd->newepoch[from], epoch = m->epoch;
    if (epoch <= old)
        return false;
    nd->newepoch[from] = epoch;
    nd->above_ne += (uint32_t)(epoch > nd->ne) - (uint32_t)(old > nd->ne);
    nd->above_e += (uint32_t)(epoch > nd->e) - (uint32_t)(old > nd->e);
    uint32_t f = nd->don->f;
    return nd->above_ne > f || nd->above_e > 2 * f;
}
void por_ocr_pacemaker_on_progress_timeout(ocr_node *nd);
void por_ocr_pacemaker_on_resend(ocr_node *nd);

/* ---- report_generation.c ---- */
void por_ocr_repgen_start_epoch(ocr_node *nd);
void por_ocr_repgen_abort(ocr_node *nd);
void por_ocr_repgen_on_round_timer(ocr_node *nd, uint64_t a);
void por_ocr_repgen_on_grace(ocr_node *nd, uint64_t a);
void por_ocr_repgen_on_observed(ocr_node *nd, uint64_t a);
/* Handles the message M from node FROM and drops one reference to it: the delivery's,
 * which the network's event owns (net.h). One call for both, so that the node's dispatch
 * hands a delivery over with a jump and the drop happens in this function's frame. */
void por_ocr_repgen_deliver(ocr_node *nd, uint32_t from, por_msg *m);
/* Handles M from FROM; the caller keeps its reference. */
static inline void por_ocr_repgen_on_message(ocr_node *nd, uint32_t from, por_msg *m)
{
    por_ocr_repgen_deliver(nd, from, por_msg_ref(m));
}

/* ---- transmission.c ---- */
void por_ocr_transmission_start(ocr_node *nd, ocr_big *final);
void por_ocr_transmission_on_timer(ocr_node *nd, uint64_t slot);
void por_ocr_transmission_abort(ocr_node *nd);

/* ---- ocr2_report_generation.c, ocr2_transmission.c (feed.protocol "ocr2") ---- */
/* Sets up the DON's OCR2 state (transmissionOrderKey, finalization window, rings). */
void por_ocr2_don_init(ocr_don *d);
void por_ocr2_don_free(ocr_don *d);
void por_ocr2_repgen_start_epoch(ocr_node *nd);
void por_ocr2_repgen_on_round_timer(ocr_node *nd, uint64_t a);
void por_ocr2_repgen_on_grace(ocr_node *nd, uint64_t a);
void por_ocr2_repgen_on_observed(ocr_node *nd, uint64_t a);
void por_ocr2_repgen_on_message(ocr_node *nd, uint32_t from, por_msg *m);
/* Transmission of a finalized report: ShouldAcceptFinalizedReport, then the stage wait. */
void por_ocr2_transmission_start(ocr_node *nd, ocr_big *final);
/* The stage time of pending report SLOT: ShouldTransmitAcceptedReport, then transmit. */
void por_ocr2_transmission_on_timer(ocr_node *nd, uint64_t slot);
/* Stage delay index of NODE for (EPOCH, ROUND), or UINT32_MAX if it does not transmit. */
uint32_t por_ocr2_transmit_stage(const ocr_don *d, uint32_t epoch, uint32_t round, uint32_t node);
/* The median plugin's deviation test (median.go DefaultDeviationFunc): |new - old| / |old|
 * >= ALPHA_PPB / 1e9, exact (libocr's big.Rat; here por_ocr_deviates, the same rule);
 * old = 0: deviates unless new = 0 too. */
bool por_ocr2_deviates(int64_t alpha_ppb, por_amount old, por_amount now);
/* por_ocr_deviates(OLD, NOW, ALPHA_PPB), remembered in D for the next call: the
 * followers of a round compare the same contract answer with the same report median (the
 * year benchmark: 30 of every 31 calls answered from the memo). A pure function's last
 * answer, so the same answer as the call. */
static inline bool por_ocr_deviates_memo(ocr_don *d, por_amount old, por_amount now,
                                         int64_t alpha_ppb)
{
    if (d->dev_set && d->dev_old == old && d->dev_now == now && d->dev_alpha == alpha_ppb)
        return d->dev_answer;
    d->dev_answer = por_ocr_deviates(old, now, alpha_ppb);
    d->dev_set = true;
    d->dev_old = old;
    d->dev_now = now;
    d->dev_alpha = alpha_ppb;
    return d->dev_answer;
}
/* Applies the node's value-changing byzantine behaviour to an honest observation.
 * Inline: a node no BYZANTINE attack lists returns V without a call (the year benchmark:
 * every observation); por__ocr_tamper_listed tests the node's behaviours one by one. */
por_amount por__ocr_tamper_listed(ocr_node *nd, por_amount v);
static inline por_amount por_ocr_tamper_observation(ocr_node *nd, por_amount v)
{
    if (!nd->byz_listed)
        return v;
    return por__ocr_tamper_listed(nd, v);
}
/* Builds the transmit() transaction of FIN (a copy of its report and signatures) and
 * submits it through the node's transaction path; called once the decision to send is
 * taken. FIN stays the caller's. */
void por_ocr_transmission_send(ocr_node *nd, const ocr_big *fin);

/* ---- trace_hooks.c: trace records (call only when d->trace is set) ---- */
void por_ocr_trace_epoch(ocr_node *nd);
void por_ocr_trace_newepoch(ocr_node *nd, uint32_t epoch, por_trace_newepoch_why why);
void por_ocr_trace_round(ocr_node *nd);
void por_ocr_trace_observation(ocr_node *nd, uint32_t round, por_amount honest, por_amount sent);
void por_ocr_trace_report_req(ocr_node *nd, const ocr_big *req);
/* REPORT and WHY: the should-report decision and the reason it returned; RD: the
 * contract's latest round the decision used, NULL when it could not be read. */
void por_ocr_trace_decision(ocr_node *nd, const por_report *rep, bool report,
                            por_trace_decision_why why, const por_round_data *rd);
void por_ocr_trace_final(ocr_node *nd, const ocr_big *fin);
void por_ocr_trace_complete(ocr_node *nd, const ocr_big *fin);
void por_ocr_trace_tx_sent(ocr_node *nd, const por_report *rep);
void por_ocr_trace_tx_skipped(ocr_node *nd, const por_report *rep, por_trace_skip_why why);
void por_ocr_trace_tx_result(ocr_don *d, uint32_t sender, const por_report *rep,
                             por_transmit_result r, por_time_t submitted);
void por_ocr_trace_node(ocr_node *nd, por_trace_kind kind);
/* The sink's DESCRIBE callback: (epoch, round) of an OCR message. */
void por_ocr_trace_describe(void *dctx, const void *msg, uint32_t *epoch, uint32_t *round);

#endif
