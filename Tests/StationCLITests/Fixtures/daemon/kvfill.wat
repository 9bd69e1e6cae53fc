;; kvfill: puts 64 KiB values into the key-value store until a put is refused, reports that, then sleeps forever; caught by the key-value quota (kv-quota).
;; No args. Needs the key-value store (kv = true; `--kv FILE`). Keys are "fill-N" (N from 0), each
;; value 64 KiB of the byte 'x'. When kv_put fails (quota-exceeded, or denied without a store) it
;; reports the error activity "kvfill: refused after N values: MESSAGE" and then sleeps in WASI
;; poll_oneoff, an hour at a time.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "station" "kv_put" (func $kv_put (param i32 i32 i32 i32) (result i32)))
  (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
  (import "station" "last_error" (func $last_error (param i32 i32) (result i32)))
  ;; 0: text; 512: the key being built; 1024: poll_oneoff subscription, 1088: event, 1120: event
  ;; count; 4096: the message being built; 65536..131071: the value (page 2).
  (memory (export "memory") 2)
  (data (i32.const 0) "fill-")                                 ;; 5
  (data (i32.const 16) "kvfill: refused after ")               ;; 22
  (data (i32.const 48) " values: ")                            ;; 9

  ;; Writes $v in decimal at $dst; returns the number of digits.
  (func $fmt_dec (param $v i32) (param $dst i32) (result i32)
    (local $n i32) (local $t i32) (local $i i32)
    (local.set $t (local.get $v))
    (loop $count
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $t (i32.div_u (local.get $t) (i32.const 10)))
      (br_if $count (local.get $t)))
    (local.set $i (local.get $n))
    (loop $write
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (i32.add (local.get $dst) (local.get $i))
        (i32.add (i32.const 48) (i32.rem_u (local.get $v) (i32.const 10))))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $write (local.get $i)))
    (local.get $n))

  (func (export "_start")
    (local $stored i32) (local $key_len i32) (local $end i32) (local $n i32)
    (memory.fill (i32.const 65536) (i32.const 120) (i32.const 65536))   ;; 64 KiB of 'x'
    (memory.copy (i32.const 512) (i32.const 0) (i32.const 5))
    (block $refused
      (loop $next
        (local.set $key_len (i32.add (i32.const 5) (call $fmt_dec (local.get $stored) (i32.const 517))))
        (br_if $refused (i32.lt_s
          (call $kv_put (i32.const 512) (local.get $key_len) (i32.const 65536) (i32.const 65536))
          (i32.const 0)))
        (local.set $stored (i32.add (local.get $stored) (i32.const 1)))
        (br $next)))
    ;; "kvfill: refused after N values: MESSAGE"
    (memory.copy (i32.const 4096) (i32.const 16) (i32.const 22))
    (local.set $end (i32.add (i32.const 4118) (call $fmt_dec (local.get $stored) (i32.const 4118))))
    (memory.copy (local.get $end) (i32.const 48) (i32.const 9))
    (local.set $end (i32.add (local.get $end) (i32.const 9)))
    (local.set $n (call $last_error (local.get $end) (i32.const 1024)))
    (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
    (drop (call $activity (i32.const 1) (i32.const 4096)
      (i32.sub (i32.add (local.get $end) (local.get $n)) (i32.const 4096))))
    ;; sleep forever, an hour at a time (clock subscription on the monotonic clock)
    (i32.store (i32.const 1040) (i32.const 1))
    (i64.store (i32.const 1048) (i64.const 3600000000000))
    (loop $sleep
      (drop (call $poll_oneoff (i32.const 1024) (i32.const 1088) (i32.const 1) (i32.const 1120)))
      (br $sleep))))
