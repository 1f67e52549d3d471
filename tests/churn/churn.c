/*
 * churn: a process-churn load for checkpointable's robustness tests.
 *
 *   churn SECONDS [RATE]    for SECONDS, start RATE processes per second (default 500) and reap them
 *
 * Each process opens a few descriptors (/dev/null, a pipe, a unix socketpair, a TCP socket listening on
 * 127.0.0.1 or a UDP socket), forks one child that inherits them, lives 10-200 ms and exits; its child
 * outlives it by a little, so it is reparented to us (a child subreaper) before being reaped. Scans running
 * beside this see processes, fds and sockets vanish between listing and reading, all the time.
 * At most 2,000 of them are alive at once, and starts missed while starved are dropped, not made up in a burst.
 * Prints "READY" once running, and at the end "churn: N started, M reaped, K fork failures, D starts dropped in S s".
 * Ends early on SIGTERM/SIGINT or EOF on stdin, then kills and reaps everything it started.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Processes (workers and their children) alive at once, at most. */
#define MAX_ALIVE 2000

static volatile sig_atomic_t stop;
static void on_stop(int sig) { (void)sig; stop = 1; }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The short-lived process: a few fds of each kind, one child, then exit. */
static void worker(unsigned seed)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	int p[2], sv[2];
	(void)open("/dev/null", O_RDWR);
	if (pipe(p) == 0 && write(p[1], "x", 1) < 0)
		_exit(1);
	if (socketpair(AF_UNIX, (seed & 1) ? SOCK_STREAM : SOCK_DGRAM, 0, sv) == 0 && write(sv[0], "hi", 2) < 0)
		_exit(1);
	if (seed & 2) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			(void)listen(s, 4);
	} else {
		(void)socket(AF_INET, SOCK_DGRAM, 0);
	}
	long life = 10 + (long)(seed % 191);
	pid_t child = fork();
	if (child == 0) {
		nap_ms(life + 5 + (long)(seed % 20));
		_exit(0);
	}
	nap_ms(life);
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: churn SECONDS [RATE]\n");
		return 2;
	}
	double seconds = atof(argv[1]);
	double rate = argc > 2 ? atof(argv[2]) : 500;
	if (seconds <= 0 || rate <= 0) {
		fprintf(stderr, "churn: SECONDS and RATE must be positive\n");
		return 2;
	}

	/* Our own process group, so that the final kill(0, …) reaches only what we started; orphaned
	 * grandchildren come to us, not to init: we reap everything we made. */
	if (setpgid(0, 0))
		perror("setpgid");
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("READY\n");

	long started = 0, reaped = 0, failed = 0, dropped = 0;
	double start = now(), interval = 1.0 / rate;
	double next = start;
	while (!stop && now() - start < seconds) {
		/* Start every process that is due, then reap. On a starved machine neither we nor the workers run on
		 * time: catch up at most 50 ms of starts, and never hold more than MAX_ALIVE processes, so that the load
		 * stays a load and never exhausts pid_max (a burst of forks after a long stall did, on a loaded CI box). */
		if (next < now() - 0.05) {
			dropped += (long)((now() - 0.05 - next) / interval);
			next = now() - 0.05;
		}
		while (next <= now() && !stop) {
			if (2 * started - reaped > MAX_ALIVE) {
				dropped++;
				next += interval;
				continue;
			}
			pid_t pid = fork();
			if (pid == 0)
				worker((unsigned)started * 2654435761u);
			if (pid < 0)
				failed++;
			else
				started++;
			next += interval;
		}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			reaped++;

		/* EOF on stdin ends the run early (the test harness closing it). */
		struct pollfd in = { .fd = 0, .events = POLLIN };
		double wait = next - now();
		if (wait < 0)
			wait = 0;
		struct timespec ts = { (time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9) };
		if (ppoll(&in, 1, &ts, NULL) > 0) {
			char buf[64];
			if (read(0, buf, sizeof(buf)) <= 0)
				break;
		}
	}

	/* Stop: kill what is still running, then reap until nothing is left. */
	signal(SIGTERM, SIG_IGN);
	kill(0, SIGTERM);
	for (;;) {
		pid_t pid = waitpid(-1, NULL, 0);
		if (pid > 0)
			reaped++;
		else if (errno != EINTR)
			break;
	}
	printf("churn: %ld started, %ld reaped, %ld fork failures, %ld starts dropped in %.1f s\n", started, reaped, failed, dropped, now() - start);
	return 0;
}
