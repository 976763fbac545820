/* devnode.h: a device node's type and numbers, for CDI deviceNodes. */
#ifndef CAIRN_DEVNODE_H
#define CAIRN_DEVNODE_H

#define DEVNODE_PATH_MAX 128

struct devnode {
	char path[DEVNODE_PATH_MAX];	/* as the container sees it: /dev/nvidia0 */
	char type;			/* 'c' or 'b' */
	unsigned major, minor;
};

int devnode_stat(const char *root, const char *path, struct devnode *d);

#endif
