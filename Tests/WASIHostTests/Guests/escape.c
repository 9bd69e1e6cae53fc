// Tries every way out of the preopen "/data"; prints what happened and exits with the number of
// attempts that succeeded (0 means fully contained).
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static int escapes = 0;

static void attempt(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd >= 0) {
        printf("ESCAPED %s\n", path);
        escapes++;
        close(fd);
    } else {
        printf("refused %s errno %d\n", path, errno);
    }
}

int main(void) {
    attempt("/data/../outside/secret.txt");
    attempt("/data/sub/../../outside/secret.txt");
    attempt("/data/planted/secret.txt");          // host symlink to ../outside
    attempt("/data/planted-absolute");            // host symlink to an absolute path
    symlink("../outside/secret.txt", "/data/made-by-guest");
    attempt("/data/made-by-guest");
    symlink("/etc/passwd", "/data/made-absolute");
    attempt("/data/made-absolute");
    return escapes;
}
