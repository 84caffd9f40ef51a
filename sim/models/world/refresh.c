/* Refresh-then-mint wiring (refresh.h): the issuer's requestNewRound transactions. */
#include "refresh.h"

#include "por/crypto.h"
#include "por/round_request.h"

#include <math.h>
#include <string.h>

/* Model id of the issuer's transactions on the chain (not an oracle index). */
#define POR__ISSUER_TX_ID (UINT32_MAX - 2)

static void por__addr_of(const char *label, por_addr *out)
{
    por_digest d;
    por_keccak256(label, strlen(label), &d);
    memcpy(out->b, d.b + 12, 20); /* an Ethereum-style address: the low 20 bytes */
}

static void por__trace_step(por__refresh *r, por_trace_request_step step, size_t count, uint64_t gas)
{
    if (!r->trace)
        return;
    por_trace_record rec = {.time = por_sim_now(r->sim),
                            .kind = POR_TK_ROUND_REQUEST,
                            .actor = POR_TRACE_TOKEN,
                            .round_request = {.gas = gas,
                                              .mints = (uint32_t)count,
                                              .step = (uint8_t)step}};
    por_trace_emit(r->trace, &rec);
}

static void por__done(void *ctx, por_sim *sim, bool mined, bool accepted, uint64_t gas)
{
    por__refresh *r = ctx;
    por__trace_step(r, !mined ? POR_REQUEST_DROPPED : accepted ? POR_REQUEST_EMITTED : POR_REQUEST_REVERTED,
                    0, gas);
    por_token_round_request_done(r->token, sim, mined, accepted, gas);
}

static void por__request(void *ctx, por_sim *sim, size_t nheld)
{
    por__refresh *r = ctx;
    por__trace_step(r, POR_REQUEST_SENT, nheld, 0);
    /* the issuer bids as the feed's transmitters do: the chain's estimate times the feed's
     * multiplier, capped at max_gas_price_gwei (else at the chain's txm price cap) */
    const por_feed_config *fd = &r->sc->feed;
    double mult = fd->gas_price_multiplier > 0.0 ? fd->gas_price_multiplier : 1.0;
    uint64_t cap = fd->max_gas_price_gwei > 0 ? (uint64_t)llround(fd->max_gas_price_gwei * 1e9)
                                              : por_chain_config_of(r->chain)->txm.price_max_wei;
    por_round_request_submit(r->chain, sim, r->agg, &r->issuer, POR__ISSUER_TX_ID, mult, cap,
                             por__done, r);
}

static void por__released(void *ctx, por_sim *sim, size_t n, bool by_answer)
{
    (void)sim;
    por__trace_step(ctx, by_answer ? POR_REQUEST_RELEASED_ANSWER : POR_REQUEST_RELEASED_TIMEOUT, n, 0);
}

void por__refresh_wire(por__refresh *r)
{
    const por_refresh_config *cfg = &r->sc->token.refresh;
    if (!cfg->enabled)
        return;
    por_addr owner;
    por__addr_of("porsim/issuer", &r->issuer);
    por__addr_of("porsim/feed-owner", &owner);
    switch (cfg->requester) {
    case POR_REQUESTER_OWNER:
        por_aggregator_set_requesters(r->agg, &r->issuer, NULL, 0);
        break;
    case POR_REQUESTER_ACCESS_LIST:
        por_aggregator_set_requesters(r->agg, &owner, &r->issuer, 1);
        break;
    case POR_REQUESTER_NONE:
        por_aggregator_set_requesters(r->agg, &owner, NULL, 0);
        break;
    }
    por_round_requester req = {por__request, por__released, r};
    por_token_set_round_requester(r->token, req);
    por_aggregator_add_listener(r->agg, por_token_on_answer, r->token);
}
