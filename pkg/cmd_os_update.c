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
	u.statefd = cmd_os_state_open();
	if (repo_open(&r, o->repo, u.statefd, cmd_repo_opts(o), &e) < 0)
		cmd_fail(&e);
	rc = os_update(&r, &u, &e);
	repo_close(&r);
	close(u.statefd);
	if (rc < 0)
		cmd_die(rc == -ENOMEM || rc == -EIO ? 111 : 1, "%s", e.msg);
	return 0;
}
