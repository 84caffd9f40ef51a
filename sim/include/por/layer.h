/* The layer rules, checked by the preprocessor (docs/ARCHITECTURE.md). sim/CMakeLists.txt
 * compiles every library source with POR_LAYER_<NAME> naming its folder's layer; a header
 * of an upper layer includes this file and stops the build with #error when a lower
 * layer includes it:
 *   engine (sim/core), trace (sim/trace)   never include models, io or cli headers
 *   crypto, net, stats                     never include models, io or cli headers
 *   bench (sim/bench, PHOLD on the engine)  never includes models, io or cli headers
 *   models (sim/models)                    never include io or cli headers
 *   io (sim/io)                            never includes cli headers
 * Sources compiled without a layer (tests, cli/main.c, the MPI tool) may include any.
 * The same rules hold for calls: each layer is its own library, and sim/CMakeLists.txt
 * links each layer's objects against only the layers it may use (por_<layer>_linkcheck),
 * so a call up into a layer it may not use fails the link even without its header. */
#ifndef POR_LAYER_H
#define POR_LAYER_H

#if defined(POR_LAYER_CORE) || defined(POR_LAYER_TRACE) || defined(POR_LAYER_CRYPTO) || \
    defined(POR_LAYER_NET) || defined(POR_LAYER_STATS) || defined(POR_LAYER_BENCH)
#define POR__BELOW_MODELS 1
#else
#define POR__BELOW_MODELS 0
#endif

#if POR__BELOW_MODELS || defined(POR_LAYER_MODELS)
#define POR__BELOW_IO 1
#else
#define POR__BELOW_IO 0
#endif

#if POR__BELOW_IO || defined(POR_LAYER_IO)
#define POR__BELOW_CLI 1
#else
#define POR__BELOW_CLI 0
#endif

#endif
