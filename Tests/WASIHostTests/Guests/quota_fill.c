// Writes 1 KiB chunks to /data/fill.bin until a write fails; prints the bytes written and the
// errno of the failing write, then exits 0 when it was EDQUOT.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static char chunk[1024];
    memset(chunk, 'q', sizeof chunk);
    int fd = open("/data/fill.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) { perror("open"); return 2; }
    long total = 0;
    for (;;) {
        ssize_t written = write(fd, chunk, sizeof chunk);
        if (written < 0) {
            printf("written %ld errno %d\n", total, errno);
            return errno == EDQUOT ? 0 : 1;
        }
        total += written;
        if (total > (64L << 20)) { printf("no quota\n"); return 3; }
    }
}
