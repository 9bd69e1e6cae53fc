;; handles: opens HTTP request handles to http://127.0.0.1:9/ until the runtime refuses one, reports that, then sleeps forever; caught by the handle cap (max-handles).
;; No args. Needs the network grant net = ["http://127.0.0.1:9"] (`--allow-net http://127.0.0.1:9`):
;; the requests themselves fail (nothing listens on port 9) but each stays an open handle until it
;; is closed, and this module never closes any. When http_request fails it reports the error
;; activity "handles: refused after N open handles: MESSAGE" (limit-reached, or denied without the
;; grant) and then sleeps in WASI poll_oneoff, an hour at a time, holding every handle.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "station" "http_request" (func $http_request (param i32 i32 i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
  (import "station" "last_error" (func $last_error (param i32 i32) (result i32)))
  ;; 0: "GET", 16: the URL, 64: the message prefix; 1024: poll_oneoff subscription, 1088: event,
  ;; 1120: event count; 4096: the message being built.
  (memory (export "memory") 1)
  (data (i32.const 0) "GET")                                   ;; 3
  (data (i32.const 16) "http://127.0.0.1:9/")                  ;; 19
  (data (i32.const 64) "handles: refused after ")              ;; 23
  (data (i32.const 96) " open handles: ")                      ;; 15

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
    (local $open i32) (local $end i32) (local $n i32)
    ;; open handles until one is refused (timeout 10 minutes each)
    (block $refused
      (loop $next
        (br_if $refused (i32.lt_s
          (call $http_request (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 19)
                              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 600000))
          (i32.const 0)))
        (local.set $open (i32.add (local.get $open) (i32.const 1)))
        (br $next)))
    ;; "handles: refused after N open handles: MESSAGE"
    (memory.copy (i32.const 4096) (i32.const 64) (i32.const 23))
    (local.set $end (i32.add (i32.const 4119) (call $fmt_dec (local.get $open) (i32.const 4119))))
    (memory.copy (local.get $end) (i32.const 96) (i32.const 15))
    (local.set $end (i32.add (local.get $end) (i32.const 15)))
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
