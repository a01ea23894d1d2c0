/* SPDX-License-Identifier: BSD-3-Clause */
/* summary: giving up privileges once the capture is open.  Opening an
 * AF_PACKET socket needs root or CAP_NET_RAW; nothing after it does (the
 * socket, its ring and its promiscuous membership stay usable), so the
 * sensor switches to an unprivileged user when one is configured and drops
 * every capability -- effective, permitted, inheritable, ambient, and the
 * bounding set when it may -- and sets no_new_privs, so that a parser bug
 * reached by a hostile packet runs with nothing.  libcap-ng does the
 * ordering (keep-caps across setuid, groups, bounding set). */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "capture.h"

/* What capng_change_id's negative results mean (cap-ng.h, capng_change_id(3)). */
static const char *change_id_error(int r)
{
    switch (r) {
        case -1: return "libcap-ng was not initialised";
        case -2: return "cannot keep capabilities across the change (PR_SET_KEEPCAPS)";
        case -3: return "cannot apply the intermediate capabilities";
        case -4: return "cannot change the group";
        case -5: return "cannot drop the supplementary groups";
        case -6: return "cannot change the user";
        case -7: return "cannot clear PR_SET_KEEPCAPS";
        case -8: return "cannot clear the bounding set";
        case -9: return "cannot drop CAP_SETPCAP or the ambient set";
        case -10: return "cannot set the supplementary groups";
        default: return "libcap-ng failed";
    }
}

static int lookup(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
                  size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "capture.user '%s': no such user", user);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    if (group && *group) {
        struct group *gr = getgrnam(group);
        if (!gr) {
            snprintf(err, errlen, "capture.group '%s': no such group", group);
            return -1;
        }
        *gid = gr->gr_gid;
    }
    return 0;
}

int priv_drop(const char *user, const char *group, char *err, size_t errlen)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    bool change = user && *user;
    if (change && lookup(user, group, &uid, &gid, err, errlen) != 0)
        return -1;
    if (change && uid == geteuid() && gid == getegid())
        change = false; /* already that user (systemd User= with AmbientCapabilities=) */
    capng_get_caps_process();
    bool setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) != 0;
    if (change && !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID)) {
        snprintf(err, errlen, "capture.user '%s': switching users needs root (running as uid %u)",
                 user, (unsigned)geteuid());
        return -1;
    }
    capng_clear(CAPNG_SELECT_ALL);
    if (change) {
        int r = capng_change_id((int)uid, (int)gid,
                                CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
        if (r != 0) {
            snprintf(err, errlen, "capture.user '%s': %s: %s", user, change_id_error(r),
                     strerror(errno));
            return -1;
        }
    } else if (capng_apply(setpcap ? CAPNG_SELECT_ALL : CAPNG_SELECT_BOTH) != 0) {
        snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
        return -1;
    }
    /* the ambient set, which libcap-ng leaves alone without CAPNG_SELECT_AMBIENT
     * support in the kernel; EINVAL on kernels before 4.3 that have none */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        snprintf(err, errlen, "cannot clear the ambient capabilities: %s", strerror(errno));
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    capng_get_caps_process();
    if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
        snprintf(err, errlen, "capabilities are still held after dropping them");
        return -1;
    }
    if (change && (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)) {
        snprintf(err, errlen, "capture.user '%s': the user did not change", user);
        return -1;
    }
    return 0;
}
