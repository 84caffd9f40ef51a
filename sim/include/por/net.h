/* The oracle-to-oracle network: per-link latency, loss, partitions, clock skew and an
 * adversary hook. Messages are reference-counted blobs whose content is the sender's
 * business; the network only needs their size and a destroy hook. */
#ifndef POR_NET_H
#define POR_NET_H

#include "por/engine.h"
#include "por/scenario.h"

#include <gsl/gsl_rng.h>

/* Event type the network uses to deliver a message to an entity: ptr = the message (one
 * reference, owned by the event: the handler or discard hook must por_msg_unref it),
 * a = sender's node index, b = receiver's node index. Entity kinds that receive messages
 * must not use this type number for anything else. */
#define POR_EV_NET_DELIVER 0xFF01u

typedef struct por_msg {
    uint32_t refs;
    uint32_t size;                      /* bytes on the wire (bandwidth delay) */
    uint16_t type;                      /* the sender's message type */
    void (*destroy)(struct por_msg *m); /* frees the message when refs reaches 0 */
} por_msg;

static inline por_msg *por_msg_ref(por_msg *m)
{
    m->refs++;
    return m;
}
static inline void por_msg_unref(por_msg *m)
{
    if (m && --m->refs == 0)
        m->destroy(m);
}

/* What the adversary hook decides for one message. */
typedef struct {
    bool drop;
    por_time_t extra_delay;
} por_net_verdict;

typedef void (*por_net_filter)(void *ctx, por_sim *sim, uint32_t from, uint32_t to,
                               const por_msg *msg, por_net_verdict *verdict);

typedef struct {
    uint64_t sent, delivered, dropped_loss, dropped_partition, dropped_adversary;
    uint64_t retransmitted; /* delivered messages that were resent at least once */
} por_net_stats;

typedef struct por_net por_net;

/* Creates the network for NNODES oracle nodes; NODE_ENTITY[i] is the engine entity id
 * that receives node i's messages. Streams derive from (seed, replication). Caller frees
 * with por_net_destroy. */
por_net *por_net_create(const por_network_config *cfg, uint32_t nnodes,
                        const uint32_t *node_entity, uint64_t seed, uint64_t replication);
void por_net_destroy(por_net *net);

/* Sends MSG from node FROM to node TO (a node may send to itself: delivered after zero
 * latency). The caller keeps its own reference; the network takes one per delivery. */
void por_net_send(por_net *net, por_sim *sim, uint32_t from, uint32_t to, por_msg *msg);

/* Sends MSG from FROM to every node, itself included, in node order. */
void por_net_broadcast(por_net *net, por_sim *sim, uint32_t from, por_msg *msg);

/* Installs the adversary hook (NULL to remove); called once per message before delivery. */
void por_net_set_filter(por_net *net, por_net_filter filter, void *ctx);

/* Sets the teaching-mode trace sink (por/trace.h; NULL = off, the default): each send
 * between two different nodes then emits one POR_TK_MESSAGE record, its (epoch, round)
 * told by SINK->describe when set. SINK is borrowed and must outlive the network. */
struct por_trace_sink;
void por_net_set_trace(por_net *net, struct por_trace_sink *sink);

/* Node's clock offset from true time (skew), constant over a replication. */
por_time_t por_net_clock_offset(const por_net *net, uint32_t node);

/* Copies the counters to OUT. "delivered" counts messages scheduled for delivery (a
 * delivery event queued), "sent" every send including self-sends and dropped ones. */
void por_net_get_stats(const por_net *net, por_net_stats *out);

/* Number of nodes the network was created for. */
uint32_t por_net_nodes(const por_net *net);

/* The theoretical mean of D in ns (INFINITY for a Pareto with shape <= 1), for checks. */
double por_duration_dist_mean(const por_duration_dist *d);

#endif
