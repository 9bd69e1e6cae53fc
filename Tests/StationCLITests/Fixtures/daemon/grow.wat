;; grow: grows linear memory one 64 KiB page at a time until memory.grow fails, then traps; caught by the memory limit (memory).
;; No args. It touches every new page so the memory is really committed. When growth is refused it
;; executes `unreachable` (a trap), so a supervisor sees a failure, never a clean exit.
(module
  (memory (export "memory") 1)
  (func (export "_start")
    (local $pages i32)
    (loop $more
      (local.set $pages (memory.grow (i32.const 1)))
      (if (i32.eq (local.get $pages) (i32.const -1)) (then (unreachable)))
      ;; write one byte in each 4 KiB of the new page
      (i32.store8 (i32.shl (local.get $pages) (i32.const 16)) (i32.const 1))
      (i32.store8 (i32.add (i32.shl (local.get $pages) (i32.const 16)) (i32.const 4096)) (i32.const 1))
      (i32.store8 (i32.add (i32.shl (local.get $pages) (i32.const 16)) (i32.const 32768)) (i32.const 1))
      (br $more))))
