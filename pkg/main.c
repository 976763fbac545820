/* main.c: pkg, Cairn's package manager (doc/pkg.md): global options, the table of commands. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cmd.h"
#include "text.h"
#include "fileio.h"

#ifndef PKG_ARCH
#if defined(__x86_64__)
#define PKG_ARCH "x86_64"
#elif defined(__aarch64__)
#define PKG_ARCH "aarch64"
#else
#define PKG_ARCH "noarch"
#endif
#endif

/* The commands every pkg has; the build host's adds pkg_maker_cmds. */
const struct pkg_cmd pkg_cmds[] = {
	{ "install", cmd_install, PKG_SEC_INSTALLED,
	  "  install NAME[OP VERSION]...  install with dependencies, from --repo\n" },
	{ "remove", cmd_remove, PKG_SEC_INSTALLED,
	  "  remove NAME...               remove (refused while another needs it)\n" },
	{ "upgrade", cmd_upgrade, PKG_SEC_INSTALLED,
	  "  upgrade                      every installed package to the newest in --repo\n" },
	{ "list", cmd_list, PKG_SEC_INSTALLED,
	  "  list                         installed packages (--world: what was asked for)\n" },
	{ "info", cmd_info, PKG_SEC_INSTALLED,
	  "  info NAME|FILE.pkg           a package's metadata\n" },
	{ "files", cmd_files, PKG_SEC_INSTALLED,
	  "  files NAME|FILE.pkg          a package's files\n" },
	{ "owner", cmd_owner, PKG_SEC_INSTALLED,
	  "  owner PATH                   the package a file belongs to\n" },
	{ "verify", cmd_verify, PKG_SEC_INSTALLED,
	  "  verify [PATH...]             every installed file (under PATH) against the database;\n"
	  "                               --extensions: and nothing else under /usr and /opt\n" },
	{ "search", cmd_search, PKG_SEC_INSTALLED,
	  "  search WORD                  packages in --repo whose name has WORD\n" },
	{ "sbom", cmd_sbom, PKG_SEC_INSTALLED,
	  "  sbom [--name NAME] [--version V]\n"
	  "                               SPDX 2.3 JSON of the root (or of --repo)\n" },
	{ "audit", cmd_audit, PKG_SEC_INSTALLED,
	  "  audit --feed PATH            the advisories of an offline OSV feed that affect\n"
	  "                               the root (or --repo); exit 1 when any does, 2 when\n"
	  "                               the feed cannot all be read (audit --help)\n" },
	{ "os-install", cmd_os_install, PKG_SEC_OS,
	  "  os-install [--force] DISK    the newest cairn-os in --repo onto DISK, a blank\n"
	  "                               whole disk (--force: one that is not blank)\n" },
	{ "os-update", cmd_os_update, PKG_SEC_OS,
	  "  os-update [--tries N] [--stage]\n"
	  "                               the newest cairn-os in --repo into the root slot\n"
	  "                               this node is not running; it boots next, N times\n"
	  "                               (3) at most to become healthy (doc/update.md);\n"
	  "                               --stage: only once `cairn-agent os reboot` arms it\n" },
	{ "key", cmd_key, PKG_SEC_MAKE,
	  "  key list                     the keys the root at --root trusts\n" },
	{ NULL, NULL, 0, NULL }
};

static const char *const section_titles[PKG_SECTIONS] = {
	"Installed packages (under --root, default /):\n",
	"The operating system (doc/install.md):\n",
	"Making a repository (on a build host):\n",
};

