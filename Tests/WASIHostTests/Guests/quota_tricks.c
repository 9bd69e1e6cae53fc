// Ways a module might try to store more than its quota under the preopen "/data". argv[1] picks
// one; the guest prints "<key> <value>" lines and exits 0 (the test checks the numbers and the
// real disk usage of the folder).
//   relink      8 rounds of: 400 x (hard-link a symlink with a 3000-byte target, unlink the new
//               name; stop early when the link fails), then fill a new file until a write fails.
//   unlink-open up to 64 files: write up to 64 KiB, unlink it, keep it open; then close them all
//               and fill one more file (the quota must come back only then).
//   dirs        make empty directories until mkdir fails.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char chunk[4096];

// Writes 4 KiB chunks to fd until `limit` bytes or a failure; returns the bytes written.
static long fill(int fd, long limit, int *error) {
    long total = 0;
    *error = 0;
    while (total < limit) {
        ssize_t written = write(fd, chunk, sizeof chunk);
        if (written < 0) { *error = errno; break; }
        total += written;
    }
    return total;
}

static int relink(void) {
    static char target[3001];
    for (int i = 0; i < 3000; i += 2) { target[i] = 'x'; target[i + 1] = '/'; }
    target[3000] = 0;
    if (symlink(target, "/data/s") != 0) { printf("symlink errno %d\n", errno); return 2; }
    long total = 0;
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 400; i++) {
            // Once the quota is used up even the new name does not fit (EDQUOT).
            if (link("/data/s", "/data/h") != 0) { printf("round %d link errno %d\n", round, errno); break; }
            if (unlink("/data/h") != 0) { printf("unlink errno %d\n", errno); return 2; }
        }
        char name[32];
        snprintf(name, sizeof name, "/data/fill%d", round);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { printf("round %d open errno %d\n", round, errno); continue; }
        int error;
        total += fill(fd, 64L << 20, &error);
        close(fd);
    }
    printf("written %ld\n", total);
    return 0;
}

static int unlink_open(void) {
    int fds[64];
    int count = 0, error = 0;
    long held = 0;
    for (; count < 64; count++) {
        char name[32];
        snprintf(name, sizeof name, "/data/u%d", count);
        int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) { error = errno; break; }
        fds[count] = fd;
        held += fill(fd, 64 * 1024, &error);
        unlink(name);
        if (error) { count++; break; }
    }
    printf("held %ld\n", held);
    printf("held_errno %d\n", error);
    for (int i = 0; i < count; i++) close(fds[i]);
    int fd = open("/data/after", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { printf("after open errno %d\n", errno); return 2; }
    long after = fill(fd, 64L << 20, &error);
    close(fd);
    printf("after %ld\n", after);
    return 0;
}

static int dirs(void) {
    int made = 0;
    for (; made < 200000; made++) {
        char name[32];
        snprintf(name, sizeof name, "/data/d%d", made);
        if (mkdir(name, 0755) != 0) break;
    }
    printf("made %d\n", made);
    printf("errno %d\n", errno);
    return 0;
}

int main(int argc, char **argv) {
    memset(chunk, 'q', sizeof chunk);
    if (argc < 2) return 2;
    if (strcmp(argv[1], "relink") == 0) return relink();
    if (strcmp(argv[1], "unlink-open") == 0) return unlink_open();
    if (strcmp(argv[1], "dirs") == 0) return dirs();
    return 2;
}
