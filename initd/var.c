/* var.c: /var on cairn.var's device (made on its first boot) or in memory, then its extensions. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "blkdev.h"
#include "cmdline.h"
#include "extensions.h"
#include "mount.h"
#include "spawn.h"
#include "text.h"
#include "var.h"
#include "log.h"

#define DATA_INIT_LIMIT_MS 660000	/* cairn-agent data init: its tools have 600 s each */

/*
 * cairn.var's device: /dev/NAME, or PARTLABEL=NAME (the GPT name; where
 * several disks have one, the one on the root's disk).  The device may
 * still be probing when PID 1 starts: wait for it a little.
 */
static int var_device(const char *want, char *dev, size_t size)
{
	char near[64], name[64];
	int i, rc = -ENOENT;

	if (strncmp(want, "PARTLABEL=", 10) != 0) {
		if (strncmp(want, "/dev/", 5) != 0 || strstr(want, "..") != NULL || text_copy(dev, size, want) < 0)
			return -EINVAL;
		for (i = 0; i < 50 && access(dev, F_OK) < 0; i++)
			usleep(100000);
		return 0;
	}
	if (blk_root_disk("/sys", "/", near, sizeof near) < 0)
		near[0] = '\0';
	for (i = 0; i < 50; i++) {
		rc = blk_by_label("/sys", want + 10, near[0] != '\0' ? near : NULL, name, sizeof name);
		if (rc != -ENOENT)
			break;
		usleep(100000);
	}
	if (rc < 0)
		return rc;
	if ((size_t)snprintf(dev, size, "/dev/%s", name) >= size)
		return -ENAMETOOLONG;
	for (i = 0; i < 20 && access(dev, F_OK) < 0; i++)
		usleep(100000);
	return 0;
}

/*
 * /var from the device cairn.var names (ext4), before anything writes to
 * it; on its first boot (no file system yet) the agent grows and formats
 * it.  Then the site's extensions kept there, each layer that matches its
 * database.
 */
void var_setup(const char *cmdline)
{
	static char *init[] = { "/usr/sbin/cairn-agent", "data", "init", NULL, NULL };
	struct statvfs st;
	char want[128], dev[128];
	int rc;

	if (cmdline_has(cmdline, "cairn.var")) {
		if (cmdline_get(cmdline, "cairn.var", want, sizeof want) < 0)
			want[0] = '\0';
		rc = var_device(want, dev, sizeof dev);
		if (rc < 0) {
			log_msg(LOG_ERR, "cairn.var=%s: %s: /var stays in memory", want,
				rc == -EINVAL ? "not /dev/NAME or PARTLABEL=NAME" :
				rc == -ENOENT ? "no such partition" :
				rc == -ENOTUNIQ ? "more than one partition has that name, and not one alone on the root's disk" :
				strerror(-rc));
		} else {
			rc = mount(dev, "/var", "ext4", MS_NOSUID | MS_NODEV, NULL);
			/* No file system (EINVAL): its first boot. */
			if (rc < 0 && errno == EINVAL && access(init[0], X_OK) == 0) {
				log_msg(LOG_INFO, "/var: %s has no file system: making it", dev);
				init[3] = dev;
				if (spawn_wait(init, DATA_INIT_LIMIT_MS) != 0) {
					log_msg(LOG_ERR, "cairn.var: cairn-agent data init %s failed (above): /var "
						"stays in memory", dev);
					rc = 1;
				} else {
					rc = mount(dev, "/var", "ext4", MS_NOSUID | MS_NODEV, NULL);
				}
			}
			if (rc < 0)
				log_msg(LOG_ERR, "cairn.var: mount %s on /var: %m: /var stays in memory", dev);
			else if (rc == 0)
				log_msg(LOG_INFO, "/var: %s", dev);
		}
	}
	/* A read-only root (a disk slot's squashfs) has no room to write:
	 * without a data partition /var is memory, as it is on a RAM root. */
	if (!is_mountpoint("/var") && statvfs("/", &st) == 0 && (st.f_flag & ST_RDONLY)) {
		if (mount("var", "/var", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
			log_msg(LOG_ERR, "/var: tmpfs on a read-only root: %m");
		else
			log_msg(LOG_INFO, "/var: in memory (tmpfs), the root is read-only");
	}
	rc = extensions_mount("", &extensions_system);
	if (rc < 0)
		log_msg(LOG_WARNING, "extensions: %s: some are not in place", strerror(-rc));
}
