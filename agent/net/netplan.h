/* netplan.h: the steps that give a node the network its config asks for
 * (node.conf(5), [net NAME]), worked out before any is taken. */
#ifndef CAIRN_NETPLAN_H
#define CAIRN_NETPLAN_H

#include <stddef.h>

#include "health/inventory.h"
#include "conf/nodeconf.h"

#define NP_STEPS_MAX 192
#define NP_STEP 160
#define NP_WARN_MAX 16
#define NP_IF_MAX 64			/* interfaces seen on the node */

/*
 * A step is one line: `ip ARGS...` (ip(8), words without blanks), `write
 * PATH VALUE` (a sysfs attribute), or `dhcp NAME` (a DHCP client there).
 */
struct netplan {
	char step[NP_STEPS_MAX][NP_STEP];
	int n;
	char warn[NP_WARN_MAX][NP_STEP];	/* what was left out, and why */
	int nwarn;
};

int netplan_make(const struct nodeconf *c, const struct inv_nic *ifs, int nifs, struct netplan *p,
		 char *err, size_t errsz);
int netplan_resolv(const struct nodeconf *c, char *buf, size_t size);

#endif
