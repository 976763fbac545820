/* medium.h: which CAIRNCFG file systems are the node's own (node.conf(5), SOURCES). */
#ifndef CAIRN_MEDIUM_H
#define CAIRN_MEDIUM_H

#define MEDIUM_MAX 8
#define MEDIUM_EFIVARS "/sys/firmware/efi/efivars"
/* systemd-boot and its stub: the partition the firmware loaded them from. */
#define MEDIUM_LOADER_VAR "LoaderDevicePartUUID-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"

/* Where this boot came from. */
struct medium_boot {
	char disk[64];			/* the disk under the root file system; "" for a root in RAM */
	char uuid[37];			/* the PARTUUID the boot loader reported; "" for none */
	char loader[64];		/* the one partition that has it; "" for none */
	char note[200];			/* why uuid names no partition, "" when it does */
};

struct medium {
	char name[64];			/* the kernel's name: sdb1 */
	int own;			/* on the boot disk, or what the boot loader started from */
	char why[200];			/* which of the two, or why neither */
};

int medium_boot_read(const char *sys, const char *dev, const char *efivars, const char *root,
		     struct medium_boot *b);
int medium_list(const char *blkid, const char *label, struct medium *m, int max);
void medium_judge(const char *sys, const struct medium_boot *b, struct medium *m);

#endif
