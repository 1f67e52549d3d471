/*
 * subject: builds one process tree in one named state, for checkpointable's integration tests.
 *
 *   subject NAME        build the state, print "READY <root_pid>", wait for EOF on stdin (or
 *                       SIGTERM/SIGINT/SIGHUP), then kill the whole tree and exit 0
 *   subject --list      every factory name, a tab, and a one-line description
 *
 * Exit 77 with "SKIP <reason>" on stderr: the state can't be built on this machine.
 * Exit 2: usage error.  Exit 1: the state could not be built for another reason.
 *
 * The process started by the caller is the LAUNCHER. It stays outside the judged tree, plays any
 * outside part a state needs (the other end of a socket or pipe, a pty master, a session leader)
 * and forks the ROOT. The root calls setsid() (unless the factory says otherwise), puts stdin,
 * stdout and stderr on /dev/null, closes every other inherited descriptor, chdirs into a fresh
 * temporary directory owned by the launcher, builds the state and reports readiness through a
 * pipe that it then closes, so that nothing of the launcher is left in the tree.
 *
 * Every process of the tree has PR_SET_PDEATHSIG(SIGKILL); the launcher is a child subreaper and
 * its own process group leader, and on the way out kills (SIGKILL) the root's process group,
 * every process it tracked and every descendant it can find in /proc, reaps them all, removes
 * the SysV IPC objects and files the tree registered, and removes the temporary directory.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <linux/aio_abi.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_alg.h>
#include <linux/io_uring.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <linux/userfaultfd.h>
#include <linux/vm_sockets.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef F_OFD_SETLK
#define F_OFD_SETLK 37
#endif

/* ------------------------------------------------------------------------------------------ */
/* globals                                                                                     */

static pid_t launcher_pid;          /* the launcher (outside the tree) */
static int in_launcher = 1;         /* 0 in every forked process */
static char tmpdir[PATH_MAX];       /* the launcher's temporary directory */
static int report_fd = -1;          /* in a tree process: pipe to whoever waits for our setup */
static pid_t root_pid = -1;
static pid_t tracked[16];           /* processes the launcher kills on the way out */
static int ntracked;
static int keep_fds[16];            /* descriptors the root keeps from the launcher */
static int nkeep;
static int root_setsid = 1;         /* the root calls setsid() */
static int root_setpgid;            /* when not setsid: the root calls setpgid(0, 0) */
static volatile sig_atomic_t terminate;

/* ------------------------------------------------------------------------------------------ */
/* failing                                                                                     */

static void launcher_cleanup(void);

/* kind: 'S' skip (exit 77), 'E' error (exit 1) */
static void __attribute__((noreturn, format(printf, 3, 4))) failf(char kind, int err, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err) {
		size_t l = strlen(msg);
		snprintf(msg + l, sizeof(msg) - l, ": %s", strerror(err));
	}
	if (!in_launcher) {
		if (report_fd >= 0) {
			char buf[1024];
			int n = snprintf(buf, sizeof(buf), "%c%s", kind, msg);
			if (write(report_fd, buf, (size_t)n) < 0) { /* nothing more to do */ }
		}
		_exit(kind == 'S' ? 77 : 1);
	}
	if (kind == 'S')
		fprintf(stderr, "SKIP %s\n", msg);
	else
		fprintf(stderr, "subject: error: %s\n", msg);
	fflush(stderr);
	launcher_cleanup();
	exit(kind == 'S' ? 77 : 1);
}
#define DIE(...) failf('E', errno, __VA_ARGS__)
#define DIEX(...) failf('E', 0, __VA_ARGS__)
#define SKIP(...) failf('S', errno, __VA_ARGS__)
#define SKIPX(...) failf('S', 0, __VA_ARGS__)

static void need_root(void)
{
	if (geteuid() != 0)
		SKIPX("needs root (euid %d)", (int)geteuid());
}

static void hang(void)
{
	for (;;)
		pause();
}

static void track(pid_t pid)
{
	if (ntracked < (int)(sizeof(tracked) / sizeof(tracked[0])))
		tracked[ntracked++] = pid;
}

/* a line for the launcher's cleanup: "sem ID", "msg ID", "shm ID", "path /abs/path" or "umount /abs/path" */
static void register_cleanup(const char *fmt, ...)
{
	char path[PATH_MAX + 16];
	va_list ap;
	snprintf(path, sizeof(path), "%s/.cleanup", tmpdir);
	FILE *f = fopen(path, "a");
	if (!f)
		DIE("open %s", path);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	if (fclose(f))
		DIE("write %s", path);
}

/* ------------------------------------------------------------------------------------------ */
/* tree processes                                                                              */

/* every process of the tree: die with the parent, report setup to rfd */
static void become_tree_process(int rfd, pid_t parent)
{
	in_launcher = 0;
	report_fd = rfd;
	if (rfd >= 0 && rfd < 100) {      /* out of the way of the descriptors the state opens */
		report_fd = fcntl(rfd, F_DUPFD_CLOEXEC, 100);
		if (report_fd < 0)
			_exit(1);
		close(rfd);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		DIE("PR_SET_PDEATHSIG");
	pid_t pp = getppid();
	if (pp != parent && pp != 0)   /* 0: our parent is in an outer pid namespace */
		_exit(1);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* tell whoever waits that this process is set up (payload: optional text); idempotent */
static void report_ready(const char *payload)
{
	char buf[512];
	if (report_fd < 0)
		return;
	int n = snprintf(buf, sizeof(buf), "!%s", payload ? payload : "");
	if (write(report_fd, buf, (size_t)n) != n)
		_exit(1);
	close(report_fd);
	report_fd = -1;
}

/* wait for one report on rfd (closed here); on failure pass it on (or fail in the launcher) */
static void await_report(int rfd, pid_t pid, const char *who, char *payload, size_t n)
{
	char buf[1024];
	ssize_t r;
	for (;;) {
		r = read(rfd, buf, sizeof(buf) - 1);
		if (r >= 0 || errno != EINTR)
			break;
		if (terminate && in_launcher)
			break;
	}
	if (r > 0 && buf[0] == '!') {
		/* wait for EOF: the reporter closed its end, so no process keeps the pipe */
		char rest[64];
		ssize_t d;
		while ((d = read(rfd, rest, sizeof(rest))) > 0 || (d < 0 && errno == EINTR && !terminate))
			;
	}
	close(rfd);
	if (r <= 0) {
		int st = 0;
		if (terminate && in_launcher)
			DIEX("terminated during setup");
		if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 77)
			SKIPX("%s (pid %d) skipped without a reason", who, (int)pid);
		DIEX("%s (pid %d) died during setup (status 0x%x)", who, (int)pid, st);
	}
	buf[r] = 0;
	if (buf[0] == '!') {
		if (payload)
			snprintf(payload, n, "%s", buf + 1);
		return;
	}
	if (!in_launcher && report_fd < 0)
		_exit(buf[0] == 'S' ? 77 : 1);
	failf(buf[0] == 'S' ? 'S' : 'E', 0, "%s", buf + 1);
}

static void redirect_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		DIE("open /dev/null");
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) != i)
			DIE("dup2");
	if (fd > 2)
		close(fd);
}

static int is_kept(int fd)
{
	if (fd <= 2 || fd == report_fd)
		return 1;
	for (int i = 0; i < nkeep; i++)
		if (keep_fds[i] == fd)
			return 1;
	return 0;
}

/* close every descriptor but 0-2, report_fd and keep_fds */
static void close_other_fds(void)
{
	int fds[4096], n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		DIE("opendir /proc/self/fd");
	struct dirent *e;
	while ((e = readdir(d)) && n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		int fd = atoi(e->d_name);
		if (fd != dirfd(d) && !is_kept(fd))
			fds[n++] = fd;
	}
	closedir(d);
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/* fork a child of the current tree process: it runs fn(), reports, and sleeps forever */
static pid_t spawn(void (*fn)(void))
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork");
	if (pid == 0) {
		close(p[0]);
		if (report_fd >= 0)
			close(report_fd);
		become_tree_process(p[1], parent);
		if (fn)
			fn();
		report_ready(NULL);
		hang();
	}
	close(p[1]);
	await_report(p[0], pid, "child", NULL, 0);
	return pid;
}

/* clone() a child with its own stack; fn must not fail; the child then sleeps forever */
struct clone_arg {
	int wfd, rfd, parent_report;
	void (*fn)(void);
};
static struct clone_arg clone_args;
static int clone_trampoline(void *p)
{
	struct clone_arg *a = p;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(a->rfd);
	if (a->parent_report >= 0)
		close(a->parent_report);
	if (a->fn)
		a->fn();
	char c = '!';
	if (write(a->wfd, &c, 1) != 1)
		syscall(SYS_exit, 1);
	close(a->wfd);
	for (;;)
		pause();
	return 0;
}
static void *clone_stack(size_t size)
{
	void *stk = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stk == MAP_FAILED)
		DIE("mmap stack");
	return (char *)stk + size;
}
static pid_t clone_child(int flags, void (*fn)(void))
{
	int p[2];
	char c;
	if (pipe(p))
		DIE("pipe");
	clone_args = (struct clone_arg){ .wfd = p[1], .rfd = p[0], .parent_report = report_fd, .fn = fn };
	pid_t pid = clone(clone_trampoline, clone_stack(256 * 1024), flags | SIGCHLD, &clone_args);
	if (pid < 0)
		DIE("clone(0x%x)", flags);
	close(p[1]);
	if (read(p[0], &c, 1) != 1 || c != '!')
		DIEX("cloned child %d did not start", (int)pid);
	while (read(p[0], &c, 1) > 0)      /* until EOF: the child closed its end */
		;
	close(p[0]);
	return pid;
}

/* ------------------------------------------------------------------------------------------ */
/* the launcher side                                                                           */

/* the root keeps fd (the launcher keeps its own copy unless it closes it) */
static void root_keep(int fd)
{
	keep_fds[nkeep++] = fd;
}

/* fork the root: it runs fn() and reports; returns when it did (payload: what it reported) */
static pid_t start_root_payload(void (*fn)(void), char *payload, size_t n)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork");
	if (pid == 0) {
		close(p[0]);
		become_tree_process(p[1], parent);
		if (root_setsid) {
			if (setsid() < 0)
				DIE("setsid");
		} else if (root_setpgid) {
			if (setpgid(0, 0))
				DIE("setpgid");
		}
		redirect_stdio();
		close_other_fds();
		if (chdir(tmpdir))
			DIE("chdir %s", tmpdir);
		if (fn)
			fn();
		report_ready(NULL);
		hang();
	}
	track(pid);
	root_pid = pid;
	close(p[1]);
	await_report(p[0], pid, "root", payload, n);
	return pid;
}
static pid_t start_root(void (*fn)(void))
{
	return start_root_payload(fn, NULL, 0);
}

/* fork a helper outside the tree (in the launcher's process group): runs fn(), then sleeps */
static pid_t start_helper(void (*fn)(void))
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork");
	if (pid == 0) {
		close(p[0]);
		become_tree_process(p[1], parent);
		redirect_stdio();
		int save = nkeep;
		nkeep = 0;
		close_other_fds();
		nkeep = save;
		if (fn)
			fn();
		report_ready(NULL);
		hang();
	}
	track(pid);
	close(p[1]);
	await_report(p[0], pid, "helper", NULL, 0);
	return pid;
}

