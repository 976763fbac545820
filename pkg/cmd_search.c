/* cmd_search.c: `pkg search WORD`: the packages in --repo whose name holds WORD. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_search(struct pkg_opts *o, int argc, char **argv)
{
	struct repo r;
	struct txn t;
	size_t i;

	if (cmd_operands(o, argc, argv) != 1)
		cmd_wrong_args(argv[0]);
	cmd_open_repo(o, "search", &t, &r);
	for (i = 0; i < r.ix.n; i++)
		if (strstr(r.ix.pkgs[i].name, argv[1]) != NULL)
			printf("%-24s %-20s %s\n", r.ix.pkgs[i].name, r.ix.pkgs[i].version, r.ix.pkgs[i].arch);
	repo_close(&r);
	txn_close(&t);
	return 0;
}
