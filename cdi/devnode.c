/* devnode.c: stat a device node under a root prefix. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "devnode.h"
#include "gpu.h"

/* devnode_stat: ROOT+PATH's numbers; -ENOENT when it is missing,
 * -ENODEV when it is there but not a device node. */
int devnode_stat(const char *root, const char *path, struct devnode *d)
{
	char full[512];
	struct stat st;
	int rc;

	if (strlen(path) >= sizeof(d->path))
		return -ENAMETOOLONG;
	rc = gpu_path(full, sizeof(full), root, path);
	if (rc < 0)
		return rc;
	if (stat(full, &st) < 0)
		return -errno;
	if (S_ISCHR(st.st_mode))
		d->type = 'c';
	else if (S_ISBLK(st.st_mode))
		d->type = 'b';
	else
		return -ENODEV;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	return 0;
}
