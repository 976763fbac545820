/* ids.h: user and group names to ids, from /etc/passwd and /etc/group. */
#ifndef CAIRN_INITD_IDS_H
#define CAIRN_INITD_IDS_H

#include <sys/types.h>

#define IDS_FILE_MAX 65536	/* the largest passwd or group file read */

int ids_user(const char *passwd, const char *name, uid_t *uid, gid_t *gid);
int ids_group(const char *group, const char *name, gid_t *gid);

#endif
