/* cmd_serve.c: cairn-agent serve: the control API of node.conf [api], or a line saying it is off. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "api/api.h"
#include "cli.h"
#include "cmd.h"
#include "text.h"

/*
 * No [api]: nothing to serve, and that is all this start will do.  The
 * ready line still goes to --notify before the exit (0): initd takes a
 * ready fd closed without one for a start that failed, and nothing that
 * waits on the API has more to wait for.
 */
static int serve_off(int notify)
{
	printf("serve: no [api] section in the node config: nothing to serve, nothing listens\n");
	if (fflush(stdout) == EOF)
		return EXIT_SYSTEM;
	if (notify >= 0) {
		(void)!write(notify, "\n", 1);
		close(notify);
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		OPT_CONFIG, OPT_ROOT, OPT_KMSG, OPT_NOTIFY, { "user", required_argument, NULL, 'u' }, OPT_END,
	};
	static struct nodeconf c;
	const char *use = "serve [--config FILE] [--root DIR] [--kmsg FILE] [--notify FD] [--user NAME]";
	struct api_opts o = { .conf = &c, .root = "", .notify = -1, .log = stdout };
	const char *config = DEFAULT_CONFIG, *kmsg = NULL;
	unsigned long long v;
	struct perr e;
	char *text = NULL;
	size_t len = 0;
	int opt, explicit = 0, rc;

	cli_getopt_start();
	while ((opt = cli_getopt(argc, argv, opts)) != -1) {
		if (opt == 'c')
			config = optarg, explicit = 1;
		else if (opt == 'r')
			o.root = optarg;
		else if (opt == 'k')
			kmsg = optarg;
		else if (opt == 'n' && text_uint(optarg, 1023, &v) == 0)
			o.notify = (int)v;
		else if (opt == 'u')
			o.user = optarg;
		else
			return usage_error(use);
	}
	if (agent_conf_or_defaults(&c, config, explicit) < 0)
		return EXIT_DATA;
	if (!c.api)
		return serve_off(o.notify);
	if (kmsg != NULL && agent_kmsg_read("serve", kmsg, &text, &len) < 0)
		return EXIT_DATA;
	o.kmsg = text;
	o.kmsg_len = len;
	o.scratch = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : SETUP_OUT;
	rc = api_serve(&o, &e);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: serve: %s\n", e.msg);
		return EXIT_DATA;
	}
	return 0;
}
