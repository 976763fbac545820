/* services.h: the service table from /etc/initd, at start and on reload. */
#ifndef CAIRN_INITD_SERVICES_H
#define CAIRN_INITD_SERVICES_H

#include "depgraph.h"
#include "sup.h"

#define SERVICES_DIR "/etc/initd"
#define SERVICES_SPARE 32	/* room for services added by reload */

struct services_diff {
	int added, changed, removed, bad;
};

int services_count(const char *dir);
int services_load(struct sup *s, const char *dir);
int services_reload(struct sup *s, const char *dir, struct services_diff *diff);
int services_settle(struct sup *s, const char *dir);
int services_recheck(struct unit *u);

#endif
