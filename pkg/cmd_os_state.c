/* cmd_os_state.c: the OS state directory, where os-update and os-install keep their trust. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmd.h"
#include "fileio.h"
#include "osstate.h"

/*
 * cmd_os_state_open: the OS state directory on /var, locked: one OS
 * write (os-update, os-install) at a time.  It keeps its
 * own trust (the root and newest release seen), first the image's: the
 * root is read-only (a slot, the netbooted or installer's image), and
 * /var is what both slots share.
 */
int cmd_os_state_open(void)
{
	static const char *const docs[] = { "trust/root", "trust/release" };
	struct perr e = { "" };
	char *text;
	size_t len, i;
	int fd, lockfd, imgfd, rc;

	rc = file_mkdirs(AT_FDCWD, OS_STATE_DIR "/trust", 0755);
	if (rc < 0)
		cmd_die(111, "%s: %s", OS_STATE_DIR, strerror(-rc));
	fd = open(OS_STATE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		cmd_die(111, "%s: %s", OS_STATE_DIR, strerror(errno));
	lockfd = openat(fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lockfd < 0)
		cmd_die(111, "%s/lock: %s", OS_STATE_DIR, strerror(errno));
	if (flock(lockfd, LOCK_EX | LOCK_NB) < 0)
		cmd_die(1, "%s/lock: %s", OS_STATE_DIR, errno == EWOULDBLOCK ?
			"another os-update or os-install is running: refused" : strerror(errno));
	/* lockfd stays open, the lock held, until pkg exits. */
	if (faccessat(fd, "trust/root", F_OK, 0) == 0)
		return fd;
	imgfd = open("/" DB_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (imgfd < 0)
		cmd_die(111, "/%s: %s: the image's trust is not found", DB_DIR, strerror(errno));
	/* The release first: the root's presence says the seeding is done. */
	for (i = sizeof docs / sizeof docs[0]; i-- > 0;) {
		if (file_read_at(imgfd, docs[i], 1 << 20, &text, &len, &e) < 0) {
			if (i == 0)
				cmd_fail(&e);
			continue;
		}
		rc = file_write_at(fd, docs[i], text, len, 0644);
		free(text);
		if (rc < 0)
			cmd_die(111, "%s/%s: %s", OS_STATE_DIR, docs[i], strerror(-rc));
	}
	close(imgfd);
	return fd;
}
