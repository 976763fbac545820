/* netapply.h: take a network plan's steps on this node. */
#ifndef CAIRN_NETAPPLY_H
#define CAIRN_NETAPPLY_H

#include <stdio.h>

#include "net/netplan.h"
#include "perr.h"

int netapply_steps(const struct netplan *p, const char *ip, FILE *out, struct perr *e);
int netapply_dhcp(const struct netplan *p, const char *udhcpc, int static_dns, int notify, int wait_s,
		  FILE *out);

#endif
