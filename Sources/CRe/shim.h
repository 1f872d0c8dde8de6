// libre 1.1.0 (Debian 12 libre-dev) for Swift.
//
// libre's headers include <stdint.h> and <stdbool.h> only when HAVE_INTTYPES_H / HAVE_STDBOOL_H are
// defined; without them re_types.h typedefs its own integer and bool types, which clash with the C
// library's. A system library target cannot pass defines, so they are set here, before <re.h>.
// Variadic functions and anything else Swift cannot call live in the CReShim C target.
#ifndef RINGLOG_CRE_SHIM_H
#define RINGLOG_CRE_SHIM_H

#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1
#endif

#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <re.h>

#endif
