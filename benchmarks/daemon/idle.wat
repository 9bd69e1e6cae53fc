;; An idle Station module for the daemon benchmark: reports "ready" once, then sleeps 60 s at a
;; time forever (WASI poll_oneoff on the monotonic clock), as a module waiting for work does.
(module
  (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "ready")
  (func (export "_start")
    (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 5)))
    ;; One clock subscription at 1024 (tag 0 = clock, clock id 1 = monotonic, timeout in ns).
    (i32.store (i32.const 1040) (i32.const 1))
    (i64.store (i32.const 1048) (i64.const 60000000000))
    (loop $wait
      (drop (call $poll_oneoff (i32.const 1024) (i32.const 1088) (i32.const 1) (i32.const 1120)))
      (br $wait))))
