/* svcfile_test.c: service files: every key, the defaults, and bad input. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <linux/capability.h>

#include "check.h"
#include "depgraph.h"
#include "svcfile.h"

static struct svc s;
static char err[256];

static int parse(const char *name, const char *text)
{
	return svc_parse(&s, name, text, strlen(text), err, sizeof err);
}

static void full_file(void)
{
	CHECK(parse("containerd",
		    "# containerd, as Cairn runs it\n"
		    "command = /usr/bin/containerd --config \"/etc/containerd/a b.toml\"\n"
		    "user = root\n"
		    "group = root\n"
		    "workdir = /var/lib/containerd\n"
		    "env = PATH=/usr/bin:/bin\n"
		    "env = GOTRACEBACK=crash\n"
		    "depends = mdev network\n"
		    "depends = time\n"
		    "ready = socket:/run/containerd/containerd.sock\n"
		    "restart = on-failure\n"
		    "restart-delay = 500ms\n"
		    "restart-delay-max = 1m\n"
		    "restart-limit = 5/2m\n"
		    "stop-signal = SIGINT\n"
		    "stop-timeout = 30s\n"
		    "stop-mode = main\n"
		    "caps = cap_sys_admin NET_ADMIN\n"
		    "no-new-privs = no\n"
		    "rlimit-nofile = 1048576\n"
		    "rlimit-core = 0:infinity\n"
		    "cgroup = runtime\n"
		    "memory-max = 2G\n"
		    "cpu-max = 150%\n") == 0);
	CHECK(err[0] == '\0');
	CHECK(strcmp(s.argv[0], "/usr/bin/containerd") == 0);
	CHECK(strcmp(s.argv[2], "/etc/containerd/a b.toml") == 0 && s.argv[3] == NULL);
	CHECK(strcmp(s.user, "root") == 0 && strcmp(s.workdir, "/var/lib/containerd") == 0);
	CHECK(strcmp(s.env[1], "GOTRACEBACK=crash") == 0 && s.env[2] == NULL);
	CHECK(s.ndepends == 3 && strcmp(s.depends[2], "time") == 0);
	CHECK(s.ready == READY_SOCKET && strcmp(s.ready_arg, "/run/containerd/containerd.sock") == 0);
	CHECK(s.restart == RESTART_ON_FAILURE);
	CHECK(s.restart_delay_ms == 500 && s.restart_delay_max_ms == 60000);
	CHECK(s.restart_limit == 5 && s.restart_window_ms == 120000);
	CHECK(s.stop_signal == SIGINT && s.stop_timeout_ms == 30000 && s.stop_mode == STOP_MAIN);
	CHECK(s.caps_set && s.caps == ((1ULL << CAP_SYS_ADMIN) | (1ULL << CAP_NET_ADMIN)));
	CHECK(s.no_new_privs == 0);
	CHECK(s.nrlimits == 2 && s.rlimits[0].resource == RLIMIT_NOFILE);
	CHECK(s.rlimits[0].soft == 1048576 && s.rlimits[0].hard == 1048576);
	CHECK(s.rlimits[1].soft == 0 && s.rlimits[1].hard == RLIM_INFINITY);
	CHECK(strcmp(s.cgroup, "runtime") == 0);
	CHECK(s.memory_max == 2ULL << 30 && s.cpu_max_percent == 150);
}

static void defaults_are_safe(void)
{
	CHECK(parse("x", "command = /bin/true\n") == 0);
	CHECK(s.ready == READY_START && s.restart == RESTART_ALWAYS);
	CHECK(s.no_new_privs == 1 && s.caps_set == 0);
	CHECK(s.stop_signal == SIGTERM && s.stop_timeout_ms == 10000 && s.stop_mode == STOP_CGROUP);
	CHECK(s.restart_limit == 10 && s.restart_window_ms == 60000);
	CHECK(s.user == NULL && s.ndepends == 0 && s.memory_max == 0);
}

static void ready_kinds(void)
{
	CHECK(parse("a", "command = /a\nready = fd:3\n") == 0 && s.ready == READY_FD && s.ready_fd == 3);
	CHECK(parse("a", "command = /a\nready = file:/run/a.ready\n") == 0 && s.ready == READY_FILE);
	CHECK(parse("a", "command = /a\nready = exit\n") == 0 && s.ready == READY_EXIT);
	CHECK(parse("a", "command = /a\nready = check:/bin/ctr version\n") == 0 &&
	      s.ready == READY_CHECK && strcmp(s.ready_arg, "/bin/ctr version") == 0);
	CHECK(parse("a", "command = /a\nready = fd:1\n") == -EINVAL);
	CHECK(parse("a", "command = /a\nready = file:relative\n") == -EINVAL);
	CHECK(parse("a", "command = /a\nready = sometime\n") == -EINVAL);
	CHECK(parse("a", "command = /a\n") == 0 && s.condition == NULL);
	CHECK(parse("a", "command = /a\ncondition = file:/run/cairn/profile/slurm\n") == 0 &&
	      strcmp(s.condition, "/run/cairn/profile/slurm") == 0);
	CHECK(parse("a", "command = /a\ncondition = file:relative\n") == -EINVAL);
	CHECK(parse("a", "command = /a\ncondition = /run/x\n") == -EINVAL);
}

/* Each bad file is refused with the file, the line and what is wrong. */
static void bad_files_named(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "command = /a\nfrobnicate = 1\n", "x:2: unknown key 'frobnicate'" },
		{ "command = relative/path\n", "x:1: command must start with an absolute path" },
		{ "command = /a \"open\n", "x:1: command has an unterminated quote" },
		{ "user = root\n", "x: no command" },
		{ "command = /a\ncommand = /b\n", "x:2: command given twice" },
		{ "command = /a\njust words\n", "x:2: not a 'key = value' line" },
		{ "command = /a\nrestart = sometimes\n", "x:2: restart must be" },
		{ "command = /a\nstop-timeout = soon\n", "x:2: stop-timeout 'soon' is not a duration" },
		{ "command = /a\nstop-signal = BOGUS\n", "x:2: unknown signal 'BOGUS'" },
		{ "command = /a\ncaps = cap_fly\n", "x:2: unknown capability 'cap_fly'" },
		{ "command = /a\ndepends = ../etc\n", "x:2: '../etc' is not a service name" },
		{ "command = /a\ndepends = x\n", "x:2: a service cannot depend on itself" },
		{ "command = /a\nrlimit-bogus = 1\n", "x:2: unknown limit 'rlimit-bogus'" },
		{ "command = /a\nrlimit-nofile = 10:5\n", "x:2: rlimit-nofile: soft limit above hard" },
		{ "command = /a\nmemory-max = lots\n", "x:2: memory-max 'lots' is not a size" },
		{ "command = /a\ncpu-max = 2\n", "x:2: cpu-max must be a percentage" },
		{ "command = /a\nenv = =x\n", "x:2: env needs NAME=VALUE" },
		{ "command = /a\nrestart-limit = 0/10s\n", "x:2: restart-limit count" },
		{ "command = /a\nuser =\n", "x:2: 'user' has no value" },
		{ "command = /a\nrestart-delay = 1m\n", "x: restart-delay is above restart-delay-max" },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = parse("x", bad[i].text);

		if (rc != -EINVAL || strncmp(err, bad[i].want, strlen(bad[i].want)) != 0)
			fprintf(stderr, "  case %zu: rc %d, err '%s', want '%s'\n", i, rc, err, bad[i].want);
		CHECK(rc == -EINVAL);
		CHECK(strncmp(err, bad[i].want, strlen(bad[i].want)) == 0);
	}
}

