/* runcargs.c: find the command, the bundle and the log in runc's argv, as
 * containerd's shim and people write it: global options, the command, its
 * options, the container id. */
#include <errno.h>
#include <string.h>

#include "runcargs.h"

static int in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return 1;
	return 0;
}

/* option: ARG's name without its dashes and "=value"; NULL if ARG is no
 * option.  *VALUE is the inline value or NULL. */
static const char *option(const char *arg, char *buf, size_t size, const char **value)
{
	const char *eq;
	size_t n;

	*value = NULL;
	if (arg[0] != '-' || arg[1] == '\0')
		return NULL;
	arg += arg[1] == '-' ? 2 : 1;
	eq = strchr(arg, '=');
	n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	if (n >= size)
		n = size - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	if (eq != NULL)
		*value = eq + 1;
	return buf;
}

int runc_args_parse(int argc, char *const argv[], struct runc_args *a)
{
	static const char *const global_values[] = { "root", "log", "log-format", "criu",
						     "rootless", NULL };
	static const char *const create_values[] = { "bundle", "b", "console-socket", "pid-file",
						     "preserve-fds", NULL };
	char name[64];
	const char *opt, *value;
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		opt = option(argv[i], name, sizeof(name), &value);
		if (opt == NULL) {
			a->command = argv[i];
			break;
		}
		if (!in(opt, global_values))
			continue;
		if (value == NULL) {
			if (i + 1 >= argc)
				return -EINVAL;
			value = argv[++i];
		}
		if (strcmp(opt, "log") == 0)
			a->log = value;
		else if (strcmp(opt, "log-format") == 0)
			a->log_json = strcmp(value, "json") == 0;
	}
	if (a->command == NULL)
		return 0;
	if (strcmp(a->command, "create") != 0 && strcmp(a->command, "run") != 0)
		return 0;
	for (i++; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		opt = option(argv[i], name, sizeof(name), &value);
		if (opt == NULL || !in(opt, create_values))
			continue;
		if (value == NULL) {
			if (i + 1 >= argc)
				return -EINVAL;
			value = argv[++i];
		}
		if (strcmp(opt, "bundle") == 0 || strcmp(opt, "b") == 0)
			a->bundle = value;
	}
	return 0;
}
