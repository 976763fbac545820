/* svcvalue.c: the value types of service files: words, durations, sizes,
 * signal and capability names. */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "svcfile.h"

/*
 * svc_split: split line in place into words: blanks separate, double or
 * single quotes group, a backslash escapes the next character (outside
 * single quotes).  Returns the number of words, -E2BIG past max, -EINVAL
 * for an unterminated quote or a trailing backslash.
 */
int svc_split(char *line, char *words[], int max)
{
	char *in = line, *out = line;
	int n = 0;

	for (;;) {
		char quote = 0;

		while (*in == ' ' || *in == '\t')
			in++;
		if (*in == '\0')
			break;
		if (n == max)
			return -E2BIG;
		words[n++] = out;
		for (; *in != '\0'; in++) {
			if (quote == 0 && (*in == ' ' || *in == '\t'))
				break;
			if (quote != '\'' && *in == '\\') {
				if (*++in == '\0')
					return -EINVAL;
				*out++ = *in;
			} else if (quote == 0 && (*in == '"' || *in == '\'')) {
				quote = *in;
			} else if (quote != 0 && *in == quote) {
				quote = 0;
			} else {
				*out++ = *in;
			}
		}
		if (quote != 0)
			return -EINVAL;
		if (*in != '\0')
			in++;
		*out++ = '\0';
	}
	return n;
}

/* A whole unsigned number followed by a unit from units; -EINVAL or -ERANGE. */
static int number_unit(const char *v, unsigned long long *num, const char **unit)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	*num = strtoull(v, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*unit = end;
	return 0;
}

/* svc_duration: "250ms", "10s", "2m", "1h", or bare seconds, into ms. */
int svc_duration(const char *v, unsigned *ms)
{
	static const struct { const char *unit; unsigned long long ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 }, { "h", 3600000 },
	};
	unsigned long long n;
	const char *unit;
	size_t i;
	int rc = number_unit(v, &n, &unit);

	if (rc < 0)
		return rc;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(unit, units[i].unit) != 0)
			continue;
		if (n > UINT_MAX / units[i].ms)
			return -ERANGE;
		*ms = (unsigned)(n * units[i].ms);
		return 0;
	}
	return -EINVAL;
}

/* svc_size: "512M", "2G", "64K", "1T" (powers of 1024, either case) or bare bytes. */
int svc_size(const char *v, unsigned long long *bytes)
{
	static const char units[] = "KMGT", lower[] = "kmgt";
	unsigned long long n, mult = 1;
	const char *unit, *u;
	int rc = number_unit(v, &n, &unit);

	if (rc < 0)
		return rc;
	if (*unit != '\0') {
		u = strchr(units, *unit);
		if (u == NULL && (u = strchr(lower, *unit)) != NULL)
			u = units + (u - lower);
		if (u == NULL || unit[1] != '\0')
			return -EINVAL;
		mult = 1ULL << (10 * (u - units + 1));
	}
	if (n > ULLONG_MAX / mult)
		return -ERANGE;
	*bytes = n * mult;
	return 0;
}

/* svc_signal: "TERM" or "SIGTERM" (any case) to its number; -EINVAL if unknown. */
int svc_signal(const char *v)
{
	static const struct { const char *name; int sig; } sigs[] = {
		{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
		{ "QUIT", SIGQUIT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
		{ "USR2", SIGUSR2 }, { "PWR", SIGPWR }, { "WINCH", SIGWINCH },
	};
	size_t i;

	if (strncasecmp(v, "SIG", 3) == 0)
		v += 3;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (strcasecmp(v, sigs[i].name) == 0)
			return sigs[i].sig;
	return -EINVAL;
}

/* svc_cap: "net_admin" or "CAP_NET_ADMIN" to its number; -EINVAL if unknown. */
int svc_cap(const char *v)
{
	static const struct { const char *name; int cap; } caps[] = {
		{ "chown", CAP_CHOWN }, { "dac_override", CAP_DAC_OVERRIDE },
		{ "dac_read_search", CAP_DAC_READ_SEARCH }, { "fowner", CAP_FOWNER },
		{ "fsetid", CAP_FSETID }, { "kill", CAP_KILL }, { "setgid", CAP_SETGID },
		{ "setuid", CAP_SETUID }, { "setpcap", CAP_SETPCAP },
		{ "linux_immutable", CAP_LINUX_IMMUTABLE },
		{ "net_bind_service", CAP_NET_BIND_SERVICE },
		{ "net_broadcast", CAP_NET_BROADCAST }, { "net_admin", CAP_NET_ADMIN },
		{ "net_raw", CAP_NET_RAW }, { "ipc_lock", CAP_IPC_LOCK },
		{ "ipc_owner", CAP_IPC_OWNER }, { "sys_module", CAP_SYS_MODULE },
		{ "sys_rawio", CAP_SYS_RAWIO }, { "sys_chroot", CAP_SYS_CHROOT },
		{ "sys_ptrace", CAP_SYS_PTRACE }, { "sys_pacct", CAP_SYS_PACCT },
		{ "sys_admin", CAP_SYS_ADMIN }, { "sys_boot", CAP_SYS_BOOT },
		{ "sys_nice", CAP_SYS_NICE }, { "sys_resource", CAP_SYS_RESOURCE },
		{ "sys_time", CAP_SYS_TIME }, { "sys_tty_config", CAP_SYS_TTY_CONFIG },
		{ "mknod", CAP_MKNOD }, { "lease", CAP_LEASE },
		{ "audit_write", CAP_AUDIT_WRITE }, { "audit_control", CAP_AUDIT_CONTROL },
		{ "setfcap", CAP_SETFCAP }, { "mac_override", CAP_MAC_OVERRIDE },
		{ "mac_admin", CAP_MAC_ADMIN }, { "syslog", CAP_SYSLOG },
		{ "wake_alarm", CAP_WAKE_ALARM }, { "block_suspend", CAP_BLOCK_SUSPEND },
		{ "audit_read", CAP_AUDIT_READ }, { "perfmon", CAP_PERFMON },
		{ "bpf", CAP_BPF }, { "checkpoint_restore", CAP_CHECKPOINT_RESTORE },
	};
	size_t i;

	if (strncasecmp(v, "cap_", 4) == 0)
		v += 4;
	for (i = 0; i < sizeof caps / sizeof caps[0]; i++)
		if (strcasecmp(v, caps[i].name) == 0)
			return caps[i].cap;
	return -EINVAL;
}
