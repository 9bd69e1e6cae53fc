// Native tests of the static inline helpers in station.h. The station imports are replaced by
// stubs below that follow the ABI's copy-out convention, so the helpers run on the build machine.
//   clang-19 -Wno-ignored-attributes -I sdk/c -o /tmp/helpers_test sdk/c/tests/helpers_test.c && /tmp/helpers_test
#include <stdio.h>
#include <string.h>

#include "station.h"

static int failures = 0;

#define EXPECT(condition)                                                        \
    do {                                                                         \
        if (!(condition)) {                                                      \
            fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__, #condition); \
            failures++;                                                          \
        }                                                                        \
    } while (0)

// ---- stubs with the host's behaviour ------------------------------------------------------------

static const char *stub_error_message = "";
static const char *stub_value = NULL;  // NULL: kv_get answers not-found
static char stub_last_method[16], stub_last_url[256], stub_last_activity[256];
static int32_t stub_last_level = -1;
static size_t stub_last_headers_len = 99, stub_last_body_len = 99;
static int64_t stub_last_timeout = 99;

static int32_t copy_out(const char *text, void *buf, size_t len) {
    size_t full = strlen(text);
    memcpy(buf, text, full < len ? full : len);
    return (int32_t)full;
}

int32_t station_abi_version(void) { return 1; }
int32_t station_last_error(void *buf, size_t len) { return copy_out(stub_error_message, buf, len); }
int32_t station_close(int32_t handle) { (void)handle; return 0; }
int32_t station_poll(const int32_t *handles, size_t count, int32_t *ready, int64_t timeout_ms) {
    (void)handles; (void)count; (void)ready; (void)timeout_ms; return 0;
}
int32_t station_read(int32_t handle, void *buf, size_t len) { (void)handle; (void)buf; (void)len; return 0; }
int32_t station_http_request(const void *method, size_t method_len, const void *url, size_t url_len,
                             const void *headers, size_t headers_len, const void *body,
                             size_t body_len, int64_t timeout_ms) {
    (void)headers; (void)body;
    snprintf(stub_last_method, sizeof stub_last_method, "%.*s", (int)method_len, (const char *)method);
    snprintf(stub_last_url, sizeof stub_last_url, "%.*s", (int)url_len, (const char *)url);
    stub_last_headers_len = headers_len;
    stub_last_body_len = body_len;
    stub_last_timeout = timeout_ms;
    return 7;
}
int32_t station_http_status(int32_t handle) { (void)handle; return 200; }
int32_t station_http_headers(int32_t handle, void *buf, size_t len) { (void)handle; return copy_out("", buf, len); }
int32_t station_activity(int32_t level, const void *msg, size_t msg_len) {
    stub_last_level = level;
    snprintf(stub_last_activity, sizeof stub_last_activity, "%.*s", (int)msg_len, (const char *)msg);
    return 0;
}
int32_t station_job_completed(void) { return 0; }
int32_t station_kv_get(const void *key, size_t key_len, void *buf, size_t len) {
    (void)key; (void)key_len;
    if (stub_value == NULL) return STATION_E_NOT_FOUND;
    return copy_out(stub_value, buf, len);
}
int32_t station_kv_put(const void *key, size_t key_len, const void *value, size_t value_len) {
    (void)key; (void)value;
    return key_len > 1024 ? STATION_E_TOO_LARGE : (int32_t)value_len * 0;
}
int32_t station_kv_delete(const void *key, size_t key_len) { (void)key; (void)key_len; return 0; }
int32_t station_kv_list(const void *prefix, size_t prefix_len, const void *after, size_t after_len,
                        void *buf, size_t len) {
    (void)prefix; (void)prefix_len; (void)after; (void)after_len; (void)buf; (void)len; return 0;
}
int32_t station_write(int32_t handle, const void *buf, size_t len) { (void)handle; (void)buf; return (int32_t)len; }
int32_t station_close_write(int32_t handle) { (void)handle; return 0; }
int32_t station_p2p_peer_id(void *buf, size_t len) { return copy_out("12D3KooW", buf, len); }
int32_t station_p2p_dial(const void *addr, size_t addr_len, const void *protocol, size_t protocol_len,
                         int64_t timeout_ms) {
    (void)addr; (void)addr_len; (void)protocol; (void)protocol_len; (void)timeout_ms; return 1;
}
int32_t station_p2p_listen(const void *protocol, size_t protocol_len) { (void)protocol; (void)protocol_len; return 1; }
int32_t station_p2p_accept(int32_t listener) { (void)listener; return STATION_E_WOULD_BLOCK; }
int32_t station_p2p_remote_peer(int32_t stream, void *buf, size_t len) { (void)stream; return copy_out("", buf, len); }
int32_t station_module_name(void *buf, size_t len) { return copy_out("test", buf, len); }
int32_t station_station_id(void *buf, size_t len) { return copy_out("", buf, len); }
int32_t station_wallet_address(void *buf, size_t len) { return copy_out("", buf, len); }

// ---- tests --------------------------------------------------------------------------------------

static void test_error_names(void) {
    EXPECT(strcmp(station_error_name(STATION_E_INVALID_ARGUMENT), "invalid-argument") == 0);
    EXPECT(strcmp(station_error_name(STATION_E_WOULD_BLOCK), "would-block") == 0);
    EXPECT(strcmp(station_error_name(STATION_E_DENIED), "denied") == 0);
    EXPECT(strcmp(station_error_name(STATION_E_BUFFER_TOO_SMALL), "buffer-too-small") == 0);
    EXPECT(strcmp(station_error_name(-15), "unknown-error") == 0);
    EXPECT(strcmp(station_error_name(0), "ok") == 0);
    EXPECT(strcmp(station_error_name(200), "ok") == 0);
    // Every code from -1 to -14 has its own name.
    for (int32_t a = -14; a <= -1; a++) {
        EXPECT(strcmp(station_error_name(a), "unknown-error") != 0);
        for (int32_t b = a + 1; b <= -1; b++) EXPECT(strcmp(station_error_name(a), station_error_name(b)) != 0);
    }
}

