/* mount.h: the kernel file systems mounted at boot. */
#ifndef CAIRN_INITD_MOUNT_H
#define CAIRN_INITD_MOUNT_H

int mount_early(const char *root);
int is_mountpoint(const char *path);
int mount_root_bind(void);

#endif
