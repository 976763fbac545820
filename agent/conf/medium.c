/*
 * medium.c: which file systems labelled CAIRNCFG are the node's own, to
 * take its config from without being told (node.conf(5), SOURCES).  A
 * label is anyone's to write, so it admits nothing by itself.  The node's
 * own are a partition of the disk its root is on (a flashed or installed
 * disk's ESP) and the partition the boot loader reports the firmware
 * started it from (systemd-boot and its stub set LoaderDevicePartUUID:
 * the installer's stick, or the disk's ESP again).  Any other, such as a
 * stick put in a USB port, is named and left alone unless the command
 * line pins its config by sha256 (confsrc.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blkdev.h"
#include "conf/medium.h"

/* The variable's UTF-16 text (after its 4 attribute bytes) as a
 * lowercase GUID, or -EINVAL. */
static int loader_uuid(const unsigned char *buf, size_t len, char uuid[37])
{
	size_t i, n = 0;

	for (i = 4; i + 1 < len && n < 37; i += 2) {
		unsigned c = buf[i] | (unsigned)buf[i + 1] << 8;

		if (c == 0)
			break;
		if (c > 0x7f)
			return -EINVAL;
		uuid[n++] = (char)tolower((int)c);
	}
	if (n != 36)
		return -EINVAL;
	uuid[n] = '\0';
	for (i = 0; i < 36; i++)
		if ((i == 8 || i == 13 || i == 18 || i == 23) ? uuid[i] != '-' : !isxdigit((unsigned char)uuid[i]))
			return -EINVAL;
	return 0;
}

/*
 * medium_boot_read: the disk under root (a path: "/"), and the partition
 * whose GPT GUID the boot loader left in efivars (EFI variables; DEV's
 * disks are read for their tables).  What cannot be known stays "";
 * b->note says why a reported GUID names no partition.
 */
int medium_boot_read(const char *sys, const char *dev, const char *efivars, const char *root,
		     struct medium_boot *b)
{
	unsigned char buf[4 + 2 * 40];
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc;

	memset(b, 0, sizeof *b);
	if (blk_root_disk(sys, root, b->disk, sizeof b->disk) < 0)
		b->disk[0] = '\0';
	if ((size_t)snprintf(path, sizeof path, "%s/%s", efivars, MEDIUM_LOADER_VAR) >= sizeof path)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;	/* no boot loader said where */
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n < 0)
		return -errno;
	if (loader_uuid(buf, (size_t)n, b->uuid) < 0) {
		b->uuid[0] = '\0';
		snprintf(b->note, sizeof b->note, "the boot loader's LoaderDevicePartUUID is not a GUID");
		return 0;
	}
	rc = blk_by_partuuid(sys, dev, b->uuid, b->loader, sizeof b->loader);
	if (rc == -ENOTUNIQ)
		snprintf(b->note, sizeof b->note, "PARTUUID %s, where the boot loader started, is on more "
			 "than one partition (a copy of the stick?): none of them counts as it", b->uuid);
	else if (rc < 0)
		snprintf(b->note, sizeof b->note, "no partition has PARTUUID %s, where the boot loader "
			 "started", b->uuid);
	if (rc < 0)
		b->loader[0] = '\0';
	return 0;
}

/*
 * medium_list: the devices BusyBox blkid's output (DEV: LABEL="L" ...)
 * says carry the label, each once, into m (their names; own and why
 * unset).  Returns how many, at most max.
 */
int medium_list(const char *blkid, const char *label, struct medium *m, int max)
{
	const char *line, *end, *colon;
	size_t ll = strlen(label);
	int n = 0, i, dup;

	for (line = blkid; *line != '\0' && n < max; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (end == NULL)
			end = line + strlen(line);
		colon = memchr(line, ':', (size_t)(end - line));
		/* /dev/NAME only: the kernel's names, which sysfs knows. */
		if (colon == NULL || strncmp(line, "/dev/", 5) != 0 || colon - line - 5 <= 0 ||
		    colon - line - 5 >= (long)sizeof m->name || memchr(line + 5, '/', (size_t)(colon - line - 5)) != NULL)
			continue;
		if (end - colon < (long)ll + 9 || strncmp(colon, ": LABEL=\"", 9) != 0 ||
		    strncmp(colon + 9, label, ll) != 0 || colon[9 + ll] != '"' ||
		    (colon + 10 + ll != end && colon[10 + ll] != ' '))
			continue;
		memset(&m[n], 0, sizeof m[n]);
		memcpy(m[n].name, line + 5, (size_t)(colon - line - 5));
		for (i = 0, dup = 0; i < n; i++)
			dup |= strcmp(m[i].name, m[n].name) == 0;
		n += !dup;
	}
	return n;
}

/* medium_judge: whether m is the node's own, and in m->why which or why not. */
void medium_judge(const char *sys, const struct medium_boot *b, struct medium *m)
{
	char disk[64];

	m->own = 1;
	if (b->loader[0] != '\0' && strcmp(m->name, b->loader) == 0) {
		snprintf(m->why, sizeof m->why, "the partition the boot loader started from (PARTUUID %s)",
			 b->uuid);
	} else if (b->disk[0] != '\0' && blk_parent(sys, m->name, disk, sizeof disk, NULL) == 0 &&
		   strcmp(disk, b->disk) == 0) {
		snprintf(m->why, sizeof m->why, "on the boot disk, %s", b->disk);
	} else {
		m->own = 0;
		snprintf(m->why, sizeof m->why, "not on the boot disk (%s) nor where the boot loader "
			 "started (%s)", b->disk[0] ? b->disk : "none: the root is in memory",
			 b->loader[0] ? b->loader : "none said");
	}
}