static void hostile_sizes_refused(void)
{
	static char big[SVC_FILE_MAX + 2];
	char line[2000];

	memset(big, '#', sizeof big - 1);
	CHECK(parse("x", big) == -EINVAL && strstr(err, "larger than") != NULL);
	memset(line, 'a', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	memcpy(line, "command = /", 11);
	CHECK(parse("x", line) == -EINVAL && strstr(err, "line longer than") != NULL);
	CHECK(svc_parse(&s, "x", "command = /a\n\0x", 15, err, sizeof err) == -EINVAL);
	CHECK(strstr(err, "NUL byte") != NULL);
	CHECK(parse("../evil", "command = /a\n") == -EINVAL && strstr(err, "not a service name") != NULL);
	CHECK(parse("", "command = /a\n") == -EINVAL);
}

static void pool_overflow_refused(void)
{
	static char text[SVC_FILE_MAX];
	char envline[900];
	int i;

	text[0] = '\0';
	strcat(text, "command = /a\n");
	memset(envline, 'v', sizeof envline);
	memcpy(envline, "env = K=", 8);
	envline[sizeof envline - 2] = '\n';
	envline[sizeof envline - 1] = '\0';
	for (i = 0; i < 4; i++)
		strcat(text, envline);
	CHECK(parse("x", text) == -EINVAL && strstr(err, "too large") != NULL);
}

static void split_words(void)
{
	char line[] = "  a 'b c' \"d \\\" e\" f\\ g  ", bad[] = "a 'open", *w[8];

	CHECK(svc_split(line, w, 8) == 4);
	CHECK(strcmp(w[0], "a") == 0 && strcmp(w[1], "b c") == 0);
	CHECK(strcmp(w[2], "d \" e") == 0 && strcmp(w[3], "f g") == 0);
	CHECK(svc_split(bad, w, 8) == -EINVAL);
	CHECK(svc_split((char[]){ "a b c" }, w, 2) == -E2BIG);
	CHECK(svc_split((char[]){ "a\\" }, w, 2) == -EINVAL);
	CHECK(svc_split((char[]){ "   " }, w, 2) == 0);
}

static void values(void)
{
	unsigned ms;
	unsigned long long b;

	CHECK(svc_duration("250ms", &ms) == 0 && ms == 250);
	CHECK(svc_duration("7", &ms) == 0 && ms == 7000);
	CHECK(svc_duration("2h", &ms) == 0 && ms == 7200000);
	CHECK(svc_duration("5000h", &ms) == -ERANGE);
	CHECK(svc_duration("-1s", &ms) == -EINVAL && svc_duration("1d", &ms) == -EINVAL);
	CHECK(svc_duration("99999999999999999999999", &ms) == -ERANGE);
	CHECK(svc_size("64K", &b) == 0 && b == 65536);
	CHECK(svc_size("3", &b) == 0 && b == 3);
	CHECK(svc_size("1T", &b) == 0 && b == 1ULL << 40);
	CHECK(svc_size("1MB", &b) == -EINVAL && svc_size("20000000000T", &b) == -ERANGE);
	CHECK(svc_signal("term") == SIGTERM && svc_signal("SIGKILL") == SIGKILL);
	CHECK(svc_signal("SIG") == -EINVAL);
	CHECK(svc_cap("CAP_BPF") == CAP_BPF && svc_cap("chown") == CAP_CHOWN);
	CHECK(svc_cap("cap_") == -EINVAL);
	CHECK(svc_name_ok("containerd") && svc_name_ok("a.b-c_9"));
	CHECK(!svc_name_ok("Upper") && !svc_name_ok(".hidden") && !svc_name_ok("a/b"));
	CHECK(!svc_name_ok("0123456789012345678901234567890123"));
}

/* The image's own services (rootfs/etc/initd, from the checkout's top,
 * where the tests run): each loads, and they order with nothing left out. */
static void shipped_services(void)
{
	static struct svc svcs[DEPGRAPH_MAX];
	struct svc *ptrs[DEPGRAPH_MAX];
	int order[DEPGRAPH_MAX], bad[DEPGRAPH_MAX], n = 0, i;
	char e[512] = "";
	struct dirent *d;
	DIR *dp = opendir("rootfs/etc/initd");

	CHECK(dp != NULL);
	while (dp != NULL && (d = readdir(dp)) != NULL && n < DEPGRAPH_MAX) {
		if (d->d_name[0] == '.')
			continue;
		err[0] = '\0';
		if (svc_load(&svcs[n], "rootfs/etc/initd", d->d_name, err, sizeof err) < 0) {
			fprintf(stderr, "rootfs/etc/initd/%s: %s\n", d->d_name, err);
			CHECK(!"a shipped service file loads");
		}
		ptrs[n] = &svcs[n];
		n++;
	}
	if (dp != NULL)
		closedir(dp);
	CHECK(n >= 10);
	memset(bad, 0, sizeof bad);
	depgraph_order(ptrs, n, order, bad, e, sizeof e);
	for (i = 0; i < n; i++)
		if (bad[i]) {
			fprintf(stderr, "%s: left out: %s\n", svcs[i].name, e);
			CHECK(!bad[i]);
		}
}

/* Each service's strings are its own: another parse (which reuses the
 * parser's scratch space) leaves them as they were, a failed parse leaves
 * nothing pointing anywhere, and a parse again gives the old pool back
 * (ASan would name a leak or a use after free). */
static void strings_are_own(void)
{
	static struct svc a, b;
	const char ta[] = "command = /bin/a one two\nuser = ua\ncondition = file:/run/a\n"
			  "depends = x y\nenv = K=a\ncgroup = ga\n";
	const char tb[] = "command = /bin/bbbbbbbb three\nuser = ub\ncondition = file:/run/b\n"
			  "depends = z\nenv = K=b\ncgroup = gb\n";

	CHECK(svc_parse(&a, "a", ta, strlen(ta), err, sizeof err) == 0);
	CHECK(svc_parse(&b, "b", tb, strlen(tb), err, sizeof err) == 0);
	CHECK(a.pool != NULL && a.pool != b.pool && a.pool_used < 64);
	CHECK(strcmp(a.argv[0], "/bin/a") == 0 && strcmp(a.argv[2], "two") == 0 && a.argv[3] == NULL);
	CHECK(strcmp(a.user, "ua") == 0 && strcmp(a.condition, "/run/a") == 0);
	CHECK(a.ndepends == 2 && strcmp(a.depends[1], "y") == 0);
	CHECK(strcmp(a.env[0], "K=a") == 0 && strcmp(a.cgroup, "ga") == 0);
	CHECK(a.argv[0] >= a.pool && a.cgroup < a.pool + a.pool_used);
	CHECK(strcmp(b.argv[0], "/bin/bbbbbbbb") == 0 && strcmp(b.cgroup, "gb") == 0);
	/* Parsed again, and then refused: nothing is left of the strings. */
	CHECK(svc_parse(&a, "a", tb, strlen(tb), err, sizeof err) == 0 && strcmp(a.user, "ub") == 0);
	CHECK(svc_parse(&a, "a", "user = ua\nbogus = 1\n", 20, err, sizeof err) == -EINVAL);
	CHECK(a.pool == NULL && a.argv[0] == NULL && a.user == NULL && strcmp(a.name, "a") == 0);
	CHECK(a.restart == RESTART_ALWAYS);	/* the defaults */
	svc_free(&a);
	svc_free(&b);
	CHECK(b.pool == NULL && b.argv[0] == NULL && strcmp(b.name, "b") == 0);
}

int main(void)
{
	RUN(full_file);
	RUN(defaults_are_safe);
	RUN(ready_kinds);
	RUN(bad_files_named);
	RUN(hostile_sizes_refused);
	RUN(pool_overflow_refused);
	RUN(strings_are_own);
	RUN(split_words);
	RUN(values);
	RUN(shipped_services);
	return CHECK_DONE();
}
