/// The files `station new` writes, with `{{NAME}}`, `{{ORIGIN}}`, `{{SDK}}` (the absolute path of the
/// checkout's sdk folder), `{{BUILD}}` and `{{RUN}}` (the printed commands) filled in.
/// Every module does the same: GET a URL (its first argument), count its runs in the key-value
/// store, print `URL STATUS BYTES` and `run N`, report an activity and one completed job.
enum NewTemplates {
    static func manifest(entry: String) -> String {
        """
        # {{NAME}}: a Station module for the daemon (docs/daemon-config.md). `station run` takes the
        # same grants as flags: --allow-net {{ORIGIN}} --kv FILE.
        name = "{{NAME}}"
        version = "0.1.0"
        \(entry)
        args = ["{{ORIGIN}}/"]       # the URL it fetches

        [grants]
        net = ["{{ORIGIN}}"]
        kv = true

        [limits]
        memory = "64MiB"
        """ + "\n"
    }

    static func readme(_ language: NewCommand.Language) -> String {
        let files: String
        switch language {
        case .rust:
            files = """
                - `src/main.rs`: the module, on the Rust SDK (`station = { path = "{{SDK}}/rust/station" }` in
                  `Cargo.toml`: the absolute path of the station checkout that wrote this folder; change it if
                  the checkout moves). The SDK's guide: `{{SDK}}/rust/README.md`.
                - `build.sh`: builds `{{NAME}}.wasm` with Debian's rustc 1.63 for wasm32-wasi, linked by lld-14
                  (install them with `bash scripts/install-rust-toolchain` in the checkout).
                """
        case .c:
            files = """
                - `main.c`: the module, on the C SDK (`{{SDK}}/c/station.h`: the absolute path of the station
                  checkout that wrote this folder; `STATION_SDK=/path/to/sdk bash build.sh` uses another).
                  The SDK's guide: `{{SDK}}/c/README.md`.
                - `build.sh`: builds `{{NAME}}.wasm` with clang-19 for wasm32-wasi (`bash scripts/install-extras`
                  in the checkout installs clang-19, lld-19 and wasi-libc).
                """
        case .js:
            files = """
                - `main.js`: the module, run by station's JavaScript engine (`station-js`, installed by
                  `bash scripts/install-extras`). The folder is the module's read-only root: keep only the
                  module's files in it. The API: docs/js.md in the station checkout.
                """
        }
        return """
            # {{NAME}}

            A Station module written by `station new`. It GETs a URL (its first argument, default
            `{{ORIGIN}}/`), counts its runs in the key-value store, prints `URL STATUS BYTES` and
            `run N`, and reports an activity and one completed job.

            Build and run it from the folder that holds `{{NAME}}/` (start something on {{ORIGIN}} first,
            e.g. `python3 -m http.server 8080 --bind 127.0.0.1`):

            ```sh
            \(language == .js ? "{{RUN}}" : "{{BUILD}}\n{{RUN}}")
            ```

            Add `--json` to see its events as JSON lines; `station inspect` shows the station imports
            it uses and the grant each needs. Without `--allow-net` the fetch is denied; without `--kv`
            the key-value calls are.

            ## Files

            - `module.toml`: name, version, entry, arguments and grants, for `station daemon`.
            \(files)

            The station checkout's docs/authoring.md explains grants, limits and station's errors.
            """ + "\n"
    }

    static let cargoManifest = """
        # {{NAME}}: a Station module in Rust. Build it with build.sh (Debian's rustc 1.63 for wasm32-wasi).
        [package]
        name = "{{NAME}}"
        version = "0.1.0"
        edition = "2021"
        rust-version = "1.63"
        publish = false

        [dependencies]
        # The SDK of the station checkout that ran `station new` (absolute path).
        station = { path = "{{SDK}}/rust/station" }

        [profile.release]
        opt-level = "s"
        lto = true
        codegen-units = 1
        panic = "abort"
        strip = true

        """

    static let cargoConfig = """
        # Debian's rustc 1.63 ships the wasm32-wasi std as LLVM 14 objects: lld-14's wasm-ld links them.
        [build]
        target = "wasm32-wasi"

        [target.wasm32-wasi]
        linker = "/usr/lib/llvm-14/bin/wasm-ld"

        """

    static let rustBuild = """
        #!/usr/bin/env bash
        # Builds {{NAME}}.wasm (next to this script) from src/main.rs. Debian's tools by absolute path:
        # rustup's cargo, often first on PATH, has no wasm32-wasi target. No network: the SDK needs no crate.
        set -euo pipefail
        here="$(cd "$(dirname "$0")" && pwd)"
        cd "$here"
        RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_WASM32_WASI_LINKER=/usr/lib/llvm-14/bin/wasm-ld \\
          /usr/bin/cargo build --quiet --release --offline --target wasm32-wasi
        cp target/wasm32-wasi/release/{{NAME}}.wasm {{NAME}}.wasm
        echo "$here/{{NAME}}.wasm"

        """

