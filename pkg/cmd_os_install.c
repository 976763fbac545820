/* cmd_os_install.c: `pkg os-install [--force] DISK`: the newest cairn-os onto a blank disk. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "osinstall.h"

/* Whether ROOT is this system's own "/" ("/", "//", "/.", a link to it). */
static int is_system_root(const char *root)
{
	struct stat a, b;

	return stat(root, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The installer's one write, after every check passed (doc/install.md). */
int cmd_os_install(struct pkg_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	struct cmd_args a;
	struct perr e = { "" };
	struct repo r;
	struct txn t;
	int c, force = 0, rc;

	cmd_args_init(&a, o, argc, argv);
	while ((c = cmd_getopt(&a, "", opts)) != -1)
		if (c == 'f')
			force = 1;
	if (a.n != 1)
		cmd_wrong_args(argv[0]);
	if (is_system_root(o->root)) {
		/* The running system's root is read-only (the installer's
		 * verified image): the trust is kept where os-update keeps it. */
		int statefd;

		if (o->repo == NULL)
			cmd_die(100, "os-install needs --repo DIR|FILE|URL");
		statefd = cmd_os_state_open();
		if (repo_open(&r, o->repo, statefd, cmd_repo_opts(o), &e) < 0)
			cmd_fail(&e);
		rc = os_install(&r, o->arch, argv[1], force ? OS_FORCE : 0, &e);
		repo_close(&r);
		close(statefd);
	} else {
		cmd_open_repo(o, "os-install", &t, &r);
		rc = os_install(&r, o->arch, argv[1], force ? OS_FORCE : 0, &e);
		repo_close(&r);
		txn_close(&t);
	}
	if (rc < 0)
		cmd_die(rc == -ENOMEM || rc == -EIO ? 111 : 1, "%s", e.msg);
	return 0;
}