static const char options_help[] =
	"Options:\n"
	"  --root DIR         the system to work on (default /)\n"
	"  --repo DIR|FILE|URL  the repository: a directory, a bundle file, or https://HOST/PATH\n"
	"  --ca FILE|DIR      https: the CA certificates that the server's must chain to\n"
	"                     (default: the system's, /etc/ssl/certs)\n"
	"  --cache DIR        https: where fetched packages are kept (default ROOT/var/cache/pkg)\n"
	"  --fetch-timeout S  https: the most one file's transfer may take (default 3600 s)\n"
	"  --fetch-min-rate B/S  https: a transfer that moves fewer than B bytes a second\n"
	"                     over S seconds fails (default 4096/30)\n"
	"  --trust FILE       the first root document to trust, when --root trusts none yet\n"
	"  --arch ARCH        install for ARCH (default " PKG_ARCH ")\n"
	"  --json             output for machines\n"
	"  --allow-expired    accept an expired root or release (logged)\n"
	"  --allow-rollback   accept a release older than one trusted before (logged)\n"
	"  --extensions       work on the extensions area, ROOT/var/lib/extensions: packages\n"
	"                     with files under /usr and /opt, overlaid by initd at boot\n"
	"\n"
	"WHEN is seconds since the epoch or +DAYSd.  REF is a key file or a provider\n"
	"URI (pkcs11:...).  Exit status: 0 done, 1 refused or failed (the reason on\n"
	"stderr), 100 usage, 111 system error.\n";

/* The usage: each section's commands, a repository's makers first (so
 * `key new` comes before `key list`), then the options. */
void pkg_usage(FILE *f)
{
	const struct pkg_cmd *const tables[] = { pkg_maker_cmds, pkg_cmds };
	const struct pkg_cmd *c;
	int s;
	size_t t;

	fputs("usage: pkg [OPTIONS] COMMAND [ARGS]\n\n", f);
	for (s = 0; s < PKG_SECTIONS; s++) {
		fputs(section_titles[s], f);
		for (t = 0; t < sizeof tables / sizeof tables[0]; t++)
			for (c = tables[t]; c->name != NULL; c++)
				if (c->section == (enum pkg_section)s && c->help != NULL)
					fputs(c->help, f);
		fputc('\n', f);
	}
	fputs(options_help, f);
}

const struct pkg_cmd *pkg_cmd_find(const struct pkg_cmd *table, const char *name)
{
	for (; table->name != NULL; table++)
		if (strcmp(table->name, name) == 0)
			return table;
	return NULL;
}

/* --fetch-min-rate BYTES/SECONDS */
static void min_rate(const char *opt, const char *v, struct fetch_limits *lim)
{
	unsigned long long bytes, secs;
	char buf[64], *slash;

	if (snprintf(buf, sizeof buf, "%s", v) >= (int)sizeof buf || (slash = strchr(buf, '/')) == NULL)
		cmd_die(100, "%s %s: not BYTES/SECONDS", opt, v);
	*slash = '\0';
	if (text_uint(buf, 1ULL << 30, &bytes) < 0 || bytes == 0 || text_uint(slash + 1, 3600, &secs) < 0 ||
	    secs == 0)
		cmd_die(100, "%s %s: not BYTES/SECONDS (1 byte to 1 GiB, over 1 to 3600 s)", opt, v);
	lim->min_rate = (unsigned long)bytes;
	lim->rate_s = (int)secs;
}

static const struct option global_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "json", no_argument, NULL, 'j' },
	{ "world", no_argument, NULL, 'w' },
	{ "allow-expired", no_argument, NULL, 'E' },
	{ "allow-rollback", no_argument, NULL, 'R' },
	{ "extensions", no_argument, NULL, 'x' },
	{ "root", required_argument, NULL, 'r' },
	{ "repo", required_argument, NULL, 'p' },
	{ "trust", required_argument, NULL, 't' },
	{ "arch", required_argument, NULL, 'a' },
	{ "ca", required_argument, NULL, 'c' },
	{ "cache", required_argument, NULL, 'C' },
	{ "fetch-timeout", required_argument, NULL, 'T' },
	{ "fetch-min-rate", required_argument, NULL, 'M' },
	CMD_OPTS_END
};

