/* runcap.c: run a program (found on PATH): with no input and its stderr
 * dropped, keeping its stdout (what the agent asks of initctl, findfs,
 * nvidia-smi and tar); or fed a script and speaking to the operator
 * (sfdisk and mke2fs for the agent's data partition and pkg's installer). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "runcap.h"

/*
 * run_capture: argv's stdout, NUL-terminated, into a new *out (*len
 * bytes).  0 when it exited 0; -ENOENT when it could not be run, -EIO
 * when it failed, -EFBIG when it printed more than max bytes, -ETIMEDOUT
 * when it had not finished within timeout_s (it is killed: nvidia-smi on
 * a GPU that fell off the bus can hang), or -errno; *out is NULL then.
 */
int run_capture(char *const *argv, size_t max, int timeout_s, char **out, size_t *len)
{
	struct timespec start, now;
	size_t cap = max < 65536 ? max : 65536, n = 0;
	int fds[2], status, rc = 0;
	char *b = malloc(cap + 1);
	pid_t pid;

	*out = NULL;
	*len = 0;
	if (b == NULL)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		free(b);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		dup2(fds[1], 1);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		free(b);
		return -EAGAIN;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		long long left;
		ssize_t r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (long long)timeout_s * 1000 - ((now.tv_sec - start.tv_sec) * 1000LL +
						      (now.tv_nsec - start.tv_nsec) / 1000000);
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			rc = -ETIMEDOUT;
			break;
		}

		if (n == cap) {
			char *nb = cap < max ? realloc(b, (cap * 2 < max ? cap * 2 : max) + 1) : NULL;

			if (nb == NULL) {
				rc = cap < max ? -ENOMEM : -EFBIG;
				break;
			}
			b = nb;
			cap = cap * 2 < max ? cap * 2 : max;
		}
		r = read(fds[0], b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fds[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (rc == 0 && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
		rc = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	if (rc < 0) {
		free(b);
		return rc;
	}
	b[n] = '\0';
	*out = b;
	*len = n;
	return 0;
}

/*
 * run_tool: argv (found on PATH) with INPUT (NULL: none) on its stdin and
 * its stdout and stderr ours, so that what sfdisk or mke2fs says reaches
 * the operator.  0 when it exited 0; -ENOENT when it could not be run,
 * -EIO when it failed, -ETIMEDOUT (it is killed) past timeout_s.
 */
int run_tool(char *const *argv, const char *input, int timeout_s)
{
	long long waited_ms = 0;
	int fds[2] = { -1, -1 }, status;
	pid_t pid, r;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid == 0) {
		dup2(fds[0], 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		return -EAGAIN;
	}
	/* Scripts are short (a partition table): the pipe holds them.  A
	 * tool that exits unread gives EPIPE, not a SIGPIPE that would end
	 * the caller without a word. */
	if (input != NULL) {
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;

		sigaction(SIGPIPE, &ign, &old);
		size_t off = 0, len = strlen(input);

		while (off < len) {
			ssize_t n = write(fds[1], input + off, len - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			off += (size_t)n;
		}
		sigaction(SIGPIPE, &old, NULL);
	}
	close(fds[1]);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
		struct timespec tick = { 0, 20 * 1000000L };

		if (waited_ms >= (long long)timeout_s * 1000) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
		waited_ms += 20;
	}
	if (r < 0)
		return -errno;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
}