/* state letter of /proc/PID/stat ('?' if gone) */
static char proc_state(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	ssize_t r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return '?';
	buf[r] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* first pid in /proc/PID/task/PID/children (0 if none) */
static pid_t proc_first_child(pid_t pid)
{
	char path[96], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	ssize_t r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	return (pid_t)atoi(buf);
}

static void wait_proc_state(pid_t pid, char want, int need_child)
{
	for (int i = 0; i < 5000; i++) {
		if (proc_state(pid) == want && (!need_child || proc_first_child(pid) > 0))
			return;
		usleep(1000);
	}
	DIEX("pid %d never reached state %c (now %c)", (int)pid, want, proc_state(pid));
}

/* every process below the launcher (from /proc/PID/stat); returns how many, *out malloc()ed */
static size_t launcher_descendants(pid_t **out)
{
	size_t cap = 4096, n = 0, m = 0;
	pid_t *pids = malloc(cap * sizeof(pid_t)), *ppids = malloc(cap * sizeof(pid_t));
	char *mark = NULL;
	DIR *d = opendir("/proc");
	*out = NULL;
	if (!pids || !ppids || !d)
		goto out;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		char *p = strrchr(buf, ')');
		char st;
		int ppid;
		if (!p || sscanf(p + 1, " %c %d", &st, &ppid) != 2)
			continue;
		if (n == cap) {
			cap *= 2;
			pid_t *a = realloc(pids, cap * sizeof(pid_t));
			if (!a)
				goto out;
			pids = a;
			a = realloc(ppids, cap * sizeof(pid_t));
			if (!a)
				goto out;
			ppids = a;
		}
		pids[n] = atoi(e->d_name);
		ppids[n] = ppid;
		n++;
	}
	mark = calloc(n ? n : 1, 1);
	if (!mark)
		goto out;
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (mark[i])
				continue;
			int in = ppids[i] == launcher_pid;
			for (size_t j = 0; !in && j < n; j++)
				in = mark[j] && pids[j] == ppids[i];
			if (in) {
				mark[i] = 1;
				changed = 1;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		if (mark[i] && pids[i] != launcher_pid)
			pids[m++] = pids[i];
	*out = pids;
	pids = NULL;
out:
	if (d)
		closedir(d);
	free(mark);
	free(pids);
	free(ppids);
	return m;
}

static void kill_descendants_in_proc(void)
{
	pid_t *pids;
	size_t n = launcher_descendants(&pids);
	for (size_t i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	free(pids);
}

/* wait (2 s at most) until no thread of any process below the launcher is running (state R):
 * every process has reached the sleep it will stay in */
static void settle(void)
{
	for (int iter = 0; iter < 2000; iter++) {
		pid_t *pids;
		int running = 0;
		size_t n = launcher_descendants(&pids);
		for (size_t i = 0; i < n && !running; i++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/task", (int)pids[i]);
			DIR *d = opendir(path);
			struct dirent *e;
			while (d && !running && (e = readdir(d)))
				if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
					running = proc_state((pid_t)atoi(e->d_name)) == 'R';
			if (d)
				closedir(d);
		}
		free(pids);
		if (!running)
			return;
		usleep(1000);
	}
}

static void kill_tree(void)
{
	pid_t my_pgrp = getpgrp();
	for (int iter = 0; iter < 5000; iter++) {
		for (int i = 0; i < ntracked; i++) {
			pid_t g = getpgid(tracked[i]);
			if (g > 0 && g == tracked[i] && g != my_pgrp)
				kill(-g, SIGKILL);
			kill(tracked[i], SIGKILL);
		}
		kill_descendants_in_proc();
		pid_t w;
		while ((w = waitpid(-1, NULL, WNOHANG | __WALL)) > 0)
			;
		if (w < 0 && errno == ECHILD)
			return;
		usleep(2000);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	remove(path);
	return 0;
}

static void launcher_cleanup(void)
{
	static int done;
	if (!in_launcher || done || getpid() != launcher_pid)
		return;
	done = 1;
	kill_tree();
	if (!tmpdir[0])
		return;
	char path[PATH_MAX + 16], line[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/.cleanup", tmpdir);
	FILE *f = fopen(path, "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			if (!strncmp(line, "sem ", 4))
				semctl(atoi(line + 4), 0, IPC_RMID);
			else if (!strncmp(line, "msg ", 4))
				msgctl(atoi(line + 4), IPC_RMID, NULL);
			else if (!strncmp(line, "shm ", 4))
				shmctl(atoi(line + 4), IPC_RMID, NULL);
			else if (!strncmp(line, "path ", 5))
				unlink(line + 5);
			else if (!strncmp(line, "umount ", 7))
				umount2(line + 7, MNT_DETACH);
		}
		fclose(f);
	}
	nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------------------------------ */
/* small helpers used by the factories                                                         */

static void write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			DIE("write");
		p += w;
		n -= (size_t)w;
	}
}

/* create NAME (in the cwd) with SIZE bytes of non-zero data; returns an O_RDWR fd */
static int make_file(const char *name, size_t size)
{
	char buf[65536];
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		DIE("create %s", name);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	while (size) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);
		write_all(fd, buf, n);
		size -= n;
	}
	return fd;
}

static void touch_pages(volatile char *p, size_t size, int write_)
{
	volatile char sink = 0;
	for (size_t i = 0; i < size; i += 4096) {
		if (write_)
			p[i] = (char)(i >> 12 | 1);
		else
			sink ^= p[i];
	}
	(void)sink;
}

/* ------------------------------------------------------------------------------------------ */
/* process / task                                                                              */

static void r_sleep(void) { }
static void f_sleep(void) { start_root(r_sleep); }

static void *thread_hang(void *a) { hang(); return a; }
static void r_threads(void)
{
	for (int i = 0; i < 4; i++) {
		pthread_t t;
		int e = pthread_create(&t, NULL, thread_hang, NULL);
		if (e) {
			errno = e;
			DIE("pthread_create");
		}
	}
}
static void f_threads(void) { start_root(r_threads); }

/* credentials other than the launcher's (root): criu without CAP_SYS_RESOURCE cannot prlimit64 them */
#define NOBODY_ID 65534
/* a credential change clears PR_SET_PDEATHSIG (kernel/cred.c commit_creds): set it again */
static void rearm_pdeathsig(void)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		DIE("PR_SET_PDEATHSIG");
}
static void r_uid_nobody(void)
{
	if (setresuid(NOBODY_ID, NOBODY_ID, NOBODY_ID))
		DIE("setresuid");
	rearm_pdeathsig();
}
static void f_uid_nobody(void) { need_root(); start_root(r_uid_nobody); }
static void r_gid_nobody(void)
{
	if (setresgid(NOBODY_ID, NOBODY_ID, NOBODY_ID))
		DIE("setresgid");
	rearm_pdeathsig();
}
static void f_gid_nobody(void) { need_root(); start_root(r_gid_nobody); }
static void r_child_uid_nobody(void) { spawn(r_uid_nobody); }
static void f_child_uid_nobody(void) { need_root(); start_root(r_child_uid_nobody); }
static int thread_uid_pipe[2];
static void *thread_uid_nobody(void *a)
{
	/* the raw syscall changes this thread only; glibc's setresuid() would change every thread */
	char ok = 1;
	if (syscall(SYS_setresuid, NOBODY_ID, NOBODY_ID, NOBODY_ID))
		ok = 0;
	if (write(thread_uid_pipe[1], &ok, 1) != 1)
		_exit(1);
	hang();
	return a;
}
static void r_thread_uid_nobody(void)
{
	pthread_t t;
	char ok = 0;
	if (pipe(thread_uid_pipe))
		DIE("pipe");
	int e = pthread_create(&t, NULL, thread_uid_nobody, NULL);
	if (e) {
		errno = e;
		DIE("pthread_create");
	}
	if (read(thread_uid_pipe[0], &ok, 1) != 1 || !ok)
		DIEX("the thread's setresuid failed");
	close(thread_uid_pipe[0]);
	close(thread_uid_pipe[1]);
}
static void f_thread_uid_nobody(void) { need_root(); start_root(r_thread_uid_nobody); }

static void c_grandparent(void) { spawn(NULL); }
static void r_tree(void)
{
	spawn(c_grandparent);
	spawn(NULL);
}
static void f_tree(void) { start_root(r_tree); }

static void r_zombie_child(void)
{
	siginfo_t si;
	pid_t pid = fork();
	if (pid < 0)
		DIE("fork");
	if (pid == 0)
		_exit(3);
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT))
		DIE("waitid");
}
static void f_zombie_child(void) { start_root(r_zombie_child); }

static void r_stopped_child(void)
{
	int st;
	pid_t pid = spawn(NULL);
	if (kill(pid, SIGSTOP))
		DIE("kill SIGSTOP");
	if (waitpid(pid, &st, WUNTRACED) != pid || !WIFSTOPPED(st))
		DIE("waitpid WUNTRACED");
}
static void f_stopped_child(void) { start_root(r_stopped_child); }

static void f_not_session_leader(void)
{
	root_setsid = 0;
	root_setpgid = 1;
	start_root(r_sleep);
}

static void r_ptraced_child(void)
{
	pid_t pid = spawn(NULL);
	if (ptrace(PTRACE_SEIZE, pid, 0, 0))
		DIE("PTRACE_SEIZE");
}
static void f_ptraced_child(void) { start_root(r_ptraced_child); }

static void r_sigtrap_pending(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGTRAP);
	if (sigprocmask(SIG_BLOCK, &m, NULL))
		DIE("sigprocmask");
	if (raise(SIGTRAP))
		DIE("raise");
}
static void f_sigtrap_pending(void) { start_root(r_sigtrap_pending); }

static int vfork_child(void *a)
{
	(void)a;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
	return 0;
}
static void r_vfork_parent(void)
{
	void *stk = clone_stack(256 * 1024);
	report_ready(NULL);           /* nothing may be written after the vfork */
	clone(vfork_child, stk, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	_exit(1);                     /* only reached if the child died */
}
static void f_vfork_parent(void)
{
	start_root(r_vfork_parent);
	wait_proc_state(root_pid, 'D', 1);
}

static void r_clone_vm(void) { clone_child(CLONE_VM, NULL); }
static void f_clone_vm(void) { start_root(r_clone_vm); }

static void r_clone_fs(void) { clone_child(CLONE_FS, NULL); }
static void f_clone_fs(void) { start_root(r_clone_fs); }

static void r_zombie_leader_threads(void)
{
	pthread_t t;
	int e = pthread_create(&t, NULL, thread_hang, NULL);
	if (e) {
		errno = e;
		DIE("pthread_create");
	}
	report_ready(NULL);
	pthread_exit(NULL);
}
static void f_zombie_leader_threads(void)
{
	start_root(r_zombie_leader_threads);
	wait_proc_state(root_pid, 'Z', 0);
}

static void r_seccomp(void)
{
	struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
	struct sock_fprog prog = { .len = 1, .filter = f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		DIE("PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		SKIP("seccomp(SECCOMP_SET_MODE_FILTER)");
}
static void f_seccomp(void) { start_root(r_seccomp); }

/* RLIMIT_NOFILE at the lowest free fd (stdio is 0-2; the report pipe closes after READY): criu's parasite cannot get
 * an fd in the task (compel infect.c memfd_create -> EMFILE). nofile-short leaves one fd free (criu 4.2 still fails),
 * nofile-room four (it succeeds). */
static void set_nofile_soft(rlim_t soft)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		DIE("getrlimit");
	rl.rlim_cur = soft;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		DIE("setrlimit");
}
static void r_nofile_full(void) { set_nofile_soft(3); }
static void f_nofile_full(void) { start_root(r_nofile_full); }
static void r_nofile_short(void) { set_nofile_soft(4); }
static void f_nofile_short(void) { start_root(r_nofile_short); }
static void r_nofile_room(void) { set_nofile_soft(7); }
static void f_nofile_room(void) { start_root(r_nofile_room); }

/* ------------------------------------------------------------------------------------------ */
/* files                                                                                       */

static void r_file_rw(void)
{
	int fd = make_file("data", 100);
	lseek(fd, 10, SEEK_SET);
}
static void f_file_rw(void) { start_root(r_file_rw); }

/* a live file whose name really ends in " (deleted)": /proc shows the same text as for an unlinked one */
static void r_file_named_deleted(void) { make_file("held (deleted)", 100); }
static void f_file_named_deleted(void) { start_root(r_file_named_deleted); }

static void r_file_deleted_small(void)
{
	make_file("small", 4096);
	if (unlink("small"))
		DIE("unlink");
}
static void f_file_deleted_small(void) { start_root(r_file_deleted_small); }

static void r_file_deleted_large(void)
{
	int fd = make_file("large", 2 << 20);
	if (fdatasync(fd))
		DIE("fdatasync");
	if (unlink("large"))
		DIE("unlink");
}
static void f_file_deleted_large(void) { start_root(r_file_deleted_large); }

static void r_file_deleted_sparse(void)
{
	int fd = open("sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, 100 << 20))
		DIE("create sparse");
	if (unlink("sparse"))
		DIE("unlink");
}
static void f_file_deleted_sparse(void) { start_root(r_file_deleted_sparse); }

static void r_file_linked_renamed(void)
{
	make_file("orig", 100);
	if (link("orig", "link"))
		DIE("link");
	if (unlink("orig"))
		DIE("unlink");
}
static void f_file_linked_renamed(void) { start_root(r_file_linked_renamed); }

/* a mapping of a file whose mapped name was unlinked while another hard link keeps it */
static void r_mmap_linked_renamed(void)
{
	int fd = make_file("orig", 65536);
	if (mmap(NULL, 65536, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		DIE("mmap");
	close(fd);
	if (link("orig", "link") || unlink("orig"))
		DIE("link/unlink");
}
static void f_mmap_linked_renamed(void) { start_root(r_mmap_linked_renamed); }

/* the root itself exits after READY and the launcher does not reap it */
static void r_zombie_root(void)
{
	report_ready(NULL);
	_exit(0);
}
static void f_zombie_root(void) { start_root(r_zombie_root); }

static void r_file_path_replaced(void)
{
	make_file("a", 100);
	close(make_file("a.new", 200));
	if (rename("a.new", "a"))
		DIE("rename");
}
static void f_file_path_replaced(void) { start_root(r_file_path_replaced); }

static void r_dir_fd(void)
{
	if (mkdir("dir", 0755))
		DIE("mkdir");
	if (open("dir", O_RDONLY | O_DIRECTORY) < 0)
		DIE("open dir");
}
static void f_dir_fd(void) { start_root(r_dir_fd); }

static void r_opath_file(void)
{
	close(make_file("data", 100));
	if (open("data", O_PATH) < 0)
		DIE("open O_PATH");
}
static void f_opath_file(void) { start_root(r_opath_file); }

static void r_opath_fifo(void)
{
	if (mkfifo("fifo", 0644))
		DIE("mkfifo");
	if (open("fifo", O_PATH) < 0)
		DIE("open O_PATH");
}
static void f_opath_fifo(void) { start_root(r_opath_fifo); }

static void r_opath_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "sock" };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (void *)&sa, sizeof(sa)))
		DIE("bind unix socket");
	if (open("sock", O_PATH) < 0)
		DIE("open O_PATH");
	close(s);
}
static void f_opath_socket(void) { start_root(r_opath_socket); }

static void r_fifo(void)
{
	if (mkfifo("fifo", 0644))
		DIE("mkfifo");
	if (open("fifo", O_RDWR) < 0)
		DIE("open fifo");
}
static void f_fifo(void) { start_root(r_fifo); }

static void r_pipe(void)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	write_all(p[1], "0123456789", 10);
}
static void f_pipe(void) { start_root(r_pipe); }

/* criu keeps at most 1024 distinct pipes with readable ends (pipes.c:416) */
static void r_pipes_1025(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2200) {
		rl.rlim_cur = rl.rlim_max < 2200 ? rl.rlim_max : 2200;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	for (int i = 0; i < 1025; i++) {
		int p[2];
		if (pipe(p))
			SKIP("pipe #%d (RLIMIT_NOFILE)", i);
		close(p[1]);
	}
}
static void f_pipes_1025(void) { start_root(r_pipes_1025); }

