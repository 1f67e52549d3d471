/* Static helper for the containers harness (busybox-static has no flock applet and no lock holder):
 *   ckhelper flock PATH   take flock(LOCK_EX) on PATH, then wait forever
 *   ckhelper posix PATH   take a POSIX write lock (fcntl F_SETLK) on PATH, then wait forever
 *   ckhelper ofd PATH     take an OFD write lock (fcntl F_OFD_SETLK) on PATH, then wait forever
 *   ckhelper open PATH    hold PATH open read-write (a device node), then wait forever
 * Built with `cc -static -O2 -o ckhelper helper.c` into the root file system. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: ckhelper flock|posix|ofd|open PATH\n");
		return 2;
	}
	int fd = open(argv[2], O_RDWR | O_CREAT, 0644);
	if (fd < 0) {
		perror(argv[2]);
		return 1;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int rc = 0;
	if (!strcmp(argv[1], "flock"))
		rc = flock(fd, LOCK_EX);
	else if (!strcmp(argv[1], "posix"))
		rc = fcntl(fd, F_SETLK, &fl);
	else if (!strcmp(argv[1], "ofd"))
		rc = fcntl(fd, F_OFD_SETLK, &fl);
	else if (strcmp(argv[1], "open")) {
		fprintf(stderr, "unknown mode %s\n", argv[1]);
		return 2;
	}
	if (rc) {
		perror(argv[1]);
		return 1;
	}
	for (;;)
		pause();
}
