/* net.c: bring a link up, and find the NIC that DHCP runs on. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"

/* net_link_up: set IFF_UP on ifname (loopback gets 127.0.0.1 from the kernel). */
int net_link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd, rc = 0;

	if (strlen(ifname) >= sizeof ifr.ifr_name)
		return -ENAMETOOLONG;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		goto out;
	}
	if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			rc = -errno;
	}
out:
	close(fd);
	return rc;
}

/*
 * net_first_nic: the first (by name) interface under sysfs_net that is
 * backed by a device, so loopback, bridges and veths are never picked.
 * Returns 0, -ENOENT when there is none, or -errno.
 */
int net_first_nic(const char *sysfs_net, char *ifname, size_t size)
{
	char path[512];
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int found = 0;

	dir = opendir(sysfs_net);
	if (dir == NULL)
		return -errno;
	while ((d = readdir(dir)) != NULL) {
		size_t len = strlen(d->d_name);
		int n;

		if (d->d_name[0] == '.' || len >= size)
			continue;
		n = snprintf(path, sizeof path, "%s/%s/device", sysfs_net, d->d_name);
		if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) < 0)
			continue;
		if (!found || strcmp(d->d_name, ifname) < 0) {
			memcpy(ifname, d->d_name, len + 1);
			found = 1;
		}
	}
	closedir(dir);
	return found ? 0 : -ENOENT;
}