static void r_pipe_packet(void)
{
	int p[2];
	if (pipe2(p, O_DIRECT))
		DIE("pipe2(O_DIRECT)");
}
static void f_pipe_packet(void) { start_root(r_pipe_packet); }

static void f_pipe_external(void)
{
	int p[2];
	if (pipe(p))
		DIE("pipe");
	root_keep(p[0]);
	start_root(r_sleep);
	close(p[0]);
	write_all(p[1], "hello", 5);
}

static void r_memfd(void)
{
	char buf[4096];
	memset(buf, 'm', sizeof(buf));
	int fd = memfd_create("subject", 0);
	if (fd < 0)
		DIE("memfd_create");
	write_all(fd, buf, sizeof(buf));
}
static void f_memfd(void) { start_root(r_memfd); }

static void r_eventfd(void)
{
	if (eventfd(5, 0) < 0)
		DIE("eventfd");
}
static void f_eventfd(void) { start_root(r_eventfd); }

static void r_signalfd(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &m, NULL))
		DIE("sigprocmask");
	if (signalfd(-1, &m, 0) < 0)
		DIE("signalfd");
}
static void f_signalfd(void) { start_root(r_signalfd); }

static void r_timerfd(void)
{
	struct itimerspec its = { .it_value = { 1000, 0 }, .it_interval = { 1000, 0 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL))
		DIE("timerfd");
}
static void f_timerfd(void) { start_root(r_timerfd); }

static void r_inotify(void)
{
	int fd = inotify_init1(0);
	if (fd < 0 || inotify_add_watch(fd, ".", IN_CREATE | IN_DELETE) < 0)
		DIE("inotify");
}
static void f_inotify(void) { start_root(r_inotify); }

static void r_inotify_deleted_tmpfs(void)
{
	char path[128];
	struct stat st;
	if (stat("/dev/shm", &st) || !S_ISDIR(st.st_mode))
		SKIP("/dev/shm");
	snprintf(path, sizeof(path), "/dev/shm/subject-%d", (int)getpid());
	register_cleanup("path %s", path);
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		SKIP("create %s", path);
	write_all(fd, "tmpfs\n", 6);
	int in = inotify_init1(0);
	if (in < 0 || inotify_add_watch(in, path, IN_MODIFY | IN_CLOSE_WRITE) < 0)
		DIE("inotify");
	if (unlink(path))
		DIE("unlink");
}
static void f_inotify_deleted_tmpfs(void) { start_root(r_inotify_deleted_tmpfs); }

static void r_fanotify(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
	if (fd < 0 && (errno == EPERM || errno == ENOSYS || errno == EINVAL))
		SKIP("fanotify_init");
	if (fd < 0)
		DIE("fanotify_init");
	if (fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD, "."))
		DIE("fanotify_mark");
}
static void f_fanotify(void) { need_root(); start_root(r_fanotify); }

/* a FAN_MARK_FILESYSTEM mark: criu drops it without a word */
static void r_fanotify_fs(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF, O_RDONLY);
	if (fd < 0)
		SKIP("fanotify_init");
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN, AT_FDCWD, "."))
		SKIP("fanotify_mark(FAN_MARK_FILESYSTEM)");
}
static void f_fanotify_fs(void) { need_root(); start_root(r_fanotify_fs); }

static void r_epoll(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 };
	int efd = eventfd(0, 0), ep = epoll_create1(0);
	if (efd < 0 || ep < 0)
		DIE("eventfd/epoll_create1");
	if (epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev))
		DIE("epoll_ctl");
}
static void f_epoll(void) { start_root(r_epoll); }

static int esc_pipe[2] = { -1, -1 }, esc_ep = -1;
static void c_epoll_escaped(void) { close(esc_ep); }   /* the child keeps both pipe ends */
static void r_epoll_escaped(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 7 };
	if (pipe(esc_pipe))
		DIE("pipe");
	if ((esc_ep = epoll_create1(0)) < 0)
		DIE("epoll_create1");
	if (epoll_ctl(esc_ep, EPOLL_CTL_ADD, esc_pipe[0], &ev))
		DIE("epoll_ctl");
	spawn(c_epoll_escaped);
	close(esc_pipe[0]);
	close(esc_pipe[1]);
}
static void f_epoll_escaped(void) { start_root(r_epoll_escaped); }

static void io_uring_build(int close_fd)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	int fd = (int)syscall(__NR_io_uring_setup, 8, &p);
	if (fd < 0)
		SKIP("io_uring_setup");
	size_t sq = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sq = cq = sq > cq ? sq : cq;
	if (mmap(NULL, sq, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING) == MAP_FAILED)
		DIE("mmap SQ ring");
	if (!(p.features & IORING_FEAT_SINGLE_MMAP) &&
	    mmap(NULL, cq, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING) == MAP_FAILED)
		DIE("mmap CQ ring");
	if (mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, IORING_OFF_SQES) == MAP_FAILED)
		DIE("mmap SQEs");
	if (close_fd)
		close(fd);
}
static void r_io_uring(void) { io_uring_build(0); }
static void f_io_uring(void) { start_root(r_io_uring); }
static void r_io_uring_map_only(void) { io_uring_build(1); }
static void f_io_uring_map_only(void) { start_root(r_io_uring_map_only); }

static void r_perf_event(void)
{
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_DUMMY;
	a.disabled = 1;
	if (syscall(__NR_perf_event_open, &a, 0, -1, -1, 0) < 0) {
		if (errno == EACCES || errno == EPERM || errno == ENOSYS || errno == ENOENT || errno == EOPNOTSUPP)
			SKIP("perf_event_open");
		DIE("perf_event_open");
	}
}
static void f_perf_event(void) { start_root(r_perf_event); }

static void r_userfaultfd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(__NR_userfaultfd, O_CLOEXEC);
	if (fd < 0) {
		if (errno == EPERM || errno == ENOSYS)
			SKIP("userfaultfd");
		DIE("userfaultfd");
	}
	if (ioctl(fd, UFFDIO_API, &api))
		DIE("UFFDIO_API");
	void *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register reg = { .range = { (unsigned long)p, 4 * 4096 }, .mode = UFFDIO_REGISTER_MODE_MISSING };
	if (p == MAP_FAILED || ioctl(fd, UFFDIO_REGISTER, &reg))
		DIE("UFFDIO_REGISTER");
}
static void f_userfaultfd(void) { start_root(r_userfaultfd); }

static void r_bpf_map(void)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = 4;
	a.value_size = 8;
	a.max_entries = 4;
	strcpy(a.map_name, "subject");
	if (syscall(__NR_bpf, BPF_MAP_CREATE, &a, sizeof(a)) < 0)
		SKIP("BPF_MAP_CREATE");
}
static void f_bpf_map(void) { need_root(); start_root(r_bpf_map); }

static void pidfd_of(pid_t pid)
{
	if (syscall(SYS_pidfd_open, pid, 0) < 0) {
		if (errno == ENOSYS)
			SKIP("pidfd_open");
		DIE("pidfd_open(%d)", (int)pid);
	}
}
static void r_pidfd_child(void) { pidfd_of(spawn(NULL)); }
static void f_pidfd_child(void) { start_root(r_pidfd_child); }
static void r_pidfd_outside(void) { pidfd_of(launcher_pid); }
static void f_pidfd_outside(void) { start_root(r_pidfd_outside); }

static pid_t ns_helper = -1;
static void h_new_netns(void)
{
	if (unshare(CLONE_NEWNET))
		SKIP("unshare(CLONE_NEWNET)");
}
static void r_nsfs_foreign(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns_helper);
	if (open(path, O_RDONLY) < 0)
		DIE("open %s", path);
}
static void f_nsfs_foreign(void)
{
	need_root();
	ns_helper = start_helper(h_new_netns);
	start_root(r_nsfs_foreign);
}

static void r_nsfs_own(void)
{
	if (open("/proc/self/ns/net", O_RDONLY) < 0)
		DIE("open /proc/self/ns/net");
}
static void f_nsfs_own(void) { start_root(r_nsfs_own); }

/* ------------------------------------------------------------------------------------------ */
/* devices                                                                                     */

static void open_dev(const char *path, int flags, int skip_on_failure)
{
	if (open(path, flags | O_NOCTTY) >= 0)
		return;
	if (skip_on_failure)
		SKIP("open %s", path);
	DIE("open %s", path);
}
static void r_dev_null(void) { open_dev("/dev/null", O_RDWR, 0); }
static void f_dev_null(void) { start_root(r_dev_null); }
static void r_dev_zero(void) { open_dev("/dev/zero", O_RDONLY, 0); }
static void f_dev_zero(void) { start_root(r_dev_zero); }
static void r_dev_urandom(void) { open_dev("/dev/urandom", O_RDONLY, 0); }
static void f_dev_urandom(void) { start_root(r_dev_urandom); }
static void r_dev_fuse(void) { open_dev("/dev/fuse", O_RDWR, 1); }
static void f_dev_fuse(void) { start_root(r_dev_fuse); }
static void r_dev_tty0(void) { open_dev("/dev/tty0", O_RDWR, 1); }
static void f_dev_tty0(void) { start_root(r_dev_tty0); }
static void r_dev_net_tun(void) { open_dev("/dev/net/tun", O_RDWR, 1); }
static void f_dev_net_tun(void) { start_root(r_dev_net_tun); }
static void r_dev_block(void)
{
	const char *c[] = { "/dev/vda", "/dev/sda", "/dev/nvme0n1", "/dev/xvda", "/dev/loop0" };
	struct stat st;
	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!stat(c[i], &st) && S_ISBLK(st.st_mode) && open(c[i], O_RDONLY) >= 0)
			return;
	SKIPX("no block device could be opened (tried /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda /dev/loop0)");
}
static void f_dev_block(void) { start_root(r_dev_block); }

/* ------------------------------------------------------------------------------------------ */
/* locks                                                                                       */

static void r_flock(void)
{
	int fd = make_file("locked", 10);
	if (flock(fd, LOCK_EX))
		DIE("flock");
}
static void f_flock(void) { start_root(r_flock); }

static void r_posix_lock(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	int fd = make_file("locked", 10);
	if (fcntl(fd, F_SETLK, &fl))
		DIE("F_SETLK");
}
static void f_posix_lock(void) { start_root(r_posix_lock); }

static void r_ofd_lock(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	int fd = make_file("locked", 10);
	if (fcntl(fd, F_OFD_SETLK, &fl))
		DIE("F_OFD_SETLK");
}
static void f_ofd_lock(void) { start_root(r_ofd_lock); }

static void r_lease(void)
{
	close(make_file("leased", 10));
	int fd = open("leased", O_RDONLY);
	if (fd < 0)
		DIE("open leased");
	if (fcntl(fd, F_SETLEASE, F_RDLCK)) {
		if (errno == EINVAL || errno == ENOSYS)
			SKIP("F_SETLEASE");
		DIE("F_SETLEASE");
	}
}
static void f_lease(void) { start_root(r_lease); }

/* ------------------------------------------------------------------------------------------ */
/* memory                                                                                      */

static void r_mmap_shared_anon(void)
{
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		DIE("mmap");
	touch_pages(p, 1 << 20, 1);
}
static void f_mmap_shared_anon(void) { start_root(r_mmap_shared_anon); }

static void r_mmap_file_shared(void)
{
	int fd = make_file("mapped", 65536);
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		DIE("mmap");
	touch_pages(p, 65536, 1);
	close(fd);
}
static void f_mmap_file_shared(void) { start_root(r_mmap_file_shared); }

static void mmap_deleted(size_t size)
{
	int fd = make_file("mapped", size);
	if (fdatasync(fd))
		DIE("fdatasync");
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		DIE("mmap");
	touch_pages(p, size, 0);
	if (unlink("mapped"))
		DIE("unlink");
	close(fd);
}
static void r_mmap_deleted_small(void) { mmap_deleted(64 << 10); }
static void f_mmap_deleted_small(void) { start_root(r_mmap_deleted_small); }
static void r_mmap_deleted_large(void) { mmap_deleted(2 << 20); }
static void f_mmap_deleted_large(void) { start_root(r_mmap_deleted_large); }

/* a 2 MiB file named "big (deleted)", mapped, and not deleted at all */
static void r_mmap_named_deleted(void)
{
	size_t size = 2 << 20;
	int fd = make_file("big (deleted)", size);
	char *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		DIE("mmap");
	close(fd);
}
static void f_mmap_named_deleted(void) { start_root(r_mmap_named_deleted); }

static void r_aio_ring(void)
{
	aio_context_t ctx = 0;
	if (syscall(__NR_io_setup, 16, &ctx)) {
		if (errno == ENOSYS || errno == EAGAIN)
			SKIP("io_setup");
		DIE("io_setup");
	}
}
static void f_aio_ring(void) { start_root(r_aio_ring); }

static void r_sysv_shm(void)
{
	int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600);
	if (id < 0)
		DIE("shmget");
	register_cleanup("shm %d", id);
	char *p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		DIE("shmat");
	if (shmctl(id, IPC_RMID, NULL))     /* goes away with the last detach */
		DIE("IPC_RMID");
	touch_pages(p, 65536, 1);
}
static void f_sysv_shm(void) { start_root(r_sysv_shm); }

static void r_sysv_sem(void)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	if (id < 0)
		DIE("semget");
	register_cleanup("sem %d", id);
	if (semctl(id, 0, SETVAL, 3))
		DIE("semctl SETVAL");
}
static void f_sysv_sem(void) { start_root(r_sysv_sem); }

