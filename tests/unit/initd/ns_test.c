/* ns_test.c: the functions that change the system (mounts, links), run in
 * private mount and network namespaces so the host is never touched. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "check.h"
#include "mount.h"
#include "net.h"
#include "shutdown.h"
#include "log.h"

#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define TMPFS_MAGIC 0x01021994
#define CGROUP2_SUPER_MAGIC 0x63677270

static char root[] = "/tmp/ns_test.XXXXXX";

static long fs_type(const char *rel)
{
	char path[256];
	struct statfs s;

	snprintf(path, sizeof path, "%s%s", root, rel);
	return statfs(path, &s) == 0 ? (long)s.f_type : -1;
}

/* Is root+rel listed in this namespace's mount table? */
static int mounted(const char *rel)
{
	char line[512], want[300], *t;
	FILE *f = fopen("/proc/self/mounts", "r");
	int found = 0;

	snprintf(want, sizeof want, "%s%s", root, rel);
	while (f != NULL && fgets(line, sizeof line, f) != NULL) {
		t = strchr(line, ' ');
		if (t != NULL && strncmp(t + 1, want, strlen(want)) == 0 &&
		    t[1 + strlen(want)] == ' ')
			found++;
	}
	if (f != NULL)
		fclose(f);
	return found;
}

static void early_mounts_all_present(void)
{
	CHECK(mount_early(root) == 0);
	CHECK(fs_type("/proc") == PROC_SUPER_MAGIC);
	CHECK(fs_type("/sys") == SYSFS_MAGIC);
	CHECK(fs_type("/run") == TMPFS_MAGIC);
	CHECK(fs_type("/tmp") == TMPFS_MAGIC);
	CHECK(fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC);
	/* a second run finds everything mounted and stacks nothing */
	CHECK(mount_early(root) == 0);
	CHECK(mounted("/proc") == 1);
	CHECK(mounted("/dev") == 1);
	CHECK(mounted("/sys/fs/cgroup") == 1);
}

static void unmount_in_reverse(void)
{
	char list[1024], path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/mounts", root);
	snprintf(list, sizeof list,
		 "rootfs / rootfs rw 0 0\n"
		 "proc %1$s/proc proc rw 0 0\n"
		 "sysfs %1$s/sys sysfs rw 0 0\n"
		 "cgroup2 %1$s/sys/fs/cgroup cgroup2 rw 0 0\n"
		 "run %1$s/run tmpfs rw 0 0\n", root);
	f = fopen(path, "w");
	CHECK(f != NULL && fputs(list, f) >= 0 && fclose(f) == 0);
	CHECK(shutdown_unmount(path, NULL) == 0);
	CHECK(!mounted("/sys/fs/cgroup"));
	CHECK(!mounted("/sys"));
	CHECK(!mounted("/proc"));
	CHECK(!mounted("/run"));
	CHECK(mounted("/tmp") == 1);	/* not listed: untouched */
	CHECK(shutdown_unmount("/nonexistent/mounts", NULL) == 0);	/* logged, no crash */
}

static int link_flags(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), flags = -1;

	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, ifname);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		flags = ifr.ifr_flags;
	close(fd);
	return flags;
}

static void loopback_comes_up(void)
{
	CHECK(!(link_flags("lo") & IFF_UP));
	CHECK(net_link_up("lo") == 0);
	CHECK(link_flags("lo") & IFF_UP);
	CHECK(net_link_up("lo") == 0);
	CHECK(net_link_up("nosuchif0") == -ENODEV);
	CHECK(net_link_up("a-name-longer-than-ifnamsiz") == -ENAMETOOLONG);
}

static void first_nic_skips_virtual(void)
{
	/* a fake /sys/class/net: only eth1 and enp0s2 have a device behind them */
	static const char *const dirs[] = {
		"lo", "veth0", "eth1", "eth1/device", "enp0s2", "enp0s2/device"
	};
	char dir[256], path[512], name[16];
	size_t i;

	snprintf(dir, sizeof dir, "%s/run/net", root);
	CHECK(mkdir(dir, 0755) == 0);
	CHECK(net_first_nic(dir, name, sizeof name) == -ENOENT);
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, dirs[i]);
		CHECK(mkdir(path, 0755) == 0);
	}
	CHECK(net_first_nic(dir, name, sizeof name) == 0);
	CHECK(strcmp(name, "enp0s2") == 0);
	/* a name that does not fit is passed over, not cut */
	CHECK(net_first_nic(dir, name, 5) == 0 && strcmp(name, "eth1") == 0);
	CHECK(net_first_nic("/nonexistent", name, sizeof name) == -ENOENT);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("skipped: needs root for mount and network namespaces\n");
		return 77;
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("ns_test: unshare");
		return 1;
	}
	if (mkdtemp(root) == NULL || mount("t", root, "tmpfs", 0, NULL) < 0) {
		perror("ns_test: tmpfs");
		return 1;
	}
	log_open("ns_test", -1, 2, 0);
	RUN(early_mounts_all_present);
	RUN(unmount_in_reverse);
	RUN(loopback_comes_up);
	RUN(first_nic_skips_virtual);
	umount2(root, MNT_DETACH);
	rmdir(root);
	return CHECK_DONE();
}
