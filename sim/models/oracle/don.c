/* The DON builder: from a por_scenario it derives the oracles' signing and transmitter
 * keys (from the seed, or per replication with feed.ocr.leader_schedule
 * "per_replication"), configures the aggregator (setConfig; an OCR2Aggregator with
 * feed.protocol "ocr2"), registers one entity per oracle, creates
 * the network among them, and attaches the scenario's attackers (crash and byzantine to
 * the nodes, network attacks as the net's adversary hook, one forger entity per key
 * compromise). Also stats and accessors. */
#include "../ocr/ocr_internal.h"

#include "por/attacker.h"
#include "por/error.h"
#include "por/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* NETWORK attackers: delay or drop messages from or to the listed nodes, or to and from
 * whoever leads the sender's current epoch. */
static void ocr__net_filter(void *ctx, por_sim *sim, uint32_t from, uint32_t to,
                            const por_msg *msg, por_net_verdict *v)
{
    (void)msg;
    ocr_don *d = ctx;
    por_time_t now = por_sim_now(sim);
    for (size_t i = 0; i < d->sc->nattackers; i++) {
        const por_attack_config *a = &d->sc->attackers[i];
        if (a->kind != POR_ATTACK_NETWORK || now < a->window.from || now >= a->window.until)
            continue;
        bool hit = false;
        for (size_t k = 0; k < a->nnodes && !hit; k++)
            hit = a->nodes[k] == from || a->nodes[k] == to;
        if (!hit && a->target_leader) {
            uint32_t leader = d->nodes[from].leader;
            hit = from == leader || to == leader;
        }
        if (!hit && a->has_leader_at) {
            uint32_t target = por_ocr_leader_at_target(d, i);
            hit = target == from || target == to;
        }
        if (!hit)
            continue;
        if (a->drop > 0.0 && por_rng_uniform(d->adv_rng) < a->drop) {
            v->drop = true;
            return;
        }
        v->extra_delay += a->extra_delay;
    }
}

static void ocr__attach_attacks(ocr_don *d)
{
    d->attacks = por_xcalloc(d->n, sizeof *d->attacks);
    for (size_t i = 0; i < d->sc->nattackers; i++) {
        const por_attack_config *a = &d->sc->attackers[i];
        if (a->kind == POR_ATTACK_NETWORK) {
            d->has_network_attack = true;
            continue;
        }
        if (a->kind != POR_ATTACK_CRASH && a->kind != POR_ATTACK_BYZANTINE)
            continue;
        for (size_t k = 0; k < a->nnodes; k++) {
            uint32_t node = a->nodes[k];
            if (node >= d->n)
                continue;
            if (a->kind == POR_ATTACK_BYZANTINE && !(d->byz_listed & (1u << node))) {
                d->byz_listed |= 1u << node;
                d->nbyz++;
            }
            ocr_node_attacks *at = &d->attacks[node];
            at->list = por_xrealloc(at->list, (at->n + 1) * sizeof *at->list);
            at->list[at->n++] = a;
        }
    }
}

/* KEY_COMPROMISE: one forger per attack, holding copies of the listed nodes' signing
 * keys and sending from the first listed node's transmitter address. Created only when
 * such an attack exists, so other scenarios keep their entity numbering. */
static void ocr__create_forgers(ocr_don *d, uint64_t seed)
{
    for (size_t i = 0; i < d->sc->nattackers; i++) {
        const por_attack_config *a = &d->sc->attackers[i];
        if (a->kind != POR_ATTACK_KEY_COMPROMISE)
            continue;
        por_keypair stolen[POR_MAX_ORACLES];
        size_t k = 0;
        for (size_t j = 0; j < a->nnodes && k < POR_MAX_ORACLES; j++)
            if (a->nodes[j] < d->n)
                stolen[k++] = d->nodes[a->nodes[j]].key;
        if (k == 0)
            continue;
        const por_addr *sender = &d->tkeys[a->nodes[0] < d->n ? a->nodes[0] : 0].addr;
        d->forgers = por_xrealloc(d->forgers, (d->nforgers + 1) * sizeof *d->forgers);
        d->forgers[d->nforgers++] = por_forger_create(a, d->sim, d->chain, d->agg, d->crypto,
                                                      stolen, k, sender, seed + i);
    }
}

bool por_don_parse_test_faults(const char *spec, unsigned *out, char *bad, size_t badlen)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"aggregator-skip-signatures", POR_DON_FAULT_AGG_SKIP_SIGNATURES},
        {"transmit-tampered", POR_DON_FAULT_TRANSMIT_TAMPERED},
        {"token-skip-guard", POR_DON_FAULT_TOKEN_SKIP_GUARD},
    };
    *out = 0;
    const char *p = spec;
    for (;;) {
        size_t len = strcspn(p, ",");
        unsigned bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (len == strlen(names[i].name) && strncmp(p, names[i].name, len) == 0)
                bit = names[i].bit;
        if (!bit) {
            if (bad && badlen)
                snprintf(bad, badlen, "%.*s", (int)(len < 64 ? len : 64), p);
            return false;
        }
        *out |= bit;
        if (!p[len])
            return true;
        p += len + 1;
    }
}

