;; trap: traps at once (unreachable); the supervisor restarts it with growing backoff, then parks it after max-failures.
;; No args, no imports.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (unreachable)))
