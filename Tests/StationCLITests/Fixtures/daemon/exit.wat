;; exit: calls WASI proc_exit(3) at once; a failure exit (status 3) for restart = "on-failure"/"always" and the backoff.
;; No args.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 3))))
