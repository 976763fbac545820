/* net.h: links up, and the NIC that DHCP runs on. */
#ifndef CAIRN_INITD_NET_H
#define CAIRN_INITD_NET_H

#include <stddef.h>

int net_link_up(const char *ifname);
int net_first_nic(const char *sysfs_net, char *ifname, size_t size);

#endif
