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
	// aref=false: auth_argument is a plain context pointer, not a libre mem object, so libre
	// must not take a reference on it. No fork handler: when the SUBSCRIBE forks, only the
	// first notifier's dialog is kept.
	return sipevent_subscribe(subscription, socket, request_uri, from_name, from_uri, event,
	                          NULL, expires, contact_user, NULL, 0, auth_handler,
	                          auth_argument, false, NULL, notify_handler, close_handler,
	                          argument, "%s", extra_headers ? extra_headers : "");
}