static void r_sysv_msg(void)
{
	struct { long t; char d[8]; } m = { 1, "hello" };
	int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (id < 0)
		DIE("msgget");
	register_cleanup("msg %d", id);
	if (msgsnd(id, &m, 6, 0))
		DIE("msgsnd");
}
static void f_sysv_msg(void) { start_root(r_sysv_msg); }

/* ------------------------------------------------------------------------------------------ */
/* sockets                                                                                     */

static struct sockaddr_in tcp_sa;
static int tcp_listener(void)       /* listening on 127.0.0.1:<ephemeral>, address in tcp_sa */
{
	socklen_t l = sizeof(tcp_sa);
	tcp_sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (void *)&tcp_sa, sizeof(tcp_sa)) || listen(fd, 8) ||
	    getsockname(fd, (void *)&tcp_sa, &l))
		DIE("TCP listen on 127.0.0.1");
	return fd;
}
static int tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&tcp_sa, sizeof(tcp_sa)))
		DIE("TCP connect to 127.0.0.1:%d", ntohs(tcp_sa.sin_port));
	return fd;
}
static void wait_tcp_state(int fd, int state)
{
	for (int i = 0; i < 5000; i++) {
		struct tcp_info ti;
		socklen_t l = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l))
			DIE("TCP_INFO");
		if (ti.tcpi_state == state)
			return;
		usleep(1000);
	}
	DIEX("TCP socket never reached state %d", state);
}
/* wait until /proc/net/tcp has 127.0.0.1:lport <-> 127.0.0.1:rport in state st */
static void wait_proc_net_tcp(int lport, int rport, int st)
{
	char want[64], line[512];
	snprintf(want, sizeof(want), "0100007F:%04X 0100007F:%04X %02X", lport, rport, st);
	for (int i = 0; i < 5000; i++) {
		FILE *f = fopen("/proc/net/tcp", "r");
		if (!f)
			DIE("/proc/net/tcp");
		int found = 0;
		while (!found && fgets(line, sizeof(line), f))
			found = strstr(line, want) != NULL;
		fclose(f);
		if (found)
			return;
		usleep(1000);
	}
	DIEX("no '%s' line in /proc/net/tcp", want);
}

static void r_tcp_listen(void) { tcp_listener(); }
static void f_tcp_listen(void) { start_root(r_tcp_listen); }

/* sockets made in the host network namespace, then the root moves to a new one: they stay in the old one */
static void r_tcp_listen_otherns(void)
{
	tcp_listener();
	if (unshare(CLONE_NEWNET))
		SKIP("unshare(CLONE_NEWNET)");
}
static void f_tcp_listen_otherns(void) { need_root(); start_root(r_tcp_listen_otherns); }

static void r_tcp_listen_pending(void)
{
	char port[16];
	tcp_listener();
	snprintf(port, sizeof(port), "%d", ntohs(tcp_sa.sin_port));
	report_ready(port);
}
static void f_tcp_listen_pending(void)
{
	char port[64];
	struct sockaddr_in me;
	socklen_t l = sizeof(me);
	start_root_payload(r_tcp_listen_pending, port, sizeof(port));
	tcp_sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				       .sin_port = htons((uint16_t)atoi(port)) };
	int c = tcp_connect();
	if (getsockname(c, (void *)&me, &l))
		DIE("getsockname");
	wait_proc_net_tcp(ntohs(tcp_sa.sin_port), ntohs(me.sin_port), TCP_ESTABLISHED);
}

static void r_tcp6_listen(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int one = 1;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		SKIP("socket(AF_INET6)");
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (void *)&sa, sizeof(sa)))
		SKIP("bind [::1]");
	if (listen(fd, 8))
		DIE("listen");
}
static void f_tcp6_listen(void) { start_root(r_tcp6_listen); }

static void r_tcp_connect_established(void) { wait_tcp_state(tcp_connect(), TCP_ESTABLISHED); }
static void f_tcp_established_external(void)
{
	int l = tcp_listener();
	start_root(r_tcp_connect_established);
	if (accept(l, NULL, NULL) < 0)
		DIE("accept");
	close(l);
}

static int inside_listener = -1;
static void c_tcp_inside(void)
{
	close(inside_listener);
	wait_tcp_state(tcp_connect(), TCP_ESTABLISHED);
}
/* The root accepts the connection of a child that runs connect_child. */
static void tcp_inside(void (*connect_child)(void))
{
	inside_listener = tcp_listener();
	spawn(connect_child);
	if (accept(inside_listener, NULL, NULL) < 0)
		DIE("accept");
	close(inside_listener);
}
static void r_tcp_established_inside(void) { tcp_inside(c_tcp_inside); }
static void f_tcp_established_inside(void) { start_root(r_tcp_established_inside); }

/* The child connects from a dual-stack AF_INET6 socket (as .NET does by default) to the root's AF_INET
 * listener: its ends show ::ffff:127.0.0.1, the root's accepted end 127.0.0.1. */
static void c_tcp_mapped_inside(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = tcp_sa.sin_port };
	int zero = 0;
	close(inside_listener);
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		SKIP("socket(AF_INET6)");
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (inet_pton(AF_INET6, "::ffff:127.0.0.1", &sa.sin6_addr) != 1 || connect(fd, (void *)&sa, sizeof(sa)))
		DIE("connect [::ffff:127.0.0.1]");
	wait_tcp_state(fd, TCP_ESTABLISHED);
}
static void r_tcp_mapped_inside(void) { tcp_inside(c_tcp_mapped_inside); }
static void f_tcp_mapped_inside(void) { start_root(r_tcp_mapped_inside); }

static void f_tcp_close_wait(void)
{
	int l = tcp_listener();
	start_root(r_tcp_connect_established);
	int c = accept(l, NULL, NULL);
	if (c < 0)
		DIE("accept");
	close(l);
	if (shutdown(c, SHUT_WR))
		DIE("shutdown");
	wait_tcp_state(c, TCP_FIN_WAIT2);      /* our FIN was ACKed: the root is in CLOSE_WAIT */
}

static void r_tcp_closed_after_peer(void)
{
	int fd = tcp_connect();
	wait_tcp_state(fd, TCP_ESTABLISHED);
	if (shutdown(fd, SHUT_WR))
		DIE("shutdown");
	wait_tcp_state(fd, TCP_FIN_WAIT2);
}
static void f_tcp_closed_after_peer(void)
{
	int l = tcp_listener();
	start_root(r_tcp_closed_after_peer);
	int c = accept(l, NULL, NULL);
	if (c < 0)
		DIE("accept");
	close(l);
	if (shutdown(c, SHUT_WR))
		DIE("shutdown");
	wait_tcp_state(c, TCP_CLOSE);   /* the root ACKed our FIN: its socket went to TIME_WAIT/CLOSE */
}

static void r_udp_bound(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)))
		DIE("UDP bind");
}
static void f_udp_bound(void) { start_root(r_udp_bound); }

/* a datagram waits unread in a bound UDP socket: criu drops it (sk-inet.c:161) */
static void r_udp_queued(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)) || getsockname(fd, (void *)&sa, &l))
		DIE("UDP bind");
	if (sendto(fd, "ping", 4, 0, (void *)&sa, sizeof(sa)) != 4)
		DIE("sendto");
}
static void f_udp_queued(void) { start_root(r_udp_queued); }

static void r_udp_otherns(void)
{
	r_udp_bound();
	if (unshare(CLONE_NEWNET))
		SKIP("unshare(CLONE_NEWNET)");
}
static void f_udp_otherns(void) { need_root(); start_root(r_udp_otherns); }

static int udp_connected(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (void *)&sa, sizeof(sa)))
		DIE("UDP connect");
	return fd;
}
static void r_udp_connected(void) { udp_connected(); }
static void f_udp_connected(void) { start_root(r_udp_connected); }

static void r_udp_corked(void)
{
	int one = 1, fd = udp_connected();
	if (setsockopt(fd, IPPROTO_UDP, UDP_CORK, &one, sizeof(one)))
		DIE("UDP_CORK");
	if (send(fd, "corked", 6, 0) != 6)
		DIE("send");
}
static void f_udp_corked(void) { start_root(r_udp_corked); }

static int usv[2] = { -1, -1 };
static void c_keep_usv1(void) { close(usv[0]); }
static void r_unix_socketpair_inside(void)
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, usv))
		DIE("socketpair");
	spawn(c_keep_usv1);
	close(usv[1]);
}
static void f_unix_socketpair_inside(void) { start_root(r_unix_socketpair_inside); }

static struct sockaddr_un unix_sa;
static void set_unix_path(const char *name)
{
	unix_sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (snprintf(unix_sa.sun_path, sizeof(unix_sa.sun_path), "%s/%s", tmpdir, name) >= (int)sizeof(unix_sa.sun_path))
		SKIPX("unix socket path %s/%s is too long", tmpdir, name);
}
static void r_unix_connect(int type)
{
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0 || connect(fd, (void *)&unix_sa, sizeof(unix_sa)))
		DIE("connect %s", unix_sa.sun_path);
}
static void r_unix_stream_connect(void) { r_unix_connect(SOCK_STREAM); }
static void r_unix_dgram_connect(void) { r_unix_connect(SOCK_DGRAM); }
static int unix_bind(int type, int do_listen)
{
	int fd = socket(AF_UNIX, type, 0);
	if (fd < 0 || bind(fd, (void *)&unix_sa, sizeof(unix_sa)) || (do_listen && listen(fd, 4)))
		DIE("bind %s", unix_sa.sun_path);
	return fd;
}

static void f_unix_stream_external(void)
{
	set_unix_path("srv.sock");
	int l = unix_bind(SOCK_STREAM, 1);
	start_root(r_unix_stream_connect);
	if (accept(l, NULL, NULL) < 0)
		DIE("accept");
}

static void split_socketpair(int type)
{
	int sv[2];
	if (socketpair(AF_UNIX, type, 0, sv))
		DIE("socketpair");
	root_keep(sv[1]);
	start_root(r_sleep);
	close(sv[1]);
}
static void f_unix_socketpair_external(void) { split_socketpair(SOCK_STREAM); }
static void f_unix_dgram_nameless_external(void) { split_socketpair(SOCK_DGRAM); }

static void f_unix_dgram_named_external(void)
{
	set_unix_path("dgram.sock");
	unix_bind(SOCK_DGRAM, 0);
	start_root(r_unix_dgram_connect);
}

static void r_unix_listen_path(void) { unix_bind(SOCK_STREAM, 1); }
static void f_unix_listen_path(void)
{
	set_unix_path("listen.sock");
	start_root(r_unix_listen_path);
}

static void r_unix_listen_abstract(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "subject-listen-%d", (int)getpid());
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (void *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) ||
	    listen(fd, 4))
		DIE("listen on an abstract address");
}
static void f_unix_listen_abstract(void) { start_root(r_unix_listen_abstract); }

/* a connection from the launcher waits in the root's accept queue, and its client is already closed */
static void f_unix_listen_closed_pending(void)
{
	set_unix_path("closed.sock");
	start_root(r_unix_listen_path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&unix_sa, sizeof(unix_sa)))
		DIE("connect %s", unix_sa.sun_path);
	close(fd);
}

/* the root connects to the launcher's listener, which never accepts, and writes at once */
static void r_unix_pending_client_wrote(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&unix_sa, sizeof(unix_sa)))
		DIE("connect %s", unix_sa.sun_path);
	write_all(fd, "early", 5);
}
static void f_unix_pending_client_wrote(void)
{
	set_unix_path("noaccept.sock");
	unix_bind(SOCK_STREAM, 1);
	start_root(r_unix_pending_client_wrote);
}

static void f_unix_listen_pending(void)
{
	set_unix_path("pending.sock");
	start_root(r_unix_listen_path);
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (void *)&unix_sa, sizeof(unix_sa)))
		DIE("connect %s", unix_sa.sun_path);
}

static void r_unix_scm_rights(void)
{
	int sv[2];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	memset(cbuf, 0, sizeof(cbuf));
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		DIE("socketpair");
	int f = make_file("passed", 100);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &f, sizeof(int));
	if (sendmsg(sv[0], &mh, 0) != 1)
		DIE("sendmsg SCM_RIGHTS");
	close(f);     /* the file now lives only in the socket's queue */
}
static void f_unix_scm_rights(void) { start_root(r_unix_scm_rights); }

static void r_unix_passcred_queue(void)
{
	int sv[2], one = 1;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		DIE("socketpair");
	if (setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)))
		DIE("SO_PASSCRED");
	if (send(sv[0], "cred", 4, 0) != 4)
		DIE("send");
}
static void f_unix_passcred_queue(void) { start_root(r_unix_passcred_queue); }

static int netlink_route(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0 || bind(fd, (void *)&sa, sizeof(sa)))
		DIE("NETLINK_ROUTE socket");
	return fd;
}
static void r_netlink_route(void) { netlink_route(); }
static void f_netlink_route(void) { start_root(r_netlink_route); }

static void r_netlink_unread(void)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifm;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.ifm.ifi_family = AF_UNSPEC;
	int fd = netlink_route();
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		DIE("send RTM_GETLINK");
}
static void f_netlink_unread(void) { start_root(r_netlink_unread); }

static void r_netlink_group33(void)
{
	int g = 33, fd = netlink_route();
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)))
		DIE("NETLINK_ADD_MEMBERSHIP 33");
}
static void f_netlink_group33(void) { start_root(r_netlink_group33); }

/* joined a group without ever binding: port id 0 (sk-netlink.c:138) */
static void r_netlink_group_unbound(void)
{
	int g = 1, fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	if (fd < 0 || setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)))
		DIE("NETLINK_ADD_MEMBERSHIP 1");
}
static void f_netlink_group_unbound(void) { start_root(r_netlink_group_unbound); }

