/*
 * cairnctl: the operator's fleet command (doc/cairnctl.md).  It speaks
 * the nodes' control API (cairn-agent(8), API) over mutual TLS with an
 * operator's (or a monitor's) certificate, to many nodes at once:
 * status, health, inventory, drain and resume, logs, support bundles,
 * and Prometheus's targets.  Options first or anywhere; the command and
 * its arguments are what is left.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>

#include "cairnctl.h"

static const char usage_text[] =
	"usage: cairnctl [OPTIONS] COMMAND [ARGS]\n"
	"\n"
	"The nodes (one at least; both may be given):\n"
	"  -n, --nodes LIST        Slurm host-list syntax: gpu[001-128,200],login1\n"
	"  -f, --nodes-file FILE   NAME [ADDRESS[:PORT]] or a host list, a line ($CAIRNCTL_NODES_FILE):\n"
	"                          every node in it, or where the --nodes are\n"
	"  -p, --port PORT         the API's port where the file names none (7443)\n"
	"How to reach them:\n"
	"      --cert FILE         the operator's certificate, PEM ($CAIRNCTL_CERT)\n"
	"      --key FILE          its key ($CAIRNCTL_KEY)\n"
	"      --ca FILE           the CA the nodes' certificates chain to ($CAIRNCTL_CA)\n"
	"  -j, --parallel N        connections open at once (64)\n"
	"  -t, --timeout S         each node's bound, connect to last byte (10)\n"
	"      --json              JSON out, for scripts\n"
	"Commands:\n"
	"  status                  one line a node: version, slot, update, health, GPUs, uptime\n"
	"  health                  each node's failed checks\n"
	"  inventory               each node's inventory (JSON with --json)\n"
	"  drain --reason TEXT     report the nodes unhealthy with TEXT (Slurm drains them)\n"
	"  resume                  end a drain, and acknowledge a rollback held\n"
	"  logs NODE SERVICE       one service's log on one node\n"
	"  support-bundle NODE [-o FILE]  one node's support bundle (support-NODE.tar.gz)\n"
	"  prometheus-targets      Prometheus file_sd JSON of the nodes' /metrics\n"
	"  update --repo URL|PATH  a rolling OS update: staged everywhere, then rebooted in\n"
	"                          batches (through Slurm on its nodes), each back healthy\n"
	"     [--batch N|N%] [--max-failures N] [--tries N] [--wait S] [--interval S] [--scontrol PATH]\n"
	"Exit: 0 all well, 1 a node unhealthy, unreachable or refusing, 100 usage, 111 system.\n";

static const struct cmd cmds[] = {
	{ "status", cmd_status, 1, 0 },
	{ "health", cmd_health, 1, 0 },
	{ "inventory", cmd_inventory, 1, 0 },
	{ "drain", cmd_drain, 1, 0 },
	{ "resume", cmd_resume, 1, 0 },
	{ "logs", cmd_logs, 1, 1 },
	{ "support-bundle", cmd_support_bundle, 1, 1 },
	{ "prometheus-targets", cmd_targets, 0, 0 },
	{ "update", cmd_update, 1, 0 },
};

static int number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		ctl_die(EXIT_USAGE, "%s: %ld to %ld", opt, lo, hi);
	return (int)v;
}

static const char *env_or(const char *v, const char *name)
{
	return v != NULL ? v : getenv(name);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' }, { "nodes-file", required_argument, NULL, 'f' },
		{ "port", required_argument, NULL, 'p' }, { "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'K' }, { "ca", required_argument, NULL, 'A' },
		{ "parallel", required_argument, NULL, 'j' }, { "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'J' }, { "reason", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' },
		{ "repo", required_argument, NULL, 'R' }, { "batch", required_argument, NULL, 'b' },
		{ "max-failures", required_argument, NULL, 'F' }, { "tries", required_argument, NULL, 'T' },
		{ "wait", required_argument, NULL, 'W' }, { "interval", required_argument, NULL, 'I' },
		{ "scontrol", required_argument, NULL, 'S' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 },
	};
	struct ctl c = {
		.parallel = 64, .timeout_ms = 10000, .batch = "10%", .tries = 3, .wait_s = 1800, .interval_s = 5,
		.scontrol = "scontrol",
	};
	struct nodes book = { NULL, 0, 0, 0 };
	struct rlimit nofile;
	const char *lists[64], *file = NULL, *port = NODES_PORT;
	char err[512], portbuf[8];
	size_t nlists = 0, i, k;
	int opt;

	signal(SIGPIPE, SIG_IGN);
	/* A connection a node, --parallel at once: as many descriptors as the system lets us have. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		setrlimit(RLIMIT_NOFILE, &nofile);
	}
	while ((opt = getopt_long(argc, argv, "n:f:p:j:t:o:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (nlists == sizeof lists / sizeof lists[0])
				ctl_die(EXIT_USAGE, "--nodes: 64 at most (one list may name many)");
			lists[nlists++] = optarg;
			break;
		case 'f': file = optarg; break;
		case 'p':
			snprintf(portbuf, sizeof portbuf, "%d", number("--port", optarg, 1, 65535));
			port = portbuf;
			break;
		case 'C': c.cert = optarg; break;
		case 'K': c.key = optarg; break;
		case 'A': c.ca = optarg; break;
		case 'j': c.parallel = number("--parallel", optarg, 1, 1024); break;
		case 't': c.timeout_ms = number("--timeout", optarg, 1, 3600) * 1000; break;
		case 'J': c.json = 1; break;
		case 'r': c.reason = optarg; break;
		case 'o': c.out = optarg; break;
		case 'R': c.repo = optarg; break;
		case 'b': c.batch = optarg; break;
		case 'F': c.max_failures = number("--max-failures", optarg, 0, 100000); break;
		case 'T': c.tries = number("--tries", optarg, 1, 9); break;
		case 'W': c.wait_s = number("--wait", optarg, 10, 86400); break;
		case 'I': c.interval_s = number("--interval", optarg, 1, 600); break;
		case 'S': c.scontrol = optarg; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case 'V': puts("cairnctl " CAIRN_VERSION); return 0;
		default: fputs(usage_text, stderr); return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0] && strcmp(cmds[i].name, argv[optind]) != 0; i++)
		;
	if (i == sizeof cmds / sizeof cmds[0])
		ctl_die(EXIT_USAGE, "%s: no such command (cairnctl --help)", argv[optind]);
	/* The file is where nodes are; --nodes, when given, which to act on. */
	file = env_or(file, "CAIRNCTL_NODES_FILE");
	if (file != NULL && (nodes_read_file(&book, file, port, err, sizeof err) < 0 ||
			     nodes_unique(&book, err, sizeof err) < 0))
		ctl_die(EXIT_USAGE, "--nodes-file %s", err);
	for (k = 0; k < nlists; k++)
		if (nodes_add_list(&c.nodes, lists[k], port, err, sizeof err) < 0)
			ctl_die(EXIT_USAGE, "--nodes %s", err);
	if (nlists == 0) {
		c.nodes = book;
		memset(&book, 0, sizeof book);
	}
	nodes_locate(&c.nodes, &book);
	nodes_free(&book);
	if (nodes_unique(&c.nodes, err, sizeof err) < 0)
		ctl_die(EXIT_USAGE, "%s", err);
	c.port = port;
	if (c.nodes.n == 0 && !cmds[i].one_node)
		ctl_die(EXIT_USAGE, "no nodes: --nodes LIST or --nodes-file FILE");
	/* Each connection holds a descriptor, the lookups' threads some more. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)c.parallel * 2 + 16 > nofile.rlim_cur)
		ctl_die(EXIT_USAGE, "--parallel %d: more than this process's %llu descriptors allow (ulimit -n)",
			c.parallel, (unsigned long long)nofile.rlim_cur);
	if (cmds[i].needs_tls) {
		c.cert = env_or(c.cert, "CAIRNCTL_CERT");
		c.key = env_or(c.key, "CAIRNCTL_KEY");
		c.ca = env_or(c.ca, "CAIRNCTL_CA");
		if (c.cert == NULL || c.key == NULL || c.ca == NULL)
			ctl_die(EXIT_USAGE, "%s needs --cert, --key and --ca (or $CAIRNCTL_CERT, _KEY, _CA)",
				cmds[i].name);
		c.tls = request_tls(c.cert, c.key, c.ca, err, sizeof err);
		if (c.tls == NULL)
			ctl_die(EXIT_USAGE, "%s", err);
	}
	opt = cmds[i].run(&c, argc - optind, argv + optind);
	if (fflush(stdout) == EOF)
		ctl_die(EXIT_SYSTEM, "stdout: %s", strerror(errno));
	SSL_CTX_free(c.tls);
	nodes_free(&c.nodes);
	return opt;
}
