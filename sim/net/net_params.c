/* network, network.regions[] and network.partitions[]: the parameters of the oracle-to-
 * oracle network (por_network_config, modelled in net.c) as parameter tables
 * (por/param.h) read by io/param_read.c and documented by `porsim schema`. Values whose
 * JSON form fits no generic type (bandwidth, oracle-index lists, the region latency
 * matrix, partition groups) name their hand-written reader in io/param_custom.c. */
#include "por/param.h"
#include "por/scenario.h"

#include <stddef.h>

_Static_assert(sizeof(por_loss_model) == sizeof(int), "POR_PARAM_ENUM fields are int-sized");

#define POR__NET_FIELD(f) offsetof(por_network_config, f)

static const char *const por__loss_models[] = {"retransmit", "drop", NULL};

/* The default one-way latency: lognormal, median 80 ms, sigma 0.5 (SCHEMA.md network:
 * a WAN path between data centres). */
static const por_duration_dist por__net_default_latency = {
    .kind = POR_DIST_LOGNORMAL, .median = 80 * POR_MS, .sigma = 0.5};

/* ---- network.regions[] ------------------------------------------------------------ */

/* An oracle sits in at most one region: refused at the first oracle an earlier region
 * of the scenario being read already holds. */
static void por__region_rule_disjoint(const por_param_check *k, const void *s)
{
    const por_region *rg = s;
    const por_scenario *sc = k->scenario;
    const por_network_config *nw = &sc->network;
    size_t idx = (size_t)(rg - nw->regions);
    for (size_t i = 0; i < rg->nnodes; i++)
        for (size_t j = 0; j < idx; j++)
            for (size_t m = 0; m < nw->regions[j].nnodes; m++)
                if (nw->regions[j].nodes[m] == rg->nodes[i]) {
                    char key[32];
                    snprintf(key, sizeof key, "nodes[%zu]", i);
                    por_param_fail(k, key, "oracle %u is already in region \"%s\"", rg->nodes[i],
                                   nw->regions[j].name);
                }
}

static const por_param por__region_params[] = {
    {.name = "name", .type = POR_PARAM_NAME, .offset = offsetof(por_region, name), .max_len = POR_NAME_MAX,
     .required = true, .unique = "region", .doc = "the region's name, unique among regions"},
    {.name = "nodes", .type = POR_PARAM_CUSTOM, .custom = "oracle_nodes", .offset = offsetof(por_region, nodes),
     .count_offset = offsetof(por_region, nnodes), .min_len = 1, .required = true,
     .type_doc = "array of 1..31 oracle indices below feed.ocr.n", .doc = "the oracles in the region"},
    {.type = POR_PARAM_RULE, .rule = por__region_rule_disjoint, .doc = "an oracle is in at most one region"},
};

const por_param_table por_region_param_table = {
    .path = "network.regions[]",
    .params = por__region_params,
    .nparams = sizeof por__region_params / sizeof por__region_params[0],
};

/* ---- network.partitions[] --------------------------------------------------------- */

static const por_param por__partition_params[] = {
    {.type = POR_PARAM_WINDOW, .offset = offsetof(por_partition, window),
     .doc = "when the partition holds (default: the whole run)"},
    {.name = "groups", .type = POR_PARAM_CUSTOM, .custom = "oracle_groups", .required = true,
     .type_doc = "array of 1..31 arrays of oracle indices, no oracle in two groups",
     .doc = "oracles in different groups cannot talk; oracles in no group form one more group"},
};

const por_param_table por_partition_param_table = {
    .path = "network.partitions[]",
    .params = por__partition_params,
    .nparams = sizeof por__partition_params / sizeof por__partition_params[0],
};

/* ---- network ---------------------------------------------------------------------- */

static const por_param por__net_params[] = {
    {.name = "latency", .type = POR_PARAM_DISTRIBUTION, .offset = POR__NET_FIELD(latency),
     .def_ptr = &por__net_default_latency,
     .doc = "one-way latency of every oracle-to-oracle link (pairs listed in region_latency use theirs)"},
    {.name = "loss", .type = POR_PARAM_PROBABILITY, .offset = POR__NET_FIELD(loss), .def.d = 0,
     .doc = "that one transmission of a message is lost"},
    {.name = "loss_model", .type = POR_PARAM_ENUM, .offset = POR__NET_FIELD(loss_model),
     .def.u = POR_LOSS_RETRANSMIT, .names = por__loss_models,
     .doc = "\"retransmit\": a lost message is sent again after the retransmission timeout (OCR's "
            "authenticated streams over TCP retransmit, so loss is delay); \"drop\": a lost message is gone "
            "(porsim's former model)"},
    /* Linux TCP's TCP_RTO_MIN is 200 ms */
    {.name = "retransmit_timeout", .type = POR_PARAM_DURATION, .offset = POR__NET_FIELD(retransmit_timeout),
     .def.i = 200 * POR_MS, .positive = true,
     .doc = "first retransmission timeout; it doubles on each loss of the same message (at most 120 s) and "
            "after 15 losses in a row the message is lost, as Linux TCP (TCP_RTO_MIN 200 ms, TCP_RTO_MAX "
            "120 s, tcp_retries2 15)"},
    {.name = "bandwidth", .type = POR_PARAM_CUSTOM, .custom = "bandwidth", .offset = POR__NET_FIELD(bandwidth_bps),
     .default_doc = "`0` (infinite)",
     .type_doc = "number 0..1e15 or a string such as \"100Mbps\" (bps, kbps, Mbps, Gbps)",
     .doc = "bits per second of every link: a message also takes its size / bandwidth; 0 = infinite"},
    {.name = "clock_skew", .type = POR_PARAM_DURATION, .offset = POR__NET_FIELD(clock_skew_max), .def.i = 0,
     .doc = "each node's clock offset is uniform in [-skew, skew]"},
    {.name = "regions", .type = POR_PARAM_ARRAY, .offset = POR__NET_FIELD(regions),
     .count_offset = POR__NET_FIELD(nregions), .sub = &por_region_param_table, .stride = sizeof(por_region),
     .min_len = 0, .max_len = POR_MAX_ORACLES, .doc = "named groups of oracles, for region_latency"},
    {.name = "region_latency", .type = POR_PARAM_CUSTOM, .custom = "region_latency",
     .type_doc = "array of {\"from\": region, \"to\": region, \"latency\": distribution, \"symmetric\": "
                 "boolean (default true)}",
     .default_doc = "none",
     .doc = "symmetric (default) adds both directions; a direction is given at most once; pairs not listed "
            "use latency"},
    {.name = "partitions", .type = POR_PARAM_ARRAY, .offset = POR__NET_FIELD(partitions),
     .count_offset = POR__NET_FIELD(npartitions), .sub = &por_partition_param_table,
     .stride = sizeof(por_partition), .min_len = 0, .max_len = 100000,
     .doc = "windows in which groups of oracles cannot reach each other"},
};

const por_param_table por_network_param_table = {
    .path = "network",
    .params = por__net_params,
    .nparams = sizeof por__net_params / sizeof por__net_params[0],
};
