/*
 * LD_PRELOAD shim for the daemons harness: makes a root process's REAL uid and gid those of
 * CK_REAL_UID / CK_REAL_GID before main() while its effective ids (and so its capabilities) stay
 * root, and answers getuid()/getgid() with the effective ids so that the program behaves exactly as
 * it does as root.
 *
 * Why: a criu without CAP_SYS_RESOURCE cannot read the rlimits of a task whose uids/gids are not
 * all its own REAL uid/gid (kernel/sys.c check_prlimit_permission -> criu/cr-dump.c
 * dump_task_rlimits "Can't get rlimit 0"). A tree with one owner (postgres) can then be dumped by
 * an otherwise unchanged root criu, which exercises the checks criu makes after that one.
 * setpriv --ruid cannot do this: exec with real uid != 0 and euid 0 is a secure exec (LD_PRELOAD
 * ignored) and libnftables exits 111 when getuid() != geteuid().
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

uid_t getuid(void) { return geteuid(); }
gid_t getgid(void) { return getegid(); }

__attribute__((constructor)) static void ck_set_real_ids(void)
{
	const char *uid = getenv("CK_REAL_UID");
	const char *gid = getenv("CK_REAL_GID");

	/* Children that criu may exec must not inherit the shim. */
	unsetenv("LD_PRELOAD");
	if (gid && setresgid((gid_t)strtoul(gid, NULL, 10), (gid_t)-1, (gid_t)-1) != 0) {
		perror("real-ids: setresgid");
		_exit(126);
	}
	if (uid && setresuid((uid_t)strtoul(uid, NULL, 10), (uid_t)-1, (uid_t)-1) != 0) {
		perror("real-ids: setresuid");
		_exit(126);
	}
}
