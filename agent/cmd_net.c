/* cmd_net.c: cairn-agent net plan|up: the steps that set the config's network up, and taking them. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cmdline.h"
#include "fileio.h"
#include "health/inventory.h"
#include "net/netapply.h"
#include "net/netplan.h"
#include "text.h"

int cmd_net(int argc, char **argv)
{
	static const struct option plan_opts[] = { OPT_CONFIG, OPT_ROOT, OPT_END };
	static const struct option up_opts[] = {
		OPT_CONFIG, OPT_NOTIFY, OPT_WAIT, { "resolv", required_argument, NULL, 'v' }, OPT_END,
	};
	static struct nodeconf c;
	static struct netplan p;
	static struct inv_nic ifs[NP_IF_MAX];
	const char *use = "net plan [--config FILE] [--root DIR] | net up [--config FILE] [--notify FD] [--wait S] "
			  "[--resolv FILE]";
	const char *config = DEFAULT_CONFIG, *root = "", *resolv_path = "/run/resolv.conf";
	unsigned long long v;
	char err[512], cmdline[CMDLINE_MAX], resolv[1024];
	struct perr e;
	int i, opt, up, explicit = 0, notify = -1, wait_s = 30, nifs, rc;

	if (argc < 2 || (strcmp(argv[1], "plan") != 0 && strcmp(argv[1], "up") != 0))
		return usage_error(use);
	up = strcmp(argv[1], "up") == 0;
	cli_getopt_start();
	while ((opt = cli_getopt(argc - 1, argv + 1, up ? up_opts : plan_opts)) != -1) {
		if (opt == 'c')
			config = optarg, explicit = 1;
		else if (opt == 'r')
			root = optarg;
		else if (opt == 'n' && text_uint(optarg, 1023, &v) == 0)
			notify = (int)v;
		else if (opt == 'w' && text_uint(optarg, 3600, &v) == 0)
			wait_s = (int)v;
		else if (opt == 'v')
			resolv_path = optarg;
		else
			return usage_error(use);
	}
	if (agent_conf_or_defaults(&c, config, explicit) < 0)
		return EXIT_DATA;
	nifs = nics_read(root, ifs, NP_IF_MAX, 1);
	if (nifs < 0) {
		fprintf(stderr, "cairn-agent: net: %s/sys/class/net: %s\n", root, strerror(-nifs));
		return EXIT_SYSTEM;
	}
	/* With no [net], DHCP that initd runs for cairn.dhcp is all there is. */
	if (c.nnet == 0 && cmdline_read("/proc/cmdline", cmdline, sizeof(cmdline)) >= 0 &&
	    cmdline_has(cmdline, "cairn.dhcp"))
		nifs = 0;
	if (netplan_make(&c, ifs, nifs, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: net: %s: %s\n", config, err);
		return EXIT_DATA;
	}
	for (i = 0; i < p.nwarn; i++)
		fprintf(up ? stdout : stderr, "%s%s\n", up ? "net: warning: " : "cairn-agent: net: warning: ",
			p.warn[i]);
	if (!up) {
		for (i = 0; i < p.n; i++)
			printf("%s\n", p.step[i]);
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	if (netapply_steps(&p, "ip", stdout, &e) < 0) {
		fflush(stdout);
		fprintf(stderr, "cairn-agent: net: %s\n", e.msg);
		return EXIT_SYSTEM;
	}
	rc = netplan_resolv(&c, resolv, sizeof(resolv));
	if (rc > 0 && (rc = file_write_atomic(resolv_path, resolv, (size_t)rc, 0644)) < 0) {
		fprintf(stderr, "cairn-agent: net: %s: %s\n", resolv_path, strerror(-rc));
		return EXIT_SYSTEM;
	}
	return netapply_dhcp(&p, "udhcpc", c.ndns > 0, notify, wait_s, stdout) < 0 ? EXIT_SYSTEM : 0;
}
