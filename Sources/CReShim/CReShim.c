#include "CReShim.h"

int creshim_uri_header_unescape(const struct pl *value, char **result)
{
	if (!value || !result)
		return EINVAL;
	return re_sdprintf(result, "%H", uri_header_unescape, value);
}

int creshim_sip_transp_add_udp(struct sip *sip, const struct sa *local_address)
{
	return sip_transp_add(sip, SIP_TRANSP_UDP, local_address);
}

int creshim_sipevent_subscribe(
    struct sipsub **subscription, struct sipevent_sock *socket, const char *request_uri,
    const char *from_name, const char *from_uri, const char *event, uint32_t expires,
    const char *contact_user, sip_auth_h *auth_handler, void *auth_argument,
    sipsub_notify_h *notify_handler, sipsub_close_h *close_handler, void *argument,
    const char *extra_headers)
{
	return creshim_sipevent_subscribe_routed(
	    subscription, socket, request_uri, from_name, from_uri, event, expires, contact_user,
	    NULL, auth_handler, auth_argument, notify_handler, close_handler, argument,
	    extra_headers);
}

int creshim_sipevent_subscribe_routed(
    struct sipsub **subscription, struct sipevent_sock *socket, const char *request_uri,
    const char *from_name, const char *from_uri, const char *event, uint32_t expires,
    const char *contact_user, const char *route, sip_auth_h *auth_handler, void *auth_argument,
    sipsub_notify_h *notify_handler, sipsub_close_h *close_handler, void *argument,
    const char *extra_headers)
{
	const char *routes[1] = {route};
	// aref=false: auth_argument is a plain context pointer, not a libre mem object, so libre
	// must not take a reference on it. No fork handler: when the SUBSCRIBE forks, only the
	// first notifier's dialog is kept.
	return sipevent_subscribe(subscription, socket, request_uri, from_name, from_uri, event,
	                          NULL, expires, contact_user, route ? routes : NULL,
	                          route ? 1 : 0, auth_handler, auth_argument, false, NULL,
	                          notify_handler, close_handler, argument, "%s",
	                          extra_headers ? extra_headers : "");
}

int creshim_sipsess_connect(
    struct sipsess **session, struct sipsess_sock *socket, const char *to_uri,
    const char *from_name, const char *from_uri, const char *contact_user, const char *route,
    const char *content_type, struct mbuf *description, sip_auth_h *auth_handler,
    void *auth_argument, sipsess_offer_h *offer_handler, sipsess_answer_h *answer_handler,
    sipsess_progr_h *progress_handler, sipsess_estab_h *established_handler,
    sipsess_close_h *close_handler, void *argument, const char *extra_headers)
{
	const char *routes[1] = {route};
	// aref=false as above.
	return sipsess_connect(session, socket, to_uri, from_name, from_uri, contact_user,
	                       route ? routes : NULL, route ? 1 : 0, content_type, description,
	                       auth_handler, auth_argument, false, offer_handler, answer_handler,
	                       progress_handler, established_handler, NULL, NULL, close_handler,
	                       argument, "%s", extra_headers ? extra_headers : "");
}

int creshim_sip_drequest(
    struct sip_request **request, struct sip *sip, const char *method, struct sip_dialog *dialog,
    struct sip_auth *auth, sip_send_h *send_handler, sip_resp_h *response_handler,
    void *argument, const char *headers)
{
	return sip_drequestf(request, sip, true, method, dialog, 0, auth, send_handler,
	                     response_handler, argument, "%sContent-Length: 0\r\n\r\n",
	                     headers ? headers : "");
}

int creshim_mbuf_write_contact(
    struct mbuf *buffer, const char *user, const struct sa *source, enum sip_transp transport)
{
	struct sip_contact contact;
	sip_contact_set(&contact, user, source, transport);
	return mbuf_printf(buffer, "%H", sip_contact_print, &contact);
}

