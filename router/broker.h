/* Publish & subscribe within one realm: exact, prefix and wildcard subscriptions. */
#ifndef WD_BROKER_H
#define WD_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "config/model.h"
#include "protocol/msg.h"

struct wd_realm;
struct wd_session;

struct wd_subscription {
	uint64_t id;
	char *uri;                       /* topic or pattern */
	enum wd_match match;
	struct wd_session **subscribers; /* unordered */
	size_t n, cap;
};

void wd_broker_init(struct wd_realm *realm);
void wd_broker_deinit(struct wd_realm *realm);
/* Message handlers: WAMP refusals are sent as ERROR and return 0; a WD_E* return means the
 * session must be aborted. m is valid during the call. */
int wd_broker_subscribe(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
int wd_broker_unsubscribe(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
int wd_broker_publish(struct wd_realm *realm, struct wd_session *s, const struct wd_msg *m);
/* Removes s from every subscription it holds (leaving the realm). */
void wd_broker_detach(struct wd_realm *realm, struct wd_session *s);

#endif
