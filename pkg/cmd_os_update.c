/* cmd_os_update.c: `pkg os-update [--tries N] [--stage]`: the newest cairn-os into the other slot. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "bootent.h"
#include "cmd.h"
#include "osinstall.h"
#include "osstate.h"
#include "fileio.h"

/*
 * The OS state directory on /var, locked: one update at a time.  It keeps
 * its own trust (the root and newest release seen), first the image's:
 * the root slot is read-only, and /var is what both slots share.
 */
static int os_state_open(void)
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
			"another os-update is running: refused" : strerror(errno));
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


/* The other slot written, after every check passed (doc/update.md). */
int cmd_os_update(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tries", required_argument, NULL, 't' },
		{ "stage", no_argument, NULL, 's' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct os_update_opts u = { o->arch, "/sys", "/proc/cmdline", "/etc/os-release", ESP_DIR, -1, 0, 0 };
	struct cmd_args a;
	struct perr e = { "" };
	struct repo r;
	int c, rc;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1)
		if (c == 't')
			u.tries = (int)cmd_number("--tries", optarg);
		else if (c == 's')
			u.stage = 1;
	if (a.n != 0)
		cmd_wrong_args(argv[0]);
	if (u.tries == 0)
		u.tries = 3;
	if (o->repo == NULL)
		cmd_die(100, "os-update needs --repo DIR|FILE|URL");
	if (strcmp(o->root, "/") != 0)
		cmd_die(100, "os-update works on the running system: not with --root");
	if (u.tries < 1 || u.tries > BOOTENT_TRIES_MAX)
		cmd_die(100, "--tries: 1 to %d", BOOTENT_TRIES_MAX);
	u.statefd = os_state_open();
	if (repo_open(&r, o->repo, u.statefd, cmd_repo_opts(o), &e) < 0)
		cmd_fail(&e);
	rc = os_update(&r, &u, &e);
	repo_close(&r);
	close(u.statefd);
	if (rc < 0)
		cmd_die(rc == -ENOMEM || rc == -EIO ? 111 : 1, "%s", e.msg);
	return 0;
}
