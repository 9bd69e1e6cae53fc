// Calls every import declared in station.h so that the built module imports all of them;
// sdk/c/tests/check_abi.py compares those imports with the tables of docs/abi.md.
// Built, never run.
#include "station.h"

int main(void) {
    char buf[64];
    int32_t handles[1] = { 1 };
    int32_t ready[1];
    int32_t sum = 0;
    sum += station_abi_version();
    sum += station_last_error(buf, sizeof buf);
    sum += station_close(1);
    sum += station_poll(handles, 1, ready, 0);
    sum += station_read(1, buf, sizeof buf);
    sum += station_http_request("GET", 3, "u", 1, "", 0, "", 0, 0);
    sum += station_http_status(1);
    sum += station_http_headers(1, buf, sizeof buf);
    sum += station_http_request_options("GET", 3, "u", 1, "", 0, "", 0, 0, STATION_HTTP_MANUAL_REDIRECT);
    sum += station_http_url(1, buf, sizeof buf);
    sum += station_write(1, "w", 1);
    sum += station_close_write(1);
    sum += station_p2p_peer_id(buf, sizeof buf);
    sum += station_p2p_dial("/ip4/127.0.0.1/tcp/1", 20, "/p", 2, 0);
    sum += station_p2p_listen("/p", 2);
    sum += station_p2p_accept(1);
    sum += station_p2p_remote_peer(1, buf, sizeof buf);
    sum += station_ipfs_get("bafy", 4, STATION_IPFS_FORMAT_FILE, 0);
    sum += station_ipfs_put("d", 1, buf, sizeof buf);
    sum += station_ipfs_pin("bafy", 4);
    sum += station_ipfs_unpin("bafy", 4);
    sum += station_activity(STATION_ACTIVITY_INFO, "m", 1);
    sum += station_job_completed();
    sum += station_kv_get("k", 1, buf, sizeof buf);
    sum += station_kv_put("k", 1, "v", 1);
    sum += station_kv_delete("k", 1);
    sum += station_kv_list("", 0, "", 0, buf, sizeof buf);
    sum += station_module_name(buf, sizeof buf);
    sum += station_station_id(buf, sizeof buf);
    sum += station_wallet_address(buf, sizeof buf);
    return sum == 12345;
}
