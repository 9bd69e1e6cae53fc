// A WASI command in C: greets, lists its arguments and the files of /data when given.
//   station run --dir ./somewhere::/data hello.wasm Alice
#include <dirent.h>
#include <stdio.h>

int main(int argc, char **argv) {
    printf("Hello from C on Station!\n");
    for (int i = 1; i < argc; i++) printf("argument: %s\n", argv[i]);
    DIR *dir = opendir("/data");
    if (dir) {
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL) {
            if (entry->d_name[0] != '.') printf("file: /data/%s\n", entry->d_name);
        }
        closedir(dir);
    }
    return 0;
}
