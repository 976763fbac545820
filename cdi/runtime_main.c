/* runtime_main.c: cairn-runtime, an OCI runtime shim: on create and run it
 * applies to config.json the CDI devices the bundle asks for and may ask
 * for, then execs runc with the same arguments (doc/cairn-runtime.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "runcargs.h"
#include "runpaths.h"
#include "shim.h"


static const char *runc_path(void)
{
	const char *p = getenv("CAIRN_RUNC");

	return p != NULL && p[0] != '\0' ? p : "/usr/bin/runc";
}

static void warn_print(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "cairn-runtime: warning: %s\n", msg);
}

/* env_switch: node.conf's [gpu] cdi-devices-env, as the mark cairn-agent
 * setup leaves in /run/cairn, where no container writes.  A mark that
 * anyone but root (or this program's own user) could have put there does
 * not count. */
static int env_switch(void)
{
	const char *path = getenv("CAIRN_CDI_ENV_SWITCH");
	struct stat st;

	if (path == NULL || path[0] == '\0')
		path = CAIRN_RUN "/" CAIRN_RUN_CDI_ENV_MARK;
	if (lstat(path, &st) < 0) {
		if (errno != ENOENT)
			fprintf(stderr, "cairn-runtime: warning: %s: %s: CDI_DEVICES stays off\n", path,
				strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		fprintf(stderr, "cairn-runtime: warning: %s: not a file only root can write: CDI_DEVICES "
			"stays off\n", path);
		return 0;
	}
	return 1;
}

/* log_error: the error also into runc's --log file, as containerd's shim
 * reads it (one JSON object a line when --log-format json). */
static void log_error(const struct runc_args *a, const char *msg)
{
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	const char *p;

	if (a->log == NULL)
		return;
	f = fopen(a->log, "ae");
	if (f == NULL)
		return;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (a->log_json) {
		fprintf(f, "{\"level\":\"error\",\"msg\":\"cairn-runtime: ");
		for (p = msg; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				fprintf(f, "\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				fprintf(f, "\\u%04x", (unsigned char)*p);
			else
				fputc(*p, f);
		}
		fprintf(f, "\",\"time\":\"%s\"}\n", when);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=\"cairn-runtime: %s\"\n", when, msg);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	static const char *dirs[16];
	static char runc[4096];
	char *dirlist, *d;
	struct runc_args a;
	struct shim s;
	struct perr e;
	size_t n = 0;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--cairn-help") == 0) {
		printf("usage: cairn-runtime [RUNC ARGUMENTS]\n"
		       "create and run apply the CDI devices named by annotations cdi.k8s.io/*\n"
		       "(comma lists of vendor.com/class=name), and by the process variable\n"
		       "%s where node.conf [gpu] cdi-devices-env is on (a container made by\n"
		       "containerd's CRI may ask neither way), then run runc (CAIRN_RUNC,\n"
		       "default /usr/bin/runc) with the same arguments.\n"
		       "Specs: CAIRN_CDI_DIRS (default /etc/cdi:/var/run/cdi).\n", CDI_ENV);
		return 0;
	}
	if (runc_args_parse(argc, argv, &a) < 0) {
		fprintf(stderr, "cairn-runtime: an option lacks its value\n");
		return EXIT_USAGE;
	}
	if (a.command != NULL && (strcmp(a.command, "create") == 0 || strcmp(a.command, "run") == 0)) {
		const char *env = getenv("CAIRN_CDI_DIRS");

		dirlist = strdup(env != NULL && env[0] != '\0' ? env : "/etc/cdi:/var/run/cdi");
		if (dirlist == NULL)
			return EXIT_SYSTEM;
		for (d = strtok(dirlist, ":"); d != NULL && n < 16; d = strtok(NULL, ":"))
			dirs[n++] = d;
		memset(&s, 0, sizeof(s));
		s.dirs = dirs;
		s.ndirs = n;
		s.root = "";
		s.env_on = env_switch();
		s.warn = warn_print;
		rc = shim_edit(&s, a.bundle != NULL ? a.bundle : ".", &e);
		if (rc < 0) {
			fprintf(stderr, "cairn-runtime: %s\n", e.msg);
			log_error(&a, e.msg);
			free(dirlist);
			return rc == -ENOMEM ? EXIT_SYSTEM : EXIT_DATA;
		}
		free(dirlist);
	}
	snprintf(runc, sizeof(runc), "%s", runc_path());
	argv[0] = runc;
	execv(argv[0], argv);
	rc = errno;
	fprintf(stderr, "cairn-runtime: running %s: %s (set CAIRN_RUNC)\n", argv[0], strerror(rc));
	return EXIT_SYSTEM;
}
