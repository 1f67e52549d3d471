/*
 * hold: builds one large process tree for the scale benchmark (bench/scale.sh) and test (Scale/ScaleTests.cs).
 *
 *   hold fds N [P]      P processes (default 1) holding N descriptors in all (dups of /dev/null); raises
 *                       RLIMIT_NOFILE as far as needed (past the hard limit only with CAP_SYS_RESOURCE)
 *   hold tree N         a tree of N processes (fan-out 16), each sleeping
 *   hold sockets N P    P processes holding N unix sockets in all (socketpairs, both ends in the same process)
 *
 * Like tests/subject: the process started (the launcher) stays outside the tree; it forks the ROOT, which calls
 * setsid(), puts 0/1/2 on /dev/null and builds the state; every process of the tree reports through a pipe it
 * then closes. The launcher prints "READY <root_pid>" and holds until EOF on stdin (or SIGTERM/SIGINT), then
 * kills the root's process group, reaps everything (it is a child subreaper) and exits 0. Every state is
 * checkpointable (exit 0 from checkpointable -t ROOT). Exit 1 with a message: the state could not be built.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int report_fd = -1;

/* In the tree, stderr is /dev/null: the reason goes to the launcher on the report pipe, after an 'E'. */
static void die(const char *what)
{
	char msg[256];
	int len = snprintf(msg, sizeof(msg), "Ehold: %s: %s\n", what, strerror(errno));
	if (report_fd < 0 || write(report_fd, msg, (size_t)len) < 0)
		fputs(msg + 1, stderr);
	_exit(1);
}

/* One byte on the report pipe says "this process is built"; 'E' says it failed. */
static void report(char c)
{
	if (write(report_fd, &c, 1) != 1)
		_exit(1);
	close(report_fd);
}

static void hang(void)
{
	for (;;)
		pause();
}

/* Room for n descriptors: the soft limit up to the hard one needs nothing; past it, CAP_SYS_RESOURCE and fs.nr_open. */
static void raise_nofile(long n)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit");
	if (rl.rlim_cur >= (rlim_t)n)
		return;
	if (rl.rlim_max < (rlim_t)n)
		rl.rlim_max = (rlim_t)n;
	rl.rlim_cur = (rlim_t)n;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit(RLIMIT_NOFILE) above the hard limit (needs CAP_SYS_RESOURCE and fs.nr_open)");
}

static void fd_holder(long n)
{
	raise_nofile(n + 64);
	int null = open("/dev/null", O_RDWR);
	if (null < 0)
		die("open /dev/null");
	for (long i = 1; i < n; i++)
		if (dup(null) < 0)
			die("dup");
	report('.');
	hang();
}

/* Process i forks its children 16i+1 … 16i+16 (those below n), each of which does the same: depth log16(n). */
static void tree_children(long i, long n)
{
	for (long c = 16 * i + 1; c <= 16 * i + 16 && c < n; c++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			i = c;
			c = 16 * i;
		}
	}
	report('.');
	hang();
}

static void hold_fds(long n, long p)
{
	long each = n / p;
	for (long k = 1; k < p; k++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			fd_holder(each);
		}
	}
	fd_holder(n - each * (p - 1));
}

static void socket_holder(long pairs)
{
	raise_nofile(2 * pairs + 64);
	for (long i = 0; i < pairs; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			die("socketpair");
	}
	report('.');
	hang();
}

static void hold_sockets(long n, long p)
{
	long pairs = n / 2 / p;
	for (long k = 1; k < p; k++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			socket_holder(pairs);
		}
	}
	socket_holder(n / 2 - pairs * (p - 1));
}

static volatile sig_atomic_t stop;
static void on_stop(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "sockets") == 0 && argc < 4)) {
		fprintf(stderr, "usage: hold fds N [P] | hold tree N | hold sockets N P\n");
		return 2;
	}
	long n = atol(argv[2]);
	long p = argc > 3 ? atol(argv[3]) : 1;
	long expected = strcmp(argv[1], "tree") == 0 ? n : p;
	if (n <= 0 || p <= 0 || p > n || (strcmp(argv[1], "fds") && strcmp(argv[1], "tree") && strcmp(argv[1], "sockets"))) {
		fprintf(stderr, "hold: bad arguments\n");
		return 2;
	}

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int pipefd[2];
	if (pipe(pipefd))
		die("pipe");
	pid_t root = fork();
	if (root < 0)
		die("fork");
	if (root == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setsid();
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		close(null);
		close(pipefd[0]);
		report_fd = pipefd[1];
		if (strcmp(argv[1], "fds") == 0)
			hold_fds(n, p);
		else if (strcmp(argv[1], "tree") == 0)
			tree_children(0, n);
		else
			hold_sockets(n, p);
		_exit(0);
	}
	close(pipefd[1]);

	/* Every process of the tree reports once; EOF before that means one of them died. */
	long built = 0;
	char buf[4096];
	while (built < expected) {
		ssize_t r = read(pipefd[0], buf, sizeof(buf));
		char *e = r > 0 ? memchr(buf, 'E', (size_t)r) : NULL;
		if (r <= 0 || e) {
			if (e)
				fprintf(stderr, "%.*s", (int)(r - (e + 1 - buf)), e + 1);
			fprintf(stderr, "hold: %s %ld: only %ld of %ld processes were built\n", argv[1], n, built, expected);
			kill(-root, SIGKILL);
			return 1;
		}
		built += r;
	}
	close(pipefd[0]);
	printf("READY %d\n", (int)root);
	fflush(stdout);

	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!stop) {
		struct pollfd in = { .fd = 0, .events = POLLIN };
		if (poll(&in, 1, -1) > 0 && read(0, buf, sizeof(buf)) <= 0)
			break;
	}
	kill(-root, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return 0;
}