/* One global option, C with its value, into o. */
static void global_opt(struct pkg_opts *o, int c, const char *v)
{
	unsigned long long s;

	switch (c) {
	case 'h':
		pkg_usage(stdout);
		exit(0);
	case 'V':
		puts("pkg (Cairn) " CAIRN_VERSION);
		exit(0);
	case 'j':
		o->json = 1;
		break;
	case 'w':
		o->world = 1;
		break;
	case 'E':
		o->flags |= REPO_ALLOW_EXPIRED;
		break;
	case 'R':
		o->flags |= REPO_ALLOW_ROLLBACK;
		break;
	case 'x':
		o->ext = 1;
		break;
	case 'r':
		o->root = v;
		break;
	case 'p':
		o->repo = v;
		break;
	case 't':
		o->trust = v;
		break;
	case 'a':
		o->arch = v;
		break;
	case 'c':
		o->ca = v;
		break;
	case 'C':
		o->cache = v;
		break;
	case 'T':
		s = cmd_number("--fetch-timeout", v);
		if (s < 1 || s > 86400)
			cmd_die(100, "%s %s: 1 to 86400 seconds", "--fetch-timeout", v);
		o->lim.deadline_s = (int)s;
		break;
	case 'M':
		min_rate("--fetch-min-rate", v, &o->lim);
		break;
	}
}

/* The options before the command, each "--NAME": the first argument that is not one is the
 * command.  getopt starts afresh here, at argv[1]. */
static int global_opts_read(struct pkg_opts *o, int argc, char **argv)
{
	int at, c;

	opterr = 0;
	while (optind < argc && strncmp(argv[optind], "--", 2) == 0) {
		at = optind;
		c = getopt_long(argc, argv, "+:", global_opts, NULL);
		if (c == -1)
			break;			/* "--": the command is next */
		if (c == '?' && at + 1 < argc)
			cmd_usage_die("%s: unknown option", argv[at]);
		if (c == '?' || c == ':')
			cmd_usage_die("%s: unknown option or no value", argv[at]);
		global_opt(o, c, optarg);
	}
	if (optind >= argc)
		cmd_usage_die("no command");
	return optind;
}

/*
 * --extensions: the root of a site's additions on a running node, on /var
 * (initd overlays its usr/ and opt/ at boot: doc/pkg.md, EXTENSIONS); the
 * system's cache; the image's own trust until one is given.
 */
static void ext_opts(struct pkg_opts *o)
{
	static char path[4096], cache[4096], trust[4096];
	const char *r = strcmp(o->root, "/") == 0 ? "" : o->root;
	int rc;

	snprintf(cache, sizeof cache, "%s/var/cache/pkg", r);
	snprintf(trust, sizeof trust, "%s/%s/trust/root", r, DB_DIR);
	if (o->cache == NULL)
		o->cache = cache;
	if (o->trust == NULL && access(trust, R_OK) == 0)
		o->trust = trust;
	if (snprintf(path, sizeof path, "%s/var/lib/extensions", r) >= (int)sizeof path)
		cmd_die(100, "%s: path too long", o->root);
	rc = file_mkdirs(AT_FDCWD, path, 0755);
	if (rc < 0)
		cmd_die(111, "%s: %s", path, strerror(-rc));
	o->root = path;
}

int main(int argc, char **argv)
{
	struct pkg_opts o = { .root = "/", .arch = PKG_ARCH };
	const struct pkg_cmd *c = NULL;
	const char *name;
	int i;

	/* OpenSSL reads no configuration file unless one is named: the
	 * build host names one to load a PKCS#11 provider for its token. */
	if (getenv("OPENSSL_CONF") == NULL)
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	/* A PKCS#11 module may be torn down by its own exit handler before
	 * OpenSSL's would close its sessions (SoftHSM 2.6 then crashes):
	 * leave the provider loaded, the process is ending anyway. */
	else
		OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
	i = global_opts_read(&o, argc, argv);
	if (o.ext)
		ext_opts(&o);
	name = argv[i];
	/* A subcommand ("key new") is its command's to run. */
	if (strchr(name, ' ') == NULL) {
		c = pkg_cmd_find(pkg_cmds, name);
		if (c == NULL)
			c = pkg_cmd_find(pkg_maker_cmds, name);
	}
	if (c == NULL)
		cmd_wrong_args(name);
	return c->run(&o, argc - i, argv + i);
}