/* neither bound nor connected: netlink_diag does not list it; criu dumps it as "unconnected and unbound"
 * with its protocol from SO_PROTOCOL (sk-netlink.c:144-160) */
static void r_netlink_unbound(void)
{
	if (socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) < 0)
		DIE("NETLINK_ROUTE socket");
}
static void f_netlink_unbound(void) { start_root(r_netlink_unbound); }

/* one unbound socket of every netlink protocol this kernel lets us create (0..MAX_LINKS-1) */
static void r_netlink_unbound_all(void)
{
	for (int proto = 0; proto < 32; proto++)
		socket(AF_NETLINK, SOCK_RAW, proto); /* EPROTONOSUPPORT for unregistered protocols */
}
static void f_netlink_unbound_all(void) { need_root(); start_root(r_netlink_unbound_all); }

/* the unbound socket was made in the host netns (criu's), then the root unshared its own: criu, dumping the
 * root's netns, asks the socket's netns (SIOCGSKNS) and finds it among the namespaces it knows, its own
 * included (net.c:3694-3722) */
static void r_netlink_unbound_otherns(void)
{
	r_netlink_unbound();
	if (unshare(CLONE_NEWNET))
		SKIP("unshare(CLONE_NEWNET)");
}
static void f_netlink_unbound_otherns(void) { need_root(); start_root(r_netlink_unbound_otherns); }