unsigned por_don_test_faults(const por_don *don) { return don->test_faults; }

void por_don_set_test_faults(por_don *don, unsigned faults)
{
    don->test_faults = faults;
    por_aggregator_set_fault(don->agg, faults & POR_DON_FAULT_AGG_SKIP_SIGNATURES
                                           ? POR_AGG_FAULT_SKIP_SIGNATURE_CHECK
                                           : POR_AGG_FAULT_NONE);
}

por_don *por_don_create(const por_scenario *scenario, por_sim *sim, por_chain *chain,
                        por_observer observer)
{
    const por_feed_config *feed = &scenario->feed;
    const por_ocr_config *oc = &feed->ocr;
    POR_ASSERT(oc->n >= 1 && oc->n <= POR_MAX_ORACLES && 3 * oc->f < oc->n);
    POR_ASSERT(observer.observe != NULL);
    ocr_don *d = por_xcalloc(1, sizeof *d);
    d->sc = scenario;
    d->oc = oc;
    d->n = oc->n;
    d->f = oc->f;
    d->sim = sim;
    d->chain = chain;
    d->observer = observer;
    d->crypto = por_crypto_create(feed->crypto == POR_CRYPTO_MODE_REAL ? POR_CRYPTO_REAL
                                                                       : POR_CRYPTO_IDEAL);
    uint64_t seed = por_sim_seed(sim), rep = por_sim_replication(sim);

    /* keys and the leader-election key are configuration: by default they depend on the
     * seed only (equal in every replication); leader_schedule "per_replication" draws
     * their seed from a stream of its own, so other streams do not shift */
    uint64_t key_seed = seed;
    if (oc->leader_schedule == POR_LEADER_SCHEDULE_PER_REPLICATION) {
        gsl_rng *r = por_rng_new(seed, rep, por_stream_id("don", 0, "leader_schedule"));
        key_seed = por_rng_u64(r);
        gsl_rng_free(r);
    }
    d->nodes = por_xcalloc(d->n, sizeof *d->nodes);
    d->tkeys = por_xcalloc(d->n, sizeof *d->tkeys);
    por_aggregator_config ac;
    memset(&ac, 0, sizeof ac);
    ac.n = d->n;
    ac.f = d->f;
    for (uint32_t i = 0; i < d->n; i++) {
        por_crypto_derive_key(d->crypto, key_seed, "oracle", i, &d->nodes[i].key);
        por_crypto_derive_key(d->crypto, key_seed, "transmitter", i, &d->tkeys[i]);
        ac.signers[i] = d->nodes[i].key.addr;
        ac.transmitters[i] = d->tkeys[i].addr;
    }
    ac.min_answer = feed->min_answer;
    ac.max_answer = feed->max_answer;
    ac.decimals = feed->decimals;
    ac.config_count = 1;
    d->protocol = feed->protocol;
    ac.ocr2 = d->protocol == POR_PROTOCOL_OCR2;
    d->agg = por_aggregator_create(&ac, d->crypto);
    d->config_digest = *por_aggregator_config_digest(d->agg);
    por_crypto_digest_prefix(d->crypto, d->config_digest.b, sizeof d->config_digest.b,
                             &d->obs_prefix);

    static const char dom[] = "porsim/ocr/shared-secret";
    uint8_t buf[sizeof dom - 1 + 8];
    memcpy(buf, dom, sizeof dom - 1);
    for (int i = 0; i < 8; i++)
        buf[sizeof dom - 1 + (size_t)i] = (uint8_t)(key_seed >> (56 - 8 * i));
    por_keccak256(buf, sizeof buf, &d->shared_key);
    por_ocr_transmission_order_key(&d->shared_key, d->order_key);
    if (d->protocol == POR_PROTOCOL_OCR2)
        por_ocr2_don_init(d);

    /* transmission schedule S; empty means one oracle per stage */
    if (oc->nschedule == 0) {
        d->nsched = d->n;
        for (uint32_t i = 0; i < d->n; i++)
            d->sched[i] = 1;
    } else {
        d->nsched = (uint32_t)(oc->nschedule < POR_MAX_ORACLES ? oc->nschedule : POR_MAX_ORACLES);
        memcpy(d->sched, oc->schedule, d->nsched * sizeof d->sched[0]);
    }
    for (uint32_t i = 0; i < d->nsched; i++)
        d->schedule_total += d->sched[i];
    if (d->schedule_total > d->n)
        d->schedule_total = d->n;
    d->transmit_gas = por_chain_config_of(chain)->transmit_gas;
    double mult = feed->gas_price_multiplier > 0.0 ? feed->gas_price_multiplier : 1.0;
    uint64_t cap = feed->max_gas_price_gwei > 0 ? (uint64_t)llround(feed->max_gas_price_gwei * 1e9) : 0;

    ocr__attach_attacks(d);
    uint32_t ent[POR_MAX_ORACLES];
    for (uint32_t i = 0; i < d->n; i++) {
        ocr_node *nd = &d->nodes[i];
        nd->don = d;
        nd->idx = i;
        nd->byz_listed = (d->byz_listed >> i) & 1u;
        nd->observe_rng = por_rng_new(seed, rep, por_stream_id("oracle", i, "observe"));
        nd->byz_rng = por_rng_new(seed, rep, por_stream_id("oracle", i, "byzantine"));
        if (por_chain_rpc_faulty(chain))
            nd->rpc_rng = por_rng_new(seed, rep, por_stream_id("oracle", i, "rpc"));
        nd->entity = por_sim_add_entity(sim, &por_ocr_node_kind, nd);
        nd->txm = por_txm_create(chain, i, mult, cap);
        ent[i] = nd->entity;
    }
    por_ocr_leader_at_init(d);
    d->net = por_net_create(&scenario->network, d->n, ent, seed, rep);
    for (uint32_t i = 0; i < d->n; i++)
        d->nodes[i].clock_offset = por_net_clock_offset(d->net, i);
    d->adv_rng = por_rng_new(seed, rep, por_stream_id("attacker", 0, "network"));
    if (d->has_network_attack)
        por_net_set_filter(d->net, ocr__net_filter, d);
    ocr__create_forgers(d, seed);
    return d;
}

