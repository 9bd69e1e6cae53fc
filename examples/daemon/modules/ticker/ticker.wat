;; ticker: a Station module that does one small "job" every N milliseconds, forever.
;;
;;   args: [INTERVAL_MS]   milliseconds between ticks (decimal, default 2000, at least 1)
;;   needs: the key-value store (kv = true in module.toml; `station run --kv FILE`)
;;
;; Each tick it
;;   1. adds one to the counter stored in the key-value store under the key "ticks"
;;      (decimal text; a missing key counts as 0, so the count carries on across restarts),
;;   2. reports the activity "tick N" (info) with the new count N,
;;   3. reports one completed job (job_completed),
;; then sleeps INTERVAL_MS. A store that fails (or is not granted) is reported once as an error
;; activity and the module keeps counting in memory. A bad argument is reported as an error
;; activity and on stderr, and the module exits with status 2.
;;
;; It sleeps with WASI poll_oneoff on one clock subscription: station `poll` needs at least one
;; handle, and poll_oneoff also ends at once when the runtime stops the module.
;;
;;   station run --kv /tmp/ticker.sqlite --json examples/daemon/modules/ticker/ticker.wat 500
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
  (import "station" "job_completed" (func $job_completed (result i32)))
  (import "station" "last_error" (func $last_error (param i32 i32) (result i32)))
  (import "station" "kv_get" (func $kv_get (param i32 i32 i32 i32) (result i32)))
  (import "station" "kv_put" (func $kv_put (param i32 i32 i32 i32) (result i32)))

  ;; Memory map:
  ;;   0..1023      constant strings (below)
  ;;   1024..1071   poll_oneoff subscription; 1088..1119 its event; 1120 event count
  ;;   1200, 1204   argc and the size of the argument strings
  ;;   1280..1295   fd_write iovec and written count
  ;;   2048..4095   argv pointers (at most 512)
  ;;   4096..8191   the activity message being built
  ;;   8192..12287  scratch: the stored value, last_error text
  ;;   16384..65535 argument strings (at most 48 KiB)
  (memory (export "memory") 1)
  (data (i32.const 0) "ticks")                                            ;; 5
  (data (i32.const 16) "tick ")                                           ;; 5
  (data (i32.const 32) "ticker: cannot read the counter: ")               ;; 33
  (data (i32.const 96) "ticker: cannot store the counter: ")              ;; 34
  (data (i32.const 160) "ticker: the stored counter is not a number; starting from 0") ;; 59
  (data (i32.const 256) "ticker: usage: ticker [INTERVAL_MS]  (a positive number, default 2000)\n") ;; 71

  (global $argc (mut i32) (i32.const 0))

  ;; Length of the NUL-terminated string at $p.
  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Copies $len bytes from $src to $dst; returns $dst + $len.
  (func $copy (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  ;; Reads the arguments into memory (ignored if they do not fit).
  (func $load_args
    (if (call $args_sizes_get (i32.const 1200) (i32.const 1204)) (then (return)))
    (if (i32.gt_u (i32.load (i32.const 1200)) (i32.const 512)) (then (return)))
    (if (i32.gt_u (i32.load (i32.const 1204)) (i32.const 49152)) (then (return)))
    (if (call $args_get (i32.const 2048) (i32.const 16384)) (then (return)))
    (global.set $argc (i32.load (i32.const 1200))))

  ;; The NUL-terminated argument $i, or 0 when there is none.
  (func $arg (param $i i32) (result i32)
    (if (i32.ge_u (local.get $i) (global.get $argc)) (then (return (i32.const 0))))
    (i32.load (i32.add (i32.const 2048) (i32.shl (local.get $i) (i32.const 2)))))

  ;; Parses $len decimal digits at $p; -1 when empty, not all digits, or over 18 digits.
  (func $parse_dec (param $p i32) (param $len i32) (result i64)
    (local $i i32) (local $c i32) (local $v i64)
    (if (i32.or (i32.eqz (local.get $len)) (i32.gt_u (local.get $len) (i32.const 18)))
      (then (return (i64.const -1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $c (i32.sub (i32.load8_u (i32.add (local.get $p) (local.get $i))) (i32.const 48)))
        (if (i32.gt_u (local.get $c) (i32.const 9)) (then (return (i64.const -1))))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $v))

  ;; Writes $v (unsigned) in decimal at $dst; returns the number of digits.
  (func $fmt_dec (param $v i64) (param $dst i32) (result i32)
    (local $n i32) (local $t i64) (local $i i32)
    ;; count the digits
    (local.set $t (local.get $v))
    (loop $count
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $t (i64.div_u (local.get $t) (i64.const 10)))
      (br_if $count (i64.ne (local.get $t) (i64.const 0))))
    ;; write them from the right
    (local.set $i (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i))
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $write (i32.ne (local.get $i) (i32.const 0))))
    (local.get $n))

  ;; Writes $len bytes at $p to standard error.
  (func $eprint (param $p i32) (param $len i32)
    (i32.store (i32.const 1280) (local.get $p))
    (i32.store (i32.const 1284) (local.get $len))
    (drop (call $fd_write (i32.const 2) (i32.const 1280) (i32.const 1) (i32.const 1288))))

  ;; Reports an error activity: the $len-byte prefix at $p followed by the last station error.
  (func $report_failure (param $p i32) (param $len i32)
    (local $end i32) (local $n i32)
    (local.set $end (call $copy (i32.const 4096) (local.get $p) (local.get $len)))
    (local.set $n (call $last_error (local.get $end) (i32.const 1024)))
    (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
    (drop (call $activity (i32.const 1) (i32.const 4096)
      (i32.sub (i32.add (local.get $end) (local.get $n)) (i32.const 4096)))))

  ;; Sleeps $ms milliseconds (WASI poll_oneoff on the monotonic clock).
  (func $sleep_ms (param $ms i64)
    (memory.fill (i32.const 1024) (i32.const 0) (i32.const 48))
    (i32.store8 (i32.const 1032) (i32.const 0))                                ;; tag: clock
    (i32.store (i32.const 1040) (i32.const 1))                                 ;; monotonic clock
    (i64.store (i32.const 1048) (i64.mul (local.get $ms) (i64.const 1000000))) ;; timeout, ns
    (drop (call $poll_oneoff (i32.const 1024) (i32.const 1088) (i32.const 1) (i32.const 1120))))

  (func (export "_start")
    (local $interval i64) (local $count i64) (local $n i32) (local $p i32) (local $end i32)
    (local $put_failed i32)
    (call $load_args)
    ;; INTERVAL_MS
    (local.set $interval (i64.const 2000))
    (if (local.tee $p (call $arg (i32.const 1)))
      (then
        (local.set $interval (call $parse_dec (local.get $p) (call $strlen (local.get $p))))
        (if (i64.le_s (local.get $interval) (i64.const 0))
          (then
            (drop (call $activity (i32.const 1) (i32.const 256) (i32.const 70)))
            (call $eprint (i32.const 256) (i32.const 71))
            (call $proc_exit (i32.const 2))))))
    ;; The stored count, if any.
    (local.set $n (call $kv_get (i32.const 0) (i32.const 5) (i32.const 8192) (i32.const 32)))
    (if (i32.ge_s (local.get $n) (i32.const 0))
      (then
        (local.set $count (call $parse_dec (i32.const 8192) (local.get $n)))
        (if (i32.or (i32.gt_u (local.get $n) (i32.const 32)) (i64.lt_s (local.get $count) (i64.const 0)))
          (then
            (drop (call $activity (i32.const 1) (i32.const 160) (i32.const 59)))
            (local.set $count (i64.const 0)))))
      (else
        (if (i32.ne (local.get $n) (i32.const -8))        ;; not-found just means "start at 0"
          (then (call $report_failure (i32.const 32) (i32.const 33))))))
    (loop $tick
      (local.set $count (i64.add (local.get $count) (i64.const 1)))
      ;; store the new count
      (local.set $n (call $fmt_dec (local.get $count) (i32.const 8192)))
      (if (i32.lt_s (call $kv_put (i32.const 0) (i32.const 5) (i32.const 8192) (local.get $n)) (i32.const 0))
        (then
          (if (i32.eqz (local.get $put_failed))
            (then
              (call $report_failure (i32.const 96) (i32.const 34))
              (local.set $put_failed (i32.const 1))))))
      ;; "tick N"
      (local.set $end (call $copy (i32.const 4096) (i32.const 16) (i32.const 5)))
      (local.set $end (i32.add (local.get $end) (call $fmt_dec (local.get $count) (local.get $end))))
      (drop (call $activity (i32.const 0) (i32.const 4096) (i32.sub (local.get $end) (i32.const 4096))))
      (drop (call $job_completed))
      (call $sleep_ms (local.get $interval))
      (br $tick)))
)
