// Exercises the file-system calls through wasi-libc. Run with a writable preopen at "/data".
// Prints one line per step and exits 0 only when every step behaved.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (!ok) failures++;
}

int main(int argc, char **argv) {
    check(argc == 2 && strcmp(argv[1], "tour") == 0, "arguments");
    check(getenv("GREETING") && strcmp(getenv("GREETING"), "hi") == 0, "environment");

    check(mkdir("/data/dir", 0755) == 0, "mkdir");
    FILE *file = fopen("/data/dir/hello.txt", "w");
    check(file != NULL, "fopen for writing");
    if (file) {
        fputs("hello, station\n", file);
        check(fclose(file) == 0, "fclose");
    }

    char buffer[64] = {0};
    file = fopen("/data/dir/hello.txt", "r");
    check(file && fgets(buffer, sizeof buffer, file) && strcmp(buffer, "hello, station\n") == 0, "read back");
    if (file) fclose(file);

    struct stat info;
    check(stat("/data/dir/hello.txt", &info) == 0 && info.st_size == 15 && S_ISREG(info.st_mode), "stat");

    int fd = open("/data/dir/hello.txt", O_WRONLY | O_APPEND);
    check(fd >= 0 && write(fd, "more\n", 5) == 5, "append");
    if (fd >= 0) close(fd);
    check(stat("/data/dir/hello.txt", &info) == 0 && info.st_size == 20, "size after append");

    check(rename("/data/dir/hello.txt", "/data/dir/renamed.txt") == 0, "rename");
    check(access("/data/dir/hello.txt", F_OK) != 0 && errno == ENOENT, "old name gone");

    DIR *dir = opendir("/data/dir");
    int seen = 0;
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (strcmp(entry->d_name, "renamed.txt") == 0) seen = 1;
        }
        closedir(dir);
    }
    check(seen, "readdir");

    check(symlink("renamed.txt", "/data/dir/link") == 0, "symlink");
    char target[64] = {0};
    check(readlink("/data/dir/link", target, sizeof target - 1) == 11 && strcmp(target, "renamed.txt") == 0, "readlink");
    file = fopen("/data/dir/link", "r");
    check(file != NULL, "open through an inside symlink");
    if (file) fclose(file);

    check(unlink("/data/dir/link") == 0 && unlink("/data/dir/renamed.txt") == 0, "unlink");
    check(rmdir("/data/dir") == 0, "rmdir");

    check(fopen("/data/../etc/passwd", "r") == NULL, "no escape with ..");
    check(fopen("/etc/passwd", "r") == NULL, "no absolute path outside preopens");

    printf("%d failures\n", failures);
    return failures == 0 ? 0 : 1;
}
