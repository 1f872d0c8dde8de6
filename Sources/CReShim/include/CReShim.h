// Non-variadic C wrappers around the parts of libre 1.1.0 that Swift cannot call directly.
//
// Swift cannot call C functions with a `...` tail, and libre puts its formatted output
// (re_sdprintf), transport set-up (sip_transp_add) and request builders with extra headers
// (sipevent_subscribe, sip_treplyf) behind such functions. Each wrapper here fixes the format
// to "%s" or "%H" and does nothing else; the libre types come from the CRe module.
#ifndef RINGLOG_CRESHIM_H
#define RINGLOG_CRESHIM_H

// The CRe system library's header: defines the feature macros libre needs, then includes <re.h>.
// Including it by path makes clang import the CRe module instead of parsing libre a second time.
#include "../../CRe/shim.h"

/// Unescapes a SIP URI header value (RFC 3261 `?Replaces=a%40b%3Bto-tag%3D1`) into a new
/// NUL-terminated string in `*result`, which the caller frees with `mem_deref`.
/// Returns 0 or an errno value.
int creshim_uri_header_unescape(const struct pl *value, char **result);

/// Adds a UDP transport bound to `local_address` (port 0 picks a free port).
/// Wraps the variadic `sip_transp_add`, which takes no extra arguments for UDP.
int creshim_sip_transp_add_udp(struct sip *sip, const struct sa *local_address);

/// Starts a SUBSCRIBE dialog: `sipevent_subscribe` with `extra_headers` (each line ending in
/// CRLF, may be empty or NULL) as its only formatted argument. No outbound route set.
int creshim_sipevent_subscribe(
    struct sipsub **subscription, struct sipevent_sock *socket, const char *request_uri,
    const char *from_name, const char *from_uri, const char *event, uint32_t expires,
    const char *contact_user, sip_auth_h *auth_handler, void *auth_argument,
    sipsub_notify_h *notify_handler, sipsub_close_h *close_handler, void *argument,
    const char *extra_headers);

#endif