    static let rustMain = """
        //! {{NAME}}: GETs a URL (the first argument, default {{ORIGIN}}/), counts its runs in the
        //! key-value store, prints `URL STATUS BYTES` and `run N`, reports an activity and a job.
        //!   {{BUILD}}
        //!   {{RUN}}
        //! A failure (denied, refused, timed out, ...) ends it with status 1 and the host's message.

        use station::{activity, http, kv};

        fn main() -> station::Result<()> {
            let url = std::env::args().nth(1).unwrap_or_else(|| "{{ORIGIN}}/".to_string());
            station::main(async move {
                // Requests run concurrently with anything else spawned; `join` overlaps several.
                let response = http::get(&url).await?;
                let status = response.status();
                let body = response.bytes().await?;

                // The key-value store survives restarts (--kv FILE, or [grants] kv = true).
                let runs = match kv::get_string("runs")? {
                    Some(text) => text.parse::<u64>().unwrap_or(0) + 1,
                    None => 1,
                };
                kv::put("runs", runs.to_string())?;

                println!("{} {} {}", url, status, body.len());
                println!("run {}", runs);
                activity::info!("fetched {}: status {}, {} bytes (run {})", url, status, body.len(), runs);
                station::job_completed()?;
                Ok(())
            })
        }

        """

    static let cBuild = """
        #!/usr/bin/env bash
        # Builds {{NAME}}.wasm (next to this script) from main.c with clang-19 for wasm32-wasi and the
        # station C SDK (STATION_SDK overrides the checkout's sdk folder written here).
        set -euo pipefail
        here="$(cd "$(dirname "$0")" && pwd)"
        sdk="${STATION_SDK:-{{SDK}}}"
        clang-19 --target=wasm32-wasi -O2 -Wall -Wextra -I "$sdk/c" -o "$here/{{NAME}}.wasm" "$here/main.c"
        echo "$here/{{NAME}}.wasm"

        """

    static let cMain = """
        // {{NAME}}: GETs a URL (the first argument, default {{ORIGIN}}/), counts its runs in the
        // key-value store, prints `URL STATUS BYTES` and `run N`, reports an activity and a job.
        //   {{BUILD}}
        //   {{RUN}}
        // Exit status: 0, or 1 with the host's message when a call fails (denied, refused, ...).
        #include <inttypes.h>
        #include <stdio.h>
        #include <stdlib.h>

        #include "station.h"

        /// Prints what failed with the error's name and the host's message; returns 1.
        static int failed(const char *what, int32_t code) {
            char message[512];
            fprintf(stderr, "{{NAME}}: %s failed: %s: %s\\n", what, station_error_name(code),
                    station_last_error_str(message, sizeof message));
            return 1;
        }

        int main(int argc, char **argv) {
            const char *url = argc > 1 ? argv[1] : "{{ORIGIN}}/";
            int32_t ready[1];

            // The request starts at once; poll until its status (or its error) is there.
            int32_t request = station_http_get(url);
            if (request < 0) return failed("http_request", request);
            int32_t status;
            while ((status = station_http_status(request)) == STATION_E_WOULD_BLOCK)
                station_poll(&request, 1, ready, STATION_POLL_FOREVER);
            if (status < 0) return failed("the request", status);

            // Read the body to its end, waiting whenever no bytes are there yet.
            uint64_t bytes = 0;
            char buffer[16384];
            for (;;) {
                int32_t n = station_read(request, buffer, sizeof buffer);
                if (n == STATION_E_WOULD_BLOCK) { station_poll(&request, 1, ready, STATION_POLL_FOREVER); continue; }
                if (n < 0) return failed("reading the body", n);
                if (n == 0) break;
                bytes += (uint64_t)n;
            }
            station_close(request);

            // The key-value store survives restarts (--kv FILE, or [grants] kv = true).
            char text[32];
            uint64_t runs = 1;
            int32_t length = station_kv_get_str("runs", text, sizeof text);
            if (length >= 0 && (size_t)length < sizeof text) runs = strtoull(text, NULL, 10) + 1;
            else if (length != STATION_E_NOT_FOUND) return failed("kv_get", length);
            snprintf(text, sizeof text, "%" PRIu64, runs);
            int32_t stored = station_kv_put_str("runs", text);
            if (stored < 0) return failed("kv_put", stored);

            printf("%s %d %" PRIu64 "\\n", url, (int)status, bytes);
            printf("run %" PRIu64 "\\n", runs);
            char message[512];
            snprintf(message, sizeof message, "fetched %s: status %d, %" PRIu64 " bytes (run %" PRIu64 ")", url, (int)status, bytes, runs);
            station_log_info(message);  // a rate-limited message is dropped, which is fine
            int32_t counted = station_job_completed();
            if (counted < 0) return failed("job_completed", counted);
            return 0;
        }

        """

    static let jsMain = """
        // {{NAME}}: GETs a URL (the first argument, default {{ORIGIN}}/), counts its runs in the
        // key-value store, prints `URL STATUS BYTES` and `run N`, reports an activity and a job.
        //   {{RUN}}
        // An uncaught error (a denied or failed fetch is a TypeError) ends it with status 1.
        const url = Station.args[0] ?? '{{ORIGIN}}/'

        const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
        let bytes = 0
        for await (const chunk of res.body) bytes += chunk.length

        // The key-value store survives restarts (--kv FILE, or [grants] kv = true).
        const runs = Number(await Station.kv.getText('runs') ?? 0) + 1
        await Station.kv.put('runs', String(runs))

        console.log(`${url} ${res.status} ${bytes}`)
        console.log(`run ${runs}`)
        Zinnia.activity.info(`fetched ${url}: status ${res.status}, ${bytes} bytes (run ${runs})`)
        Zinnia.jobCompleted()

        """
}