/* the root enters the network namespace of PID, runs FN there and comes back */
static void in_netns_of(pid_t pid, void (*fn)(void))
{
	char path[64];
	int self = open("/proc/self/ns/net", O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	int ns = open(path, O_RDONLY);
	if (self < 0 || ns < 0)
		DIE("open %s", path);
	if (setns(ns, CLONE_NEWNET))
		DIE("setns %s", path);
	fn();
	if (setns(self, CLONE_NEWNET))
		DIE("setns back");
	close(self);
	close(ns);
}

/* the unbound socket was made in a helper's netns, outside the tree and not criu's: criu looks its netns up
 * only when it dumps the root's own netns (sk-netlink.c:147), and then refuses it (net.c:3718) */
static void h_new_netns(void);
static void r_netlink_unbound_foreignns(void) { in_netns_of(ns_helper, r_netlink_unbound); }
static void f_netlink_unbound_foreignns(void)
{
	need_root();
	ns_helper = start_helper(h_new_netns);
	start_root(r_netlink_unbound_foreignns);
}
static void r_netlink_unbound_foreignns_ownns(void)
{
	r_netlink_unbound_foreignns();
	if (unshare(CLONE_NEWNET))
		SKIP("unshare(CLONE_NEWNET)");
}
static void f_netlink_unbound_foreignns_ownns(void)
{
	need_root();
	ns_helper = start_helper(h_new_netns);
	start_root(r_netlink_unbound_foreignns_ownns);
}

static void c_unshare_net(void);

/* a connected unix socketpair made in another network namespace than the root's */
static void unix_pair(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		DIE("socketpair");
}
static void unix_pair_in_netns_of(pid_t pid) { in_netns_of(pid, unix_pair); }
/* a TCP listener the root made in its child's network namespace (found in that namespace's tables) */
static void tcp_listen_here(void) { tcp_listener(); }
static void r_tcp_listen_childns(void) { in_netns_of(spawn(c_unshare_net), tcp_listen_here); }
static void f_tcp_listen_childns(void) { need_root(); start_root(r_tcp_listen_childns); }
/* the netns is the root's child's, so a namespace of the tree: criu finds the sockets there (sockets.c:429-453) */
static void r_unix_childns(void) { unix_pair_in_netns_of(spawn(c_unshare_net)); }
static void f_unix_childns(void) { need_root(); start_root(r_unix_childns); }
/* the netns is a helper's outside the tree: criu collects no socket of it */
static void r_unix_foreignns(void) { unix_pair_in_netns_of(ns_helper); }
static void f_unix_foreignns(void)
{
	need_root();
	ns_helper = start_helper(h_new_netns);
	start_root(r_unix_foreignns);
}

static void r_packet(void)
{
	if (socket(AF_PACKET, SOCK_RAW, 0) < 0)
		SKIP("socket(AF_PACKET, SOCK_RAW)");
}
static void f_packet(void) { need_root(); start_root(r_packet); }

/* the same multicast membership added twice: pdmc_count 2 (sk-packet.c:71) */
static void r_packet_mc_twice(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		SKIP("socket(AF_PACKET, SOCK_RAW)");
	struct packet_mreq mr = { .mr_ifindex = 1, .mr_type = PACKET_MR_PROMISC };
	for (int i = 0; i < 2; i++)
		if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
			SKIP("PACKET_ADD_MEMBERSHIP");
}
static void f_packet_mc_twice(void) { need_root(); start_root(r_packet_mc_twice); }

static void r_raw(void)
{
	if (socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0)
		SKIP("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
}
static void f_raw(void) { need_root(); start_root(r_raw); }

static void r_mptcp(void)
{
	if (socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP) < 0) {
		if (errno == EPROTONOSUPPORT || errno == EINVAL || errno == ENOPROTOOPT)
			SKIP("socket(AF_INET, SOCK_STREAM, IPPROTO_MPTCP)");
		DIE("socket(IPPROTO_MPTCP)");
	}
}
static void f_mptcp(void) { start_root(r_mptcp); }

static void r_vsock(void)
{
	if (socket(AF_VSOCK, SOCK_STREAM, 0) < 0) {
		if (errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT || errno == ENODEV)
			SKIP("socket(AF_VSOCK)");
		DIE("socket(AF_VSOCK)");
	}
}
static void f_vsock(void) { start_root(r_vsock); }

static void r_af_alg(void)
{
	struct sockaddr_alg sa = { .salg_family = AF_ALG, .salg_type = "hash", .salg_name = "sha256" };
	int fd = socket(AF_ALG, SOCK_SEQPACKET, 0);
	if (fd < 0)
		SKIP("socket(AF_ALG)");
	if (bind(fd, (void *)&sa, sizeof(sa)))
		SKIP("bind AF_ALG hash/sha256");
}
static void f_af_alg(void) { start_root(r_af_alg); }

/* ------------------------------------------------------------------------------------------ */
/* ttys                                                                                        */

static int open_master(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		SKIP("posix_openpt");
	if (grantpt(m) || unlockpt(m))
		DIE("grantpt/unlockpt");
	return m;
}
static int open_slave(int m, int flags)
{
	char *name = ptsname(m);
	int s = name ? open(name, O_RDWR | flags) : -1;
	if (s < 0)
		DIE("open pty slave");
	return s;
}

static void r_pty_pair(void) { open_slave(open_master(), O_NOCTTY); }
static void f_pty_pair(void) { start_root(r_pty_pair); }

/* the master closed everywhere: devpts removes /dev/pts/N, the slave is hung up */
static void r_pty_slave_hungup(void)
{
	int m = open_master();
	open_slave(m, O_NOCTTY);
	close(m);
}
static void f_pty_slave_hungup(void) { start_root(r_pty_slave_hungup); }

static char slave_path[128];
static void r_open_slave_path(void)
{
	if (open(slave_path, O_RDWR | O_NOCTTY) < 0)
		DIE("open %s", slave_path);
}
static void f_pty_slave_external(void)
{
	int m = open_master();
	snprintf(slave_path, sizeof(slave_path), "%s", ptsname(m));
	start_root(r_open_slave_path);
}

static char slave_path2[128];
static void r_open_two_slave_paths(void)
{
	r_open_slave_path();
	if (open(slave_path2, O_RDWR | O_NOCTTY) < 0)
		DIE("open %s", slave_path2);
}
static void f_pty_two_slaves_external(void)
{
	int m1 = open_master(), m2 = open_master();
	snprintf(slave_path, sizeof(slave_path), "%s", ptsname(m1));
	snprintf(slave_path2, sizeof(slave_path2), "%s", ptsname(m2));
	start_root(r_open_two_slave_paths);
}

static int job_slave = -1;
static void r_shell_job(void)
{
	for (int i = 0; i < 3; i++)
		if (dup2(job_slave, i) != i)
			DIE("dup2");
	close(job_slave);
}
static void f_shell_job(void)
{
	/* we (the "shell") are a session leader without a tty: the slave becomes our ctty */
	int m = open_master();
	job_slave = open_slave(m, 0);
	if (ioctl(job_slave, TIOCSCTTY, 0))
		DIE("TIOCSCTTY");
	root_keep(job_slave);
	root_setsid = 0;
	root_setpgid = 1;
	pid_t pid = start_root(r_shell_job);
	setpgid(pid, pid);
	if (tcsetpgrp(job_slave, pid))
		DIE("tcsetpgrp");
}

static void r_setsid_ctty(void)
{
	int m = open_master();
	int s = open_slave(m, 0);
	if (ioctl(s, TIOCSCTTY, 0))
		DIE("TIOCSCTTY");
}
static void f_setsid_ctty(void) { start_root(r_setsid_ctty); }

static void r_dev_tty_no_pty(void)
{
	signal(SIGHUP, SIG_IGN);     /* closing the master hangs the slave up */
	int m = open_master();
	int s = open_slave(m, 0);
	if (ioctl(s, TIOCSCTTY, 0))
		DIE("TIOCSCTTY");
	if (open("/dev/tty", O_RDWR) < 0)
		DIE("open /dev/tty");
	close(s);
	close(m);
}
static void f_dev_tty_no_pty(void) { start_root(r_dev_tty_no_pty); }

/* a helper outside the tree that becomes a session leader with pty `path` as its controlling tty, held as stdin */
static char ctty_path[PATH_MAX + 32];
static void h_ctty_session(void)
{
	if (setsid() < 0)
		DIE("setsid");
	int s = open(ctty_path, O_RDWR);
	if (s < 0)
		DIE("open %s", ctty_path);
	if (ioctl(s, TIOCSCTTY, 0))
		DIE("TIOCSCTTY");
	if (dup2(s, 0) != 0)
		DIE("dup2");
	close(s);
}

/* the root keeps a master the launcher opened and opens its slave (a pty-pair whose index the launcher knows) */
static int kept_master = -1;
static void r_kept_master_pair(void) { open_slave(kept_master, O_NOCTTY); }
static int pty_index(int m)
{
	int n;
	if (ioctl(m, TIOCGPTN, &n))
		DIE("TIOCGPTN");
	return n;
}

/* the root holds a pty master; its slave is the controlling tty of a session led outside (TTY2 on the master) */
static void r_keep_master(void) {}
static void f_pty_master_ctty_outside(void)
{
	kept_master = open_master();
	snprintf(ctty_path, sizeof(ctty_path), "%s", ptsname(kept_master));
	root_keep(kept_master);
	start_root(r_keep_master);
	close(kept_master);
	start_helper(h_ctty_session);
}

/* a devpts instance of its own (newinstance, in the helper's private mount namespace), whose pts N, the number
 * of the tree's host pty, becomes the helper's controlling tty: the same rdev 136:N on another instance */
static void unshare_or_skip(int flags, const char *what);
static char twin_dir[PATH_MAX + 16];
static int twin_index;
static void h_devpts_twin_ctty(void)
{
	char ptmx[PATH_MAX + 32];
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	if (mount("devpts", twin_dir, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620"))
		SKIP("mount devpts newinstance on %s", twin_dir);
	snprintf(ptmx, sizeof(ptmx), "%s/ptmx", twin_dir);
	int n = -1, unlock = 0;
	while (n < twin_index) {     /* every instance starts at 0: allocate up to the host pty's number */
		int m = open(ptmx, O_RDWR | O_NOCTTY);
		if (m < 0)
			DIE("open %s", ptmx);
		if (ioctl(m, TIOCSPTLCK, &unlock))
			DIE("TIOCSPTLCK");
		n = pty_index(m);
	}
	if (n != twin_index)
		DIEX("devpts instance gave pts %d, wanted %d", n, twin_index);
	snprintf(ctty_path, sizeof(ctty_path), "%s/%d", twin_dir, n);
	h_ctty_session();
}
static void f_pty_pair_devpts_twin(void)
{
	need_root();
	snprintf(twin_dir, sizeof(twin_dir), "%s/devpts", tmpdir);
	if (mkdir(twin_dir, 0755))
		DIE("mkdir %s", twin_dir);
	kept_master = open_master();
	twin_index = pty_index(kept_master);
	root_keep(kept_master);
	start_root(r_kept_master_pair);
	close(kept_master);
	start_helper(h_devpts_twin_ctty);
}

/* ------------------------------------------------------------------------------------------ */
/* namespaces                                                                                  */

static void unshare_or_skip(int flags, const char *what)
{
	if (unshare(flags)) {
		if (errno == EPERM || errno == EINVAL || errno == ENOSPC || errno == EUSERS || errno == ENOSYS)
			SKIP("unshare(%s)", what);
		DIE("unshare(%s)", what);
	}
}

static void r_ns_uts(void)
{
	unshare_or_skip(CLONE_NEWUTS, "CLONE_NEWUTS");
	if (sethostname("subject", 7))
		DIE("sethostname");
}
static void f_ns_uts(void) { need_root(); start_root(r_ns_uts); }

static void r_ns_ipc(void) { unshare_or_skip(CLONE_NEWIPC, "CLONE_NEWIPC"); }
static void f_ns_ipc(void) { need_root(); start_root(r_ns_ipc); }

static void r_ns_cgroup(void) { unshare_or_skip(CLONE_NEWCGROUP, "CLONE_NEWCGROUP"); }
static void f_ns_cgroup(void) { need_root(); start_root(r_ns_cgroup); }

static void r_ns_net(void) { unshare_or_skip(CLONE_NEWNET, "CLONE_NEWNET"); }
static void f_ns_net(void) { need_root(); start_root(r_ns_net); }

static void r_ns_mnt(void)
{
	if (mkdir("mnt", 0755))
		DIE("mkdir mnt");
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	if (mount("subject", "mnt", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs");
}
static void f_ns_mnt(void) { need_root(); start_root(r_ns_mnt); }

/* a tmpfs "peer" mounted in the launcher's (criu's) mount namespace and made shared, then the root unshares
 * its mount namespace: its copy of "peer" is in the same peer group (shared:N), whose other member is
 * outside the dumped namespaces. SLAVE: the root then makes its copy a slave (master:N), whose master criu
 * cannot reach (mount.c:1092, "unreachable sharing"); otherwise its copy stays shared:N, which criu accepts. */
static void mnt_peer_then_unshare(int slave)
{
	char peer[PATH_MAX];
	if (mkdir("peer", 0755))
		DIE("mkdir peer");
	if (!realpath("peer", peer))
		DIE("realpath peer");
	if (mount("subject", "peer", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs on peer");
	register_cleanup("umount %s", peer);
	if (mount(NULL, "peer", NULL, MS_SHARED, NULL))
		DIE("make peer shared");
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (slave && mount(NULL, "peer", NULL, MS_SLAVE, NULL))
		DIE("make peer a slave");
}
static void r_mnt_slave_unreachable(void) { mnt_peer_then_unshare(1); }
static void f_mnt_slave_unreachable(void) { need_root(); start_root(r_mnt_slave_unreachable); }
static void r_mnt_shared_peer(void) { mnt_peer_then_unshare(0); }
static void f_mnt_shared_peer(void) { need_root(); start_root(r_mnt_shared_peer); }

/* in its own private mount namespace the root bind-mounts sub and sub/deeper of a tmpfs, then unmounts the
 * tmpfs: neither bind has its file system's root mounted (mount.c:753), and deeper is bind-mountable from
 * sub (mount.c:572-591 mnt_is_external_bind, once sub is declared external) */
static void r_mnt_bind_of_bind(void)
{
	if (mkdir("fs", 0755) || mkdir("sub", 0755) || mkdir("deeper", 0755))
		DIE("mkdir");
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	if (mount("subject", "fs", "tmpfs", 0, "size=1m") || mkdir("fs/sub", 0755) || mkdir("fs/sub/deeper", 0755))
		DIE("tmpfs on fs");
	if (mount("fs/sub", "sub", NULL, MS_BIND, NULL) || mount("fs/sub/deeper", "deeper", NULL, MS_BIND, NULL))
		DIE("bind");
	if (umount2("fs", MNT_DETACH))
		DIE("umount fs");
}
static void f_mnt_bind_of_bind(void) { need_root(); start_root(r_mnt_bind_of_bind); }

static void f_ns_pid(void)
{
	need_root();
	unshare_or_skip(CLONE_NEWPID, "CLONE_NEWPID");
	start_root(r_sleep);
}

/* ns-pid-not-init: the launcher forks an init (pid 1 of a new pid ns) that forks the root */
static void f_ns_pid_not_init(void)
{
	int p[2];
	need_root();
	unshare_or_skip(CLONE_NEWPID, "CLONE_NEWPID");
	if (pipe(p))
		DIE("pipe");
	pid_t parent = getpid();
	fflush(NULL);
	pid_t init = fork();
	if (init < 0)
		DIE("fork");
	if (init == 0) {
		close(p[0]);
		become_tree_process(p[1], parent);
		redirect_stdio();
		close_other_fds();
		pid_t init_pid = getpid();
		pid_t pid = fork();
		if (pid < 0)
			DIE("fork");
		if (pid == 0) {
			become_tree_process(report_fd, init_pid);
			if (setsid() < 0)
				DIE("setsid");
			if (chdir(tmpdir))
				DIE("chdir");
			report_ready(NULL);
			hang();
		}
		close(report_fd);
		report_fd = -1;
		for (;;)
			if (wait(NULL) < 0 && errno == ECHILD)
				pause();
	}
	track(init);
	close(p[1]);
	await_report(p[0], init, "root", NULL, 0);
	for (int i = 0; i < 5000 && (root_pid = proc_first_child(init)) <= 0; i++)
		usleep(1000);
	if (root_pid <= 0)
		DIEX("cannot find the root under init %d", (int)init);
	track(root_pid);
}

static void write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		DIE("write %s", path);
	close(fd);
}
static void r_ns_user(void) { unshare_or_skip(CLONE_NEWUSER, "CLONE_NEWUSER"); }
static void f_ns_user(void)
{
	char map[64];
	need_root();
	start_root(r_ns_user);
	snprintf(map, sizeof(map), "0 %d 1", (int)getuid());
	write_proc(root_pid, "uid_map", map);
	snprintf(map, sizeof(map), "0 %d 1", (int)getgid());
	write_proc(root_pid, "gid_map", map);
}
static void f_ns_user_unmapped(void) { need_root(); start_root(r_ns_user); }

/* the root itself called unshare(CLONE_NEWTIME): its time_for_children differs from its time (namespaces.c:739) */
static void r_ns_time_children(void) { unshare_or_skip(CLONE_NEWTIME, "CLONE_NEWTIME"); }
static void f_ns_time_children(void) { need_root(); start_root(r_ns_time_children); }

static void f_ns_time(void)
{
	need_root();
	unshare_or_skip(CLONE_NEWTIME, "CLONE_NEWTIME");
	/* make the difference visible: the children's monotonic clock runs one day ahead */
	int fd = open("/proc/self/timens_offsets", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "monotonic 86400 0", 17) < 0) { /* offsets are optional */ }
		close(fd);
	}
	start_root(r_sleep);
}

static void c_unshare_uts(void)
{
	unshare_or_skip(CLONE_NEWUTS, "CLONE_NEWUTS");
	if (sethostname("subject-child", 13))
		DIE("sethostname");
}
static void r_nested_uts_child(void) { spawn(c_unshare_uts); }
static void f_nested_uts_child(void) { need_root(); start_root(r_nested_uts_child); }

static void r_nested_pid_child(void) { clone_child(CLONE_NEWPID, NULL); }
static void f_nested_pid_child(void) { need_root(); start_root(r_nested_pid_child); }

static void c_unshare_net(void) { unshare_or_skip(CLONE_NEWNET, "CLONE_NEWNET"); }
static void r_nested_net_child(void) { spawn(c_unshare_net); }
static void f_nested_net_child(void) { need_root(); start_root(r_nested_net_child); }

/* ------------------------------------------------------------------------------------------ */
/* trees spanning mount namespaces, chroot, hugetlbfs, dead /proc entries, overmounted nodes    */

#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#define HUGE_REGION (2UL << 20)   /* one 2 MiB page (x86_64 and arm64 4K-page default); larger defaults round up */

/* the child enters a new private mount namespace and keeps everything it had: exe, libs, stdio, cwd */
static void c_unshare_mnt(void)
{
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
}
static void r_nested_mnt_child(void) { spawn(c_unshare_mnt); }
static void f_nested_mnt_child(void) { need_root(); start_root(r_nested_mnt_child); }

/* ... and then opens a file on a tmpfs only its namespace has */
static void c_unshare_mnt_file(void)
{
	c_unshare_mnt();
	if (mount("subject", "mnt", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs");
	int fd = open("mnt/f", O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		DIE("create mnt/f");
	write_all(fd, "data", 4);
}
static void r_nested_mnt_child_file(void)
{
	if (mkdir("mnt", 0755))
		DIE("mkdir mnt");
	spawn(c_unshare_mnt_file);
}
static void f_nested_mnt_child_file(void) { need_root(); start_root(r_nested_mnt_child_file); }

/* crossed mount namespaces: the root, in a mount namespace of its own (A), holds a file of a tmpfs only its
 * child's namespace (B) has, opened through /proc/CHILD/cwd (as zdtm's inotify01); the child holds a file of A's
 * tmpfs mnt-a, opened before it unshared and unmounted mnt-a in B (as zdtm's mntns_pivot_root). criu resolves a
 * path from the root of the namespace of the file's mount (files-reg.c:1397 mntns_get_root_fd(mi->nsid)), not
 * from its holder's: both resolve. UNLINKED: each name was unlinked after a second link was made beside it (as
 * zdtm's mntns_link_remap): both need --link-remap, whose link stays on the file's own mount. */
static void c_crossed_mnt(void)
{
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	if (umount2("mnt-a", MNT_DETACH))
		DIE("umount mnt-a");
	if (mount("subject", "mnt-b", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs on mnt-b");
	int fd = open("mnt-b/f", O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		DIE("create mnt-b/f");
	close(fd);
}
static void relink(const char *from, const char *to)
{
	if (link(from, to) || unlink(from))
		DIE("link %s to %s and unlink it", from, to);
}
static void crossed_mnt(int unlinked)
{
	char held[PATH_MAX], moved[PATH_MAX];
	if (mkdir("mnt-a", 0755) || mkdir("mnt-b", 0755))
		DIE("mkdir");
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	if (mount("subject", "mnt-a", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs on mnt-a");
	int inherited = open("mnt-a/f", O_RDWR | O_CREAT, 0644);
	if (inherited < 0)
		DIE("create mnt-a/f");
	pid_t child = spawn(c_crossed_mnt);
	close(inherited);
	snprintf(held, sizeof(held), "/proc/%d/cwd/mnt-b/f", (int)child);
	if (open(held, O_RDWR) < 0)
		DIE("open %s", held);
	if (unlinked) {
		relink("mnt-a/f", "mnt-a/g");
		snprintf(moved, sizeof(moved), "/proc/%d/cwd/mnt-b/g", (int)child);
		relink(held, moved);
	}
}
static void r_mnt_ns_crossed(void) { crossed_mnt(0); }
static void f_mnt_ns_crossed(void) { need_root(); start_root(r_mnt_ns_crossed); }
static void r_mnt_ns_crossed_unlinked(void) { crossed_mnt(1); }
static void f_mnt_ns_crossed_unlinked(void) { need_root(); start_root(r_mnt_ns_crossed_unlinked); }

/* chroot into a directory of the temp dir: /proc/PID/mountinfo lists nothing, /proc/PID/root is the jail */
static void enter_jail(void)
{
	if (mkdir("jail", 0755))
		DIE("mkdir jail");
	if (chroot("jail"))
		DIE("chroot jail");
	if (chdir("/"))
		DIE("chdir /");
}
static void f_chroot(void) { need_root(); start_root(enter_jail); }

static void r_ns_mnt_chroot(void)
{
	unshare_or_skip(CLONE_NEWNS, "CLONE_NEWNS");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		DIE("make / rprivate");
	enter_jail();
}
static void f_ns_mnt_chroot(void) { need_root(); start_root(r_ns_mnt_chroot); }

static void *map_huge(int flags, int fd)
{
	void *p = mmap(NULL, HUGE_REGION, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		if (errno == ENOMEM || errno == EINVAL)
			SKIP("no free huge page (/proc/sys/vm/nr_hugepages)");
		DIE("mmap hugetlb");
	}
	touch_pages(p, HUGE_REGION, 1);
	return p;
}

static void r_hugetlb_anon(void)
{
	map_huge(MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB, -1);
	map_huge(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1);
}
static void f_hugetlb_anon(void) { start_root(r_hugetlb_anon); }

static void r_hugetlb_memfd(void)
{
	int fd = memfd_create("subject-huge", MFD_HUGETLB);
	if (fd < 0) {
		if (errno == EINVAL || errno == ENOSYS)
			SKIP("memfd_create(MFD_HUGETLB)");
		DIE("memfd_create(MFD_HUGETLB)");
	}
	if (ftruncate(fd, (off_t)HUGE_REGION))
		DIE("ftruncate hugetlb memfd");
	map_huge(MAP_SHARED, fd);
}
static void f_hugetlb_memfd(void) { start_root(r_hugetlb_memfd); }

static void r_hugetlb_sysv(void)
{
	int id = shmget(IPC_PRIVATE, HUGE_REGION, IPC_CREAT | SHM_HUGETLB | 0600);
	if (id < 0) {
		if (errno == ENOMEM || errno == EINVAL || errno == EPERM)
			SKIP("shmget(SHM_HUGETLB)");
		DIE("shmget(SHM_HUGETLB)");
	}
	register_cleanup("shm %d", id);
	char *p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		DIE("shmat");
	if (shmctl(id, IPC_RMID, NULL))
		DIE("IPC_RMID");
	touch_pages(p, HUGE_REGION, 1);
}
static void f_hugetlb_sysv(void) { start_root(r_hugetlb_sysv); }

/* fds on /proc/CHILD (a directory) and /proc/CHILD/status of a child that has exited and been reaped */
static void r_proc_dead_pid(void)
{
	char path[64];
	pid_t child = fork();
	if (child < 0)
		DIE("fork");
	if (child == 0) {
		hang();
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)child);
	if (open(path, O_RDONLY | O_DIRECTORY) < 0)
		DIE("open %s", path);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)child);
	if (open(path, O_RDONLY) < 0)
		DIE("open %s", path);
	kill(child, SIGKILL);
	if (waitpid(child, NULL, 0) != child)
		DIE("waitpid");
}
static void f_proc_dead_pid(void) { start_root(r_proc_dead_pid); }

/* the same on a live process of the tree (the root itself) */
static void r_proc_live_pid(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)getpid());
	if (open(path, O_RDONLY) < 0)
		DIE("open %s", path);
}
static void f_proc_live_pid(void) { start_root(r_proc_live_pid); }

/* a node in cover/ held open, then a tmpfs mounted on cover/ (in the host mount namespace) */
static void overmount_cover(void)
{
	char path[PATH_MAX + 8];
	if (mount("subject", "cover", "tmpfs", 0, "size=1m"))
		DIE("mount tmpfs on cover");
	snprintf(path, sizeof(path), "%s/cover", tmpdir);
	register_cleanup("umount %s", path);
}
static void r_dev_overmounted(void)
{
	if (mkdir("cover", 0755))
		DIE("mkdir cover");
	if (mknod("cover/null", S_IFCHR | 0666, makedev(1, 3)))
		DIE("mknod cover/null");
	if (open("cover/null", O_RDWR) < 0)
		DIE("open cover/null");
	overmount_cover();
}
static void f_dev_overmounted(void) { need_root(); start_root(r_dev_overmounted); }

static void r_fifo_overmounted(void)
{
	if (mkdir("cover", 0755))
		DIE("mkdir cover");
	if (mkfifo("cover/fifo", 0644))
		DIE("mkfifo cover/fifo");
	if (open("cover/fifo", O_RDWR) < 0)
		DIE("open cover/fifo");
	overmount_cover();
}
static void f_fifo_overmounted(void) { need_root(); start_root(r_fifo_overmounted); }

static void r_file_overmounted(void)
{
	if (mkdir("cover", 0755))
		DIE("mkdir cover");
	int fd = open("cover/f", O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		DIE("create cover/f");
	write_all(fd, "data", 4);
	overmount_cover();
}
static void f_file_overmounted(void) { need_root(); start_root(r_file_overmounted); }

/* toggle: the launcher passes each stdin line to the root, which flips one state per command:
 * 't' a TCP connection to the launcher's listener (outside the tree), 'l' a flock on a file it keeps
 * open (the fd count does not change), 'c' a child (forked / killed and reaped). watch and wait tests. */
static int command_fd = -1;         /* in the launcher: where stdin lines go (-1: nowhere) */
static int toggle_rfd;
static void r_toggle(void)
{
	int tcp = -1, locked = 0;
	pid_t child = 0;
	int lock_fd = open("locked", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		DIE("open locked");
	report_ready(NULL);
	char c;
	ssize_t n;
	while ((n = read(toggle_rfd, &c, 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (c == 't' && tcp < 0) {
			tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (tcp < 0 || connect(tcp, (void *)&tcp_sa, sizeof(tcp_sa)))
				_exit(1);
		} else if (c == 't') {
			close(tcp);
			tcp = -1;
		} else if (c == 'l') {
			if (flock(lock_fd, locked ? LOCK_UN : LOCK_EX))
				_exit(1);
			locked = !locked;
		} else if (c == 'c' && child == 0) {
			child = fork();
			if (child < 0)
				_exit(1);
			if (child == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				hang();
			}
		} else if (c == 'c') {
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			child = 0;
		}
	}
	hang();
}
static void f_toggle(void)
{
	int p[2];
	int listener = socket(AF_INET, SOCK_STREAM, 0);
	socklen_t l = sizeof(tcp_sa);
	tcp_sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (listener < 0 || bind(listener, (void *)&tcp_sa, sizeof(tcp_sa)) || listen(listener, 128) ||
	    getsockname(listener, (void *)&tcp_sa, &l))
		DIE("TCP listen on 127.0.0.1");
	if (pipe2(p, O_CLOEXEC))
		DIE("pipe");
	toggle_rfd = p[0];
	root_keep(p[0]);
	start_root(r_toggle);
	close(p[0]);
	command_fd = p[1];
}

/* ------------------------------------------------------------------------------------------ */
/* the table                                                                                   */

#define L_SETSID 1      /* the launcher must be a session leader */

static const struct factory {
	const char *name;
	void (*run)(void);
	int flags;
	const char *desc;
} factories[] = {
	/* process / task */
	{ "sleep", f_sleep, 0, "plain root, single thread, sleeping" },
	{ "threads", f_threads, 0, "root with 4 extra threads" },
	{ "tree", f_tree, 0, "root with 2 children and 1 grandchild" },
	{ "uid-nobody", f_uid_nobody, 0, "root dropped to uid 65534 (setresuid), gid 0" },
	{ "gid-nobody", f_gid_nobody, 0, "root changed only its gid to 65534 (setresgid), uid 0" },
	{ "child-uid-nobody", f_child_uid_nobody, 0, "root (uid 0) with one child dropped to uid 65534" },
	{ "thread-uid-nobody", f_thread_uid_nobody, 0, "root (uid 0) with one extra thread whose uid alone is 65534 (raw SYS_setresuid)" },
	{ "zombie-child", f_zombie_child, 0, "root with one exited, unreaped child" },
	{ "stopped-child", f_stopped_child, 0, "root's child stopped with SIGSTOP" },
	{ "not-session-leader", f_not_session_leader, L_SETSID, "root in the launcher's session, own process group" },
	{ "ptraced-child", f_ptraced_child, 0, "root's child PTRACE_SEIZEd by the root (running)" },
	{ "sigtrap-pending", f_sigtrap_pending, 0, "root blocked SIGTRAP and raised it: SigPnd 0x10" },
	{ "vfork-parent", f_vfork_parent, 0, "root in D state waiting for a vfork child that sleeps without exec" },
	{ "clone-vm", f_clone_vm, 0, "root's child cloned with CLONE_VM (not CLONE_THREAD), own stack" },
	{ "clone-fs", f_clone_fs, 0, "root's child cloned with CLONE_FS|SIGCHLD" },
	{ "zombie-leader-threads", f_zombie_leader_threads, 0, "root's main thread called pthread_exit, another thread lives" },
	{ "seccomp", f_seccomp, 0, "root in seccomp filter mode (allow-all filter)" },
	{ "nofile-full", f_nofile_full, 0, "root's soft RLIMIT_NOFILE is 3 with fds 0-2 open: no fd is free below it" },
	{ "nofile-short", f_nofile_short, 0, "root's soft RLIMIT_NOFILE is 4 with fds 0-2 open: one fd is free" },
	{ "nofile-room", f_nofile_room, 0, "root's soft RLIMIT_NOFILE is 7 with fds 0-2 open: four fds are free" },
	/* files */
	{ "file-rw", f_file_rw, 0, "regular file in the temp dir open O_RDWR (100 bytes, offset 10)" },
	{ "file-deleted-small", f_file_deleted_small, 0, "unlinked regular file with 4 KiB of data, fd open" },
	{ "file-deleted-large", f_file_deleted_large, 0, "unlinked regular file with 2 MiB of data (fdatasync'd), fd open" },
	{ "file-deleted-sparse", f_file_deleted_sparse, 0, "unlinked file ftruncated to 100 MiB with no data, fd open" },
	{ "file-linked-renamed", f_file_linked_renamed, 0, "file hard-linked, original name unlinked: nlink 1, fd path ends in (deleted)" },
	{ "file-path-replaced", f_file_path_replaced, 0, "file open, then another file renamed over its path" },
	{ "dir-fd", f_dir_fd, 0, "directory open O_RDONLY|O_DIRECTORY" },
	{ "opath-file", f_opath_file, 0, "regular file open O_PATH" },
	{ "opath-fifo", f_opath_fifo, 0, "FIFO open O_PATH" },
	{ "opath-socket", f_opath_socket, 0, "unix socket file open O_PATH (the socket itself closed)" },
	{ "fifo", f_fifo, 0, "FIFO open O_RDWR, empty" },
	{ "pipe", f_pipe, 0, "pipe with both ends in the root and 10 bytes in it" },
	{ "pipe-packet", f_pipe_packet, 0, "pipe2(O_DIRECT), both ends in the root" },
	{ "pipe-external", f_pipe_external, 0, "root holds a pipe's read end, the launcher its write end (5 bytes queued)" },
	{ "memfd", f_memfd, 0, "memfd with 4 KiB of data" },
	{ "eventfd", f_eventfd, 0, "eventfd with count 5" },
	{ "signalfd", f_signalfd, 0, "signalfd for SIGUSR1 (blocked)" },
	{ "timerfd", f_timerfd, 0, "timerfd (CLOCK_MONOTONIC) armed for 1000 s" },
	{ "inotify", f_inotify, 0, "inotify watching the temp dir" },
	{ "inotify-deleted-tmpfs", f_inotify_deleted_tmpfs, 0, "inotify watch on an unlinked /dev/shm file that is still open" },
	{ "fanotify", f_fanotify, 0, "fanotify group with a FAN_MARK_ADD mark on the temp dir (root)" },
	{ "epoll", f_epoll, 0, "epoll watching an eventfd that stays open" },
	{ "epoll-escaped", f_epoll_escaped, 0, "epoll watching a pipe end that only the root's child still has open" },
	{ "io-uring", f_io_uring, 0, "io_uring instance, fd open and rings mmapped" },
	{ "io-uring-map-only", f_io_uring_map_only, 0, "io_uring rings mmapped, fd closed" },
	{ "perf-event", f_perf_event, 0, "perf_event_open of PERF_COUNT_SW_DUMMY on the root itself" },
	{ "userfaultfd", f_userfaultfd, 0, "userfaultfd with a registered 16 KiB range" },
	{ "bpf-map", f_bpf_map, 0, "BPF array map fd (root)" },
	{ "pidfd-child", f_pidfd_child, 0, "pidfd of the root's own child" },
	{ "pidfd-outside", f_pidfd_outside, 0, "pidfd of the launcher (outside the tree)" },
	{ "nsfs-foreign", f_nsfs_foreign, 0, "fd on the net ns of a helper outside the tree (root)" },
	{ "nsfs-own", f_nsfs_own, 0, "fd on /proc/self/ns/net (the tree's own net ns)" },
	/* devices */
	{ "dev-null", f_dev_null, 0, "/dev/null open O_RDWR" },
	{ "dev-zero", f_dev_zero, 0, "/dev/zero open O_RDONLY" },
	{ "dev-urandom", f_dev_urandom, 0, "/dev/urandom open O_RDONLY" },
	{ "dev-fuse", f_dev_fuse, 0, "/dev/fuse open O_RDWR, nothing mounted" },
	{ "dev-tty0", f_dev_tty0, 0, "/dev/tty0 open O_RDWR|O_NOCTTY" },
	{ "dev-net-tun", f_dev_net_tun, 0, "/dev/net/tun open O_RDWR, no TUNSETIFF" },
	{ "dev-block", f_dev_block, 0, "first openable of /dev/vda /dev/sda /dev/nvme0n1 /dev/xvda /dev/loop0, O_RDONLY" },
	/* locks */
	{ "flock", f_flock, 0, "flock(LOCK_EX) on a temp file" },
	{ "posix-lock", f_posix_lock, 0, "fcntl(F_SETLK) write lock on a whole temp file" },
	{ "ofd-lock", f_ofd_lock, 0, "fcntl(F_OFD_SETLK) write lock on a whole temp file" },
	{ "lease", f_lease, 0, "F_SETLEASE F_RDLCK on a file the root owns, open O_RDONLY" },
	/* memory */
	{ "mmap-shared-anon", f_mmap_shared_anon, 0, "MAP_SHARED|MAP_ANONYMOUS 1 MiB, touched" },
	{ "mmap-file-shared", f_mmap_file_shared, 0, "MAP_SHARED of a 64 KiB regular file, written, fd closed" },
	{ "mmap-deleted-small", f_mmap_deleted_small, 0, "MAP_PRIVATE of a 64 KiB file, read, then unlinked and fd closed" },
	{ "mmap-deleted-large", f_mmap_deleted_large, 0, "MAP_PRIVATE of a 2 MiB file, read, then unlinked and fd closed" },
	{ "aio-ring", f_aio_ring, 0, "AIO context from io_setup(16)" },
	{ "sysv-shm", f_sysv_shm, 0, "SysV shm segment attached (64 KiB, IPC_RMID after attach)" },
	{ "sysv-sem", f_sysv_sem, 0, "SysV semaphore set created by the root (value 3)" },
	{ "sysv-msg", f_sysv_msg, 0, "SysV message queue created by the root, one message queued" },
	/* sockets */
	{ "file-named-deleted", f_file_named_deleted, 0, "a live file literally named \"held (deleted)\", open O_RDWR" },
	{ "mmap-named-deleted", f_mmap_named_deleted, 0, "a live 2 MiB file literally named \"big (deleted)\", mapped, fd closed" },
	{ "pipes-1025", f_pipes_1025, 0, "1025 pipes whose read ends the root keeps" },
	{ "netlink-group-unbound", f_netlink_group_unbound, 0, "NETLINK_ROUTE socket that joined group 1 without binding (port id 0)" },
	{ "netlink-unbound", f_netlink_unbound, 0, "NETLINK_ROUTE socket neither bound nor connected (absent from netlink_diag)" },
	{ "netlink-unbound-all", f_netlink_unbound_all, 0, "one unbound netlink socket of every protocol the kernel lets root create (root)" },
	{ "netlink-unbound-otherns", f_netlink_unbound_otherns, 0, "unbound NETLINK_ROUTE socket made in the host netns (criu's), then the root unshares its own netns (root)" },
	{ "netlink-unbound-foreignns", f_netlink_unbound_foreignns, 0, "root holds an unbound NETLINK_ROUTE socket made in a helper's netns outside the tree (root)" },
	{ "netlink-unbound-foreignns-ownns", f_netlink_unbound_foreignns_ownns, 0, "netlink-unbound-foreignns, then the root unshares its own netns (root)" },
	{ "tcp-listen-childns", f_tcp_listen_childns, 0, "root holds a TCP listener made in its child's network namespace (root)" },
	{ "unix-childns", f_unix_childns, 0, "root holds a unix socketpair made in its child's network namespace (root)" },
	{ "unix-foreignns", f_unix_foreignns, 0, "root holds a unix socketpair made in a helper's network namespace outside the tree (root)" },
	{ "packet-mc-twice", f_packet_mc_twice, 0, "packet socket with the same multicast membership added twice (root)" },
	{ "ns-time-children", f_ns_time_children, 0, "root unshared CLONE_NEWTIME itself: time_for_children differs from time (root)" },
	{ "mmap-linked-renamed", f_mmap_linked_renamed, 0, "a mapped file whose mapped name was unlinked while another hard link keeps it" },
	{ "zombie-root", f_zombie_root, 0, "the root exited and nobody reaped it" },
	{ "unix-listen-closed-pending", f_unix_listen_closed_pending, 0, "root listens; the launcher connected and closed before accept" },
	{ "unix-pending-client-wrote", f_unix_pending_client_wrote, 0, "root connected to the launcher's listener (never accepted) and wrote" },
	{ "udp-queued", f_udp_queued, 0, "bound UDP socket with one unread datagram" },
	{ "fanotify-fs", f_fanotify_fs, 0, "fanotify FAN_MARK_FILESYSTEM mark on the temp dir's file system (root)" },
	{ "tcp-listen", f_tcp_listen, 0, "TCP listener on 127.0.0.1:<ephemeral>" },
	{ "tcp-listen-otherns", f_tcp_listen_otherns, 0, "TCP listener made in the host netns, then the root unshares its own netns" },
	{ "tcp-listen-pending", f_tcp_listen_pending, 0, "TCP listener with one connection from the launcher never accepted" },
	{ "tcp6-listen", f_tcp6_listen, 0, "TCP listener on [::1] (IPV6_V6ONLY)" },
	{ "tcp-established-external", f_tcp_established_external, 0, "TCP connection from the root to a launcher listener" },
	{ "tcp-established-inside", f_tcp_established_inside, 0, "TCP connection between the root (accepted) and its child" },
	{ "tcp-mapped-inside", f_tcp_mapped_inside, 0, "as tcp-established-inside, the child on a dual-stack IPv6 socket (::ffff:127.0.0.1)" },
	{ "tcp-close-wait", f_tcp_close_wait, 0, "root's TCP socket in CLOSE_WAIT (the launcher sent FIN)" },
	{ "tcp-closed-after-peer", f_tcp_closed_after_peer, 0, "root's TCP socket in CLOSE after both FINs (its TIME_WAIT lives apart)" },
	{ "udp-bound", f_udp_bound, 0, "UDP socket bound to 127.0.0.1:<ephemeral>" },
	{ "udp-otherns", f_udp_otherns, 0, "bound UDP socket made in the host netns, then the root unshares its own netns" },
	{ "udp-connected", f_udp_connected, 0, "UDP socket connected to 127.0.0.1:9" },
	{ "udp-corked", f_udp_corked, 0, "connected UDP socket with UDP_CORK and 6 bytes in the write queue" },
	{ "unix-socketpair-inside", f_unix_socketpair_inside, 0, "stream socketpair, one end in the root, the other in its child" },
	{ "unix-stream-external", f_unix_stream_external, 0, "root connected to a path listener the launcher holds" },
	{ "unix-socketpair-external", f_unix_socketpair_external, 0, "stream socketpair split between the launcher and the root" },
	{ "unix-dgram-named-external", f_unix_dgram_named_external, 0, "root's dgram socket connected to a launcher's path socket" },
	{ "unix-dgram-nameless-external", f_unix_dgram_nameless_external, 0, "dgram socketpair split between the launcher and the root" },
	{ "unix-listen-path", f_unix_listen_path, 0, "unix stream listener on a path" },
	{ "unix-listen-abstract", f_unix_listen_abstract, 0, "unix stream listener on an abstract address" },
	{ "unix-listen-pending", f_unix_listen_pending, 0, "unix path listener with one connection from the launcher never accepted" },
	{ "unix-scm-rights", f_unix_scm_rights, 0, "a regular file's fd queued in SCM_RIGHTS on a socketpair the root holds, then closed" },
	{ "unix-passcred-queue", f_unix_passcred_queue, 0, "dgram socketpair, SO_PASSCRED on the receiver, one message unread" },
	{ "netlink-route", f_netlink_route, 0, "NETLINK_ROUTE socket bound, nothing queued" },
	{ "netlink-unread", f_netlink_unread, 0, "NETLINK_ROUTE socket with an unread RTM_GETLINK dump reply" },
	{ "netlink-group33", f_netlink_group33, 0, "NETLINK_ROUTE socket in multicast group 33 (NETLINK_ADD_MEMBERSHIP)" },
	{ "packet", f_packet, 0, "AF_PACKET SOCK_RAW socket (root)" },
	{ "raw", f_raw, 0, "AF_INET SOCK_RAW IPPROTO_ICMP socket (root)" },
	{ "mptcp", f_mptcp, 0, "MPTCP socket (IPPROTO_MPTCP), unbound" },
	{ "vsock", f_vsock, 0, "AF_VSOCK stream socket, unbound" },
	{ "af-alg", f_af_alg, 0, "AF_ALG socket bound to hash/sha256" },
	/* ttys */
	{ "pty-pair", f_pty_pair, 0, "pty master and slave both open in the root, no ctty" },
	{ "pty-slave-hungup", f_pty_slave_hungup, 0, "root holds a pty slave whose master it closed (hung up)" },
	{ "pty-slave-external", f_pty_slave_external, 0, "root holds a pty slave (O_NOCTTY), the launcher the master" },
	{ "pty-two-slaves-external", f_pty_two_slaves_external, 0, "root holds two pty slaves (O_NOCTTY), the launcher both masters" },
	{ "shell-job", f_shell_job, L_SETSID, "root is a foreground job on a pty whose session leader (the launcher) is outside" },
	{ "setsid-ctty", f_setsid_ctty, 0, "root is a session leader with a pty slave as ctty, master also open" },
	{ "dev-tty-no-pty", f_dev_tty_no_pty, 0, "root opened /dev/tty via its pty ctty, then closed slave and master" },
	{ "pty-master-ctty-outside", f_pty_master_ctty_outside, 0, "root holds a pty master whose slave is the controlling tty of a helper's session outside" },
	{ "pty-pair-devpts-twin", f_pty_pair_devpts_twin, 0, "root holds a pty pair (no ctty); a helper outside has the same pts number of its own devpts instance as ctty" },
	/* namespaces */
	{ "ns-uts", f_ns_uts, 0, "root in its own UTS namespace (root)" },
	{ "ns-ipc", f_ns_ipc, 0, "root in its own IPC namespace (root)" },
	{ "ns-cgroup", f_ns_cgroup, 0, "root in its own cgroup namespace (root)" },
	{ "ns-net", f_ns_net, 0, "root in its own network namespace (root)" },
	{ "ns-mnt", f_ns_mnt, 0, "root in its own private mount namespace with a tmpfs mounted (root)" },
	{ "mnt-slave-unreachable", f_mnt_slave_unreachable, 0, "root's own mount namespace has a slave of a peer group of the launcher's namespace (master:N unreachable) (root)" },
	{ "mnt-shared-peer", f_mnt_shared_peer, 0, "root's own mount namespace has a mount shared with the launcher's namespace (shared:N, no master) (root)" },
	{ "mnt-bind-of-bind", f_mnt_bind_of_bind, 0, "root's own mount namespace has binds of tmpfs sub and sub/deeper, the tmpfs itself unmounted (root)" },
	{ "ns-pid", f_ns_pid, 0, "root is pid 1 of a new pid namespace (root)" },
	{ "ns-pid-not-init", f_ns_pid_not_init, 0, "root is pid 2 of a new pid namespace; its init is outside the tree (root)" },
	{ "ns-user", f_ns_user, 0, "root in a new user namespace, uid/gid 0 mapped to the launcher's (root)" },
	{ "ns-user-unmapped", f_ns_user_unmapped, 0, "root in a new user namespace without maps (root)" },
	{ "ns-time", f_ns_time, 0, "root in a new time namespace (monotonic +1 day) (root)" },
	{ "nested-uts-child", f_nested_uts_child, 0, "root in host namespaces, its child in a new UTS namespace (root)" },
	{ "nested-pid-child", f_nested_pid_child, 0, "root's child is pid 1 of a new pid namespace (root)" },
	{ "nested-net-child", f_nested_net_child, 0, "root's child in a new network namespace (root)" },
	{ "nested-mnt-child", f_nested_mnt_child, 0, "root's child in a new private mount namespace, keeping its exe, libraries and stdio (root)" },
	{ "nested-mnt-child-file", f_nested_mnt_child_file, 0, "root's child in a new mount namespace holding a file on a tmpfs only that namespace has (root)" },
	{ "chroot", f_chroot, 0, "root chroot'ed into a directory of the temp dir, in the host mount namespace (root)" },
	{ "mnt-ns-crossed", f_mnt_ns_crossed, 0, "root in its own mount namespace holding a file of its child's namespace; the child holding one of the root's that it unmounted (root)" },
	{ "mnt-ns-crossed-unlinked", f_mnt_ns_crossed_unlinked, 0, "mnt-ns-crossed, each file's name unlinked after a second link beside it (root)" },
	{ "ns-mnt-chroot", f_ns_mnt_chroot, 0, "root in its own mount namespace, chroot'ed into a directory (root)" },
	{ "hugetlb-anon", f_hugetlb_anon, 0, "shared and private anonymous MAP_HUGETLB mappings, one huge page each (needs 2 free huge pages)" },
	{ "hugetlb-memfd", f_hugetlb_memfd, 0, "memfd_create(MFD_HUGETLB) of one huge page, fd open and mapped shared (needs a free huge page)" },
	{ "hugetlb-sysv", f_hugetlb_sysv, 0, "SysV SHM_HUGETLB segment of one huge page attached, IPC_RMID (needs a free huge page)" },
	{ "proc-dead-pid", f_proc_dead_pid, 0, "fds on /proc/CHILD and /proc/CHILD/status of a child that exited and was reaped" },
	{ "proc-live-pid", f_proc_live_pid, 0, "fd on /proc/ROOT/status of the root itself" },
	{ "dev-overmounted", f_dev_overmounted, 0, "device node (1:3, like /dev/null) made in cover/, open, then a tmpfs mounted on cover/ (root)" },
	{ "fifo-overmounted", f_fifo_overmounted, 0, "FIFO made in cover/, open O_RDWR, then a tmpfs mounted on cover/ (root)" },
	{ "file-overmounted", f_file_overmounted, 0, "regular file in cover/, open, then a tmpfs mounted on cover/ (root)" },
	{ "toggle", f_toggle, 0, "root flips a TCP connection (t), a flock (l) or a child (c) on each stdin line's command" },
};

/* ------------------------------------------------------------------------------------------ */
/* main                                                                                        */

static void on_signal(int sig)
{
	(void)sig;
	terminate = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: subject NAME   (build a state, print READY <root_pid>, wait for EOF on stdin)\n"
			"       subject --list\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const struct factory *f = NULL;
	size_t nf = sizeof(factories) / sizeof(factories[0]);

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "--list")) {
		if (argc != 2)
			usage();
		for (size_t i = 0; i < nf; i++)
			printf("%s\t%s\n", factories[i].name, factories[i].desc);
		return 0;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		usage();
	for (size_t i = 0; i < nf && !f; i++)
		if (!strcmp(argv[1], factories[i].name))
			f = &factories[i];
	if (!f) {
		fprintf(stderr, "subject: unknown factory '%s' (see subject --list)\n", argv[1]);
		return 2;
	}
	if (argc > 2) {
		fprintf(stderr, "subject: factory '%s' takes no arguments\n", f->name);
		return 2;
	}

	/* the launcher is the leader of its own process group (and of its session when asked) */
	if (f->flags & L_SETSID) {
		if (getsid(0) != getpid() && setsid() < 0) {
			/* already a process group leader (started from a job-control shell): fork, and let
			 * the parent stand in for us until we are done */
			pid_t child = fork();
			if (child < 0)
				DIE("fork");
			if (child > 0) {
				int st;
				signal(SIGTERM, SIG_IGN);
				signal(SIGINT, SIG_IGN);
				signal(SIGHUP, SIG_IGN);
				while (waitpid(child, &st, 0) < 0 && errno == EINTR)
					;
				return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
			}
			if (setsid() < 0)
				DIE("setsid");
		}
	} else if (getpgrp() != getpid() && setpgid(0, 0)) {
		DIE("setpgid");
	}
	launcher_pid = getpid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1))
		DIE("PR_SET_CHILD_SUBREAPER");

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;      /* no SA_RESTART: a blocking read returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/subject-XXXXXX", t && *t == '/' ? t : "/tmp");
	if (!mkdtemp(tmpdir)) {
		tmpdir[0] = 0;
		DIE("mkdtemp");
	}
	if (chmod(tmpdir, 0755))
		DIE("chmod %s", tmpdir);

	f->run();
	if (root_pid <= 0)
		DIEX("factory %s started no root", f->name);
	settle();

	/* stdin (EOF) or a signal ends it; block the signals outside ppoll so none is missed */
	sigset_t block, orig;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);
	printf("READY %d\n", (int)root_pid);
	fflush(stdout);
	while (!terminate) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		int r = ppoll(&pfd, 1, NULL, &orig);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents & POLLNVAL)
			break;
		char buf[256];
		ssize_t n = read(0, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
		if (n > 0 && command_fd >= 0)     /* the toggle factory: commands for the root */
			write_all(command_fd, buf, (size_t)n);
	}
	launcher_cleanup();
	return 0;
}
