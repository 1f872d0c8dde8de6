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

/// `creshim_sipevent_subscribe` with an outbound proxy: `route` (e.g. "sip:192.0.2.10:5060;lr", may be
/// NULL) becomes the dialog's route set, so requests go to the proxy whatever the Request-URI's host.
int creshim_sipevent_subscribe_routed(
    struct sipsub **subscription, struct sipevent_sock *socket, const char *request_uri,
    const char *from_name, const char *from_uri, const char *event, uint32_t expires,
    const char *contact_user, const char *route, sip_auth_h *auth_handler, void *auth_argument,
    sipsub_notify_h *notify_handler, sipsub_close_h *close_handler, void *argument,
    const char *extra_headers);

/// Starts an INVITE session: `sipsess_connect` with `route` (may be NULL) as the only route and
/// `extra_headers` (each line ending in CRLF, may be NULL) as its only formatted argument.
/// No INFO or REFER handler: requests of those kinds in the session are refused by libre.
int creshim_sipsess_connect(
    struct sipsess **session, struct sipsess_sock *socket, const char *to_uri,
    const char *from_name, const char *from_uri, const char *contact_user, const char *route,
    const char *content_type, struct mbuf *description, sip_auth_h *auth_handler,
    void *auth_argument, sipsess_offer_h *offer_handler, sipsess_answer_h *answer_handler,
    sipsess_progr_h *progress_handler, sipsess_estab_h *established_handler,
    sipsess_close_h *close_handler, void *argument, const char *extra_headers);

/// Sends a request inside `dialog` (stateful, next CSeq): `sip_drequestf` with `headers` (each
/// line ending in CRLF, without Content-Length) followed by "Content-Length: 0" and the blank line.
int creshim_sip_drequest(
    struct sip_request **request, struct sip *sip, const char *method, struct sip_dialog *dialog,
    struct sip_auth *auth, sip_send_h *send_handler, sip_resp_h *response_handler,
    void *argument, const char *headers);

/// Appends a Contact header for `user` at the transport's source address to `buffer`
/// (what libre's own send handlers write).
int creshim_mbuf_write_contact(
    struct mbuf *buffer, const char *user, const struct sa *source, enum sip_transp transport);

#endif
