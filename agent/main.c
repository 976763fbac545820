/* main.c: cairn-agent, the node agent (doc/cairn-agent.md): its table of commands (cmd_NAME.c) and usage. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

/* One command: its name, what runs it, its lines in the usage. */
struct agent_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

/* In the usage's order. */
static const struct agent_cmd cmds[] = {
	{ "setup", cmd_setup,
	  "  setup [--cmdline FILE] [--root DIR] [--out DIR] [--medium DIR] [--wait S]\n"
	  "        [--no-system]   find the node config (command line, boot medium,\n"
	  "                        image), check it, write it to " SETUP_OUT "\n" },
	{ "config", cmd_config,
	  "  config check [FILE]   check a node config (default " DEFAULT_CONFIG ")\n"
	  "  config show [FILE]    the config as understood, secrets not shown\n"
	  "  config keys           every key of node.conf(5), as its doc lists them\n" },
	{ "net", cmd_net,
	  "  net plan [--config FILE] [--root DIR]\n"
	  "                        the steps that set the config's network up\n"
	  "  net up [--config FILE] [--notify FD] [--wait S] [--resolv FILE]\n"
	  "                        take them, and keep DHCP clients running\n" },
	{ "ntpd", cmd_ntpd,
	  "  ntpd [--config FILE]  BusyBox ntpd on the config's [time] servers\n" },
	{ "kubelet", cmd_kubelet,
	  "  kubelet [--config FILE] [--out DIR] [--render-only]\n"
	  "                        the kubernetes profile: kubelet's files, then kubelet\n" },
	{ "serve", cmd_serve,
	  "  serve [--config FILE] [--root DIR] [--kmsg FILE] [--notify FD] [--user NAME]\n"
	  "                        the control API ([api]: HTTPS, mutual TLS; its network\n"
	  "                        side runs as NAME, cairn-api by default)\n" },
	{ "inventory", cmd_inventory,
	  "  inventory [--root DIR]\n"
	  "                        CPUs, memory, disks, NICs and GPUs, as JSON\n" },
	{ "health", cmd_health,
	  "  health [--config FILE] [--root DIR] [--kmsg FILE] [--nvidia-smi PATH]\n"
	  "                        the node's health checks; exit 1 when one fails\n" },
	{ "slurm", cmd_slurm,
	  "  slurm munged|slurmd [--config FILE]\n"
	  "                        the slurm profile: MUNGE's daemon, then slurmd\n"
	  "  slurm joined [--wait S]\n"
	  "                        0 once the controller has this node (initd's check)\n"
	  "  slurm health [--config FILE] [--kmsg FILE]\n"
	  "                        the checks; drain the node on a failure, resume it\n" },
	{ "os", cmd_os,
	  "  os status             the root slots: which runs, its version, whether it is\n"
	  "                        on trial, the update pending, the last rollback\n"
	  "  os check [--timeout S]\n"
	  "                        a trial boot: wait for local health, then make this\n"
	  "                        slot the default; none in S seconds (node.conf\n"
	  "                        [update] health-timeout): note why and reboot\n"
	  "  os migrate [--dir DIR]\n"
	  "                        the data migrations this OS carries that /var has\n"
	  "                        not had, once each, before /var's readers start\n"
	  "  os auto [--spread S]  unattended updates: in node.conf [update] window,\n"
	  "                        pkg os-update from its repo, and a reboot into what\n"
	  "                        it wrote (after up to S s at random, 1800)\n" },
	{ "data", cmd_data,
	  "  data init DEV [--label L] [--sys DIR]\n"
	  "                        the data partition's first boot: grow DEV to the end\n"
	  "                        of its disk, make its ext4 (never over data)\n" },
	{ NULL, NULL, NULL },
};

/* The usage: its head, each command's lines, its tail. */
static const char *usage(void)
{
	static char text[4096] = "usage: cairn-agent COMMAND [ARGS]\n\n";
	const struct agent_cmd *c;

	for (c = cmds; c->name != NULL; c++)
		strncat(text, c->help, sizeof(text) - strlen(text) - 1);
	strncat(text, "  --help, --version\n"
		"\n"
		"Exit: 0 done, 1 bad config or unhealthy, 100 usage, 111 system error.\n",
		sizeof(text) - strlen(text) - 1);
	return text;
}

int main(int argc, char **argv)
{
	static struct cli self = { "cairn-agent", NULL };
	const struct agent_cmd *c;
	int rc;

	self.usage = usage();
	rc = cli_start(&self, argc, argv);
	if (rc >= 0)
		return rc;
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	return usage_error("unknown command");
}