static void test_last_error_str(void) {
    char buf[8];
    stub_error_message = "";
    EXPECT(strcmp(station_last_error_str(buf, sizeof buf), "") == 0);
    stub_error_message = "denied!";
    EXPECT(strcmp(station_last_error_str(buf, sizeof buf), "denied!") == 0);
    stub_error_message = "a much longer message";
    EXPECT(strcmp(station_last_error_str(buf, sizeof buf), "a much ") == 0);
    char one[1] = { 'x' };
    EXPECT(strcmp(station_last_error_str(one, 1), "") == 0);
    char none[1] = { 'x' };
    station_last_error_str(none, 0);
    EXPECT(none[0] == 'x');
}

static void test_log_and_get(void) {
    EXPECT(station_log_info("hello") == 0);
    EXPECT(stub_last_level == STATION_ACTIVITY_INFO && strcmp(stub_last_activity, "hello") == 0);
    EXPECT(station_log_error("broken") == 0);
    EXPECT(stub_last_level == STATION_ACTIVITY_ERROR && strcmp(stub_last_activity, "broken") == 0);
    EXPECT(station_http_get("http://127.0.0.1:1/x") == 7);
    EXPECT(strcmp(stub_last_method, "GET") == 0);
    EXPECT(strcmp(stub_last_url, "http://127.0.0.1:1/x") == 0);
    EXPECT(stub_last_headers_len == 0 && stub_last_body_len == 0 && stub_last_timeout == 0);
}

static void test_kv_strings(void) {
    char buf[6];
    stub_value = NULL;
    strcpy(buf, "junk");
    EXPECT(station_kv_get_str("counter", buf, sizeof buf) == STATION_E_NOT_FOUND);
    EXPECT(buf[0] == '\0');
    stub_value = "41";
    EXPECT(station_kv_get_str("counter", buf, sizeof buf) == 2);
    EXPECT(strcmp(buf, "41") == 0);
    stub_value = "1234567";
    EXPECT(station_kv_get_str("counter", buf, sizeof buf) == 7);
    EXPECT(strcmp(buf, "12345") == 0);
    EXPECT(station_kv_put_str("counter", "42") == 0);
}

static void test_kv_list_next(void) {
    // Two entries: "ab" and "" (empty key), then a truncated third entry claiming 9 bytes.
    const uint8_t entries[] = { 2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0, 9, 0, 0, 0, 'x' };
    size_t cursor = 0;
    const uint8_t *key = NULL;
    size_t key_len = 0;
    EXPECT(station_kv_list_next(entries, sizeof entries, &cursor, &key, &key_len) == 1);
    EXPECT(key_len == 2 && memcmp(key, "ab", 2) == 0 && cursor == 6);
    EXPECT(station_kv_list_next(entries, sizeof entries, &cursor, &key, &key_len) == 1);
    EXPECT(key_len == 0 && cursor == 10);
    EXPECT(station_kv_list_next(entries, sizeof entries, &cursor, &key, &key_len) == 0);
    EXPECT(cursor == 10);
    // A length that would wrap around is refused, not followed.
    const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
    cursor = 0;
    EXPECT(station_kv_list_next(huge, sizeof huge, &cursor, &key, &key_len) == 0);
    // A cursor past the end is refused.
    cursor = 100;
    EXPECT(station_kv_list_next(entries, sizeof entries, &cursor, &key, &key_len) == 0);
}

static void test_waiting_helpers(void) {
    // The stubs: write takes everything, read reports the end of the data at once.
    EXPECT(station_write_all(1, "abc", 3) == 0);
    EXPECT(station_p2p_wait_open(1) == 0);
    char buf[4];
    EXPECT(station_read_all(1, buf, sizeof buf) == 0);
    EXPECT(station_wait(1, 0) == 0);
}

static void test_http_header_value(void) {
    const char block[] = "Content-Type: text/plain\r\nX-Empty:\r\ncontent-length:  12 \r\n";
    const char *value = NULL;
    size_t value_len = 0;
    EXPECT(station_http_header_value(block, sizeof block - 1, "content-type", &value, &value_len) == 1);
    EXPECT(value_len == 10 && memcmp(value, "text/plain", 10) == 0);
    EXPECT(station_http_header_value(block, sizeof block - 1, "CONTENT-LENGTH", &value, &value_len) == 1);
    EXPECT(value_len == 2 && memcmp(value, "12", 2) == 0);
    EXPECT(station_http_header_value(block, sizeof block - 1, "x-empty", &value, &value_len) == 1);
    EXPECT(value_len == 0);
    EXPECT(station_http_header_value(block, sizeof block - 1, "content", &value, &value_len) == 0);
    EXPECT(station_http_header_value(block, 0, "content-type", &value, &value_len) == 0);
}

int main(void) {
    test_error_names();
    test_last_error_str();
    test_log_and_get();
    test_kv_strings();
    test_kv_list_next();
    test_waiting_helpers();
    test_http_header_value();
    if (failures != 0) {
        fprintf(stderr, "helpers_test: %d expectation(s) failed\n", failures);
        return 1;
    }
    printf("helpers_test: all expectations passed\n");
    return 0;
}