void por_don_destroy(por_don *don)
{
    if (!don)
        return;
    ocr_don *d = don;
    /* the simulation is gone: drop held references without touching its queue */
    for (uint32_t i = 0; i < d->n; i++) {
        ocr_node *nd = &d->nodes[i];
        if (nd->req)
            por_msg_unref(&nd->req->hdr);
        if (nd->eq_req)
            por_msg_unref(&nd->eq_req->hdr);
        if (nd->sent_echo) /* the FINAL this node echoed in its current round */
            por_msg_unref(&nd->sent_echo->hdr);
        for (int k = 0; k < OCR_MAX_PENDING; k++)
            if (nd->pending[k])
                por_msg_unref(&nd->pending[k]->hdr);
        por_txm_destroy(nd->txm);
        gsl_rng_free(nd->observe_rng);
        gsl_rng_free(nd->byz_rng);
        if (nd->rpc_rng)
            gsl_rng_free(nd->rpc_rng);
        free(d->attacks[i].list);
    }
    for (size_t i = 0; i < d->nforgers; i++)
        por_forger_destroy(d->forgers[i]);
    free(d->forgers);
    free(d->leader_at_target);
    por_ocr2_don_free(d);
    free(d->ranges);
    por_ocr_pools_free(d);
    gsl_rng_free(d->adv_rng);
    por_net_destroy(d->net);
    por_aggregator_destroy(d->agg);
    por_crypto_destroy(d->crypto);
    free(d->attacks);
    free(d->nodes);
    free(d->tkeys);
    free(d);
}

por_aggregator *por_don_aggregator(por_don *don) { return don->agg; }

void por_don_set_trace(por_don *don, por_trace_sink *sink)
{
    don->trace = sink;
    if (sink) {
        sink->describe = por_ocr_trace_describe;
        sink->describe_ctx = don;
    }
    por_net_set_trace(don->net, sink);
    for (size_t i = 0; i < don->nforgers; i++)
        por_forger_set_trace(don->forgers[i], sink);
}
void por_don_get_stats(const por_don *don, por_don_stats *out)
{
    *out = don->stats;
    for (size_t i = 0; i < don->nforgers; i++) {
        por_forger_stats fs;
        por_forger_get_stats(don->forgers[i], &fs);
        out->forged_sent += fs.sent;
        out->forged_accepted += fs.accepted;
        out->forged_rejected += fs.rejected;
        out->forged_undersigned_accepted += fs.undersigned_accepted;
    }
}

const char *por_don_violation(const por_don *don)
{
    return don->violation[0] ? don->violation : NULL;
}
por_crypto *por_don_crypto(por_don *don) { return don->crypto; }
por_net *por_don_net(por_don *don) { return don->net; }
uint32_t por_don_size(const por_don *don) { return don->n; }

uint32_t por_don_node_epoch(const por_don *don, uint32_t node)
{
    POR_ASSERT(node < don->n);
    return don->nodes[node].e;
}

uint32_t por_don_leader_of(por_don *don, uint32_t epoch) { return por_ocr_leader(don, epoch); }

uint32_t por_don_node_entity(const por_don *don, uint32_t node)
{
    POR_ASSERT(node < don->n);
    return don->nodes[node].entity;
}

const por_addr *por_don_signer(const por_don *don, uint32_t node)
{
    POR_ASSERT(node < don->n);
    return &don->nodes[node].key.addr;
}

const por_addr *por_don_transmitter(const por_don *don, uint32_t node)
{
    POR_ASSERT(node < don->n);
    return &don->tkeys[node].addr;
}
