;; spin: loops forever without ever calling the host; caught by CPU throttling (cpu) and the hang detector (hang-after), or by fuel/timeout.
;; No args, no imports. It never yields, so the runtime must stop it from outside (epoch/fuel
;; interruption), never by waiting for a host call.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (local $n i64)
    (loop $forever
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br $forever))))
