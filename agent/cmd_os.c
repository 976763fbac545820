/* cmd_os.c: cairn-agent os status|check|migrate|auto|reboot: the root slots (doc/update.md). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "bootent.h"
#include "cli.h"
#include "cmd.h"
#include "os/osboot.h"
#include "osstate.h"
#include "text.h"

static const struct option status_opts[] = { OPT_END };
static const struct option check_opts[] = {
	OPT_CONFIG, { "timeout", required_argument, NULL, 't' }, OPT_END,
};
static const struct option migrate_opts[] = { { "dir", required_argument, NULL, 'd' }, OPT_END };
static const struct option reboot_opts[] = { OPT_ROOT, OPT_END };
static const struct option auto_opts[] = {
	OPT_CONFIG, { "spread", required_argument, NULL, 's' }, OPT_ROOT, OPT_END,
};
/* The options each takes. */
static const struct os_cmd {
	const char *name;
	const struct option *opts;
} os_cmds[] = {
	{ "status", status_opts }, { "check", check_opts }, { "migrate", migrate_opts }, { "auto", auto_opts },
	{ "reboot", reboot_opts },
};

int cmd_os(int argc, char **argv)
{
	static const char use[] = "os status | os check [--config FILE] [--timeout S] | os migrate [--dir DIR] | "
				  "os auto [--config FILE] [--spread S] [--root DIR] | os reboot [--root DIR]";
	static struct nodeconf conf;
	struct osboot_opts o = {
		.sys = "/sys", .cmdline = "/proc/cmdline", .osrel = "/etc/os-release", .esp = ESP_DIR,
		.state = OS_STATE_DIR, .initctl = "/sbin/initctl", .self = "os-check", .migrate = OS_MIGRATE_DIR,
		.health = agent_health_defaults,
	};
	const char *config = DEFAULT_CONFIG, *cmd = argc > 1 ? argv[1] : "";
	const struct option *takes = NULL;
	unsigned long long timeout = 0, spread = 1800;
	char state[4096], cmdline[4096], esp[4096];
	size_t c;
	int opt, explicit = 0, rc;

	for (c = 0; c < sizeof os_cmds / sizeof os_cmds[0]; c++)
		if (strcmp(cmd, os_cmds[c].name) == 0)
			takes = os_cmds[c].opts;
	if (takes == NULL)
		return usage_error(use);
	cli_getopt_start();
	while ((opt = cli_getopt(argc - 1, argv + 1, takes)) != -1) {
		int ok = 1;

		if (opt == 'c') {
			config = optarg, explicit = 1;
		} else if (opt == 't') {
			ok = text_uint(optarg, 86400, &timeout) == 0 && timeout > 0;
		} else if (opt == 's') {
			ok = text_uint(optarg, 86400, &spread) == 0;
		} else if (opt == 'd') {
			o.migrate = optarg;
		} else if (opt == 'r') {
			snprintf(state, sizeof state, "%s%s", optarg, OS_STATE_DIR);
			snprintf(cmdline, sizeof cmdline, "%s/proc/cmdline", optarg);
			snprintf(esp, sizeof esp, "%s%s", optarg, ESP_DIR);
			o.state = state;
			o.initctl = "initctl";
			/* os auto reads the running OS's own; reboot the root's. */
			if (strcmp(cmd, "reboot") == 0)
				o.cmdline = cmdline, o.esp = esp;
		} else {
			ok = 0;
		}
		if (!ok)
			return usage_error(use);
	}
	if (strcmp(cmd, "status") == 0)
		return os_status(&o, stdout) < 0 || fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	if (strcmp(cmd, "reboot") == 0)
		return os_reboot(&o, stdout) < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
	if (strcmp(cmd, "migrate") == 0)
		return os_migrate_boot(&o, stdout) < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
	rc = agent_conf_load(&conf, config, explicit, "os");
	if (rc < 0)
		return EXIT_DATA;
	if (strcmp(cmd, "auto") == 0) {
		if (rc == 0 || conf.window_start < 0) {
			printf("os: no [update] window in the node config: unattended updates are off\n");
			return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
		}
		rc = os_auto(&o, conf.update_repo, conf.window_start, conf.window_end, (unsigned)spread, stdout);
		OPENSSL_cleanse(&conf, sizeof(conf));
		return rc < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
	}
	o.health.conf = rc > 0 ? &conf : NULL;
	o.timeout = rc > 0 ? conf.health_timeout : NC_HEALTH_TIMEOUT;
	if (timeout > 0)
		o.timeout = (unsigned)timeout;
	/* An operator's drain, or a rollback held, is not the OS's health. */
	o.health.drain_file = NULL;
	o.health.hold_file = NULL;
	rc = os_check(&o, stdout);
	OPENSSL_cleanse(&conf, sizeof(conf));
	return rc < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
}
