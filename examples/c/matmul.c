// CPU benchmark guest: N x N double matrix multiply, repeated R times (default 200, 10).
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200;
    int rounds = argc > 2 ? atoi(argv[2]) : 10;
    double *a = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n * n), *c = malloc(sizeof(double) * n * n);
    if (!a || !b || !c) { fprintf(stderr, "out of memory\n"); return 1; }
    for (int i = 0; i < n * n; i++) { a[i] = (double)(i % 7) / 7.0; b[i] = (double)(i % 5) / 5.0; }
    double checksum = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += a[i * n + k] * b[k * n + j];
                c[i * n + j] = sum;
            }
        checksum += c[(r * 31) % (n * n)];
        a[r % (n * n)] += 1.0;
    }
    printf("matmul %dx%d x%d checksum %.6f\n", n, n, rounds, checksum);
    return 0;
}
