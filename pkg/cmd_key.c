/* cmd_key.c: `pkg key list`, the keys the root trusts; `key new` is in cmd_key_new.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static int key_list(const struct pkg_opts *o)
{
	struct perr e = { "" };
	struct txn t;
	struct doc d;
	char *text;
	int i;

	cmd_open_txn(o, &t, 1);
	if (t.pkgdir < 0 || repo_load_doc(t.pkgdir, "trust/root", DOC_ROOT, &text, &d, &e) < 0)
		cmd_die(1, "%s trusts no keys yet", o->root);
	printf("root version %llu, expires %llu, threshold %d of %d\n", d.version, d.expires, d.threshold,
	       d.nkeys);
	for (i = 0; i < d.nkeys; i++)
		printf("%s %s\n", d.keys[i].alg, d.keys[i].id);
	doc_free(&d);
	free(text);
	txn_close(&t);
	return 0;
}

int cmd_key(struct pkg_opts *o, int argc, char **argv)
{
	/* key new's option, which it reads again from argv */
	static const struct option opts[] = {
		{ "alg", required_argument, NULL, 'a' },
		CMD_COMMON_OPTS,
		CMD_OPTS_END
	};
	const struct pkg_cmd *key_new = pkg_cmd_find(pkg_maker_cmds, "key new");
	struct cmd_args a;

	cmd_args_init(&a, o, argc, argv);
	while (cmd_getopt(&a, "", opts) != -1)
		;
	if (a.n >= 1 && strcmp(argv[1], "new") == 0 && key_new != NULL)
		return key_new->run(o, argc, argv);
	if (a.n == 1 && strcmp(argv[1], "list") == 0)
		return key_list(o);
	cmd_die(100, "usage: pkg key new [--alg ALG] DIR NAME | pkg key list");
}
