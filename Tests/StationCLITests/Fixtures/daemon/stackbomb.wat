;; stackbomb: recurses without end; caught by the WebAssembly stack limit (stack), which turns it into a trap.
;; No args, no imports. Each frame carries a few locals so the stack fills quickly.
(module
  (memory (export "memory") 1)
  (func $dive (param $depth i64) (result i64)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64)
    (local.set $a (i64.add (local.get $depth) (i64.const 1)))
    (local.set $b (i64.mul (local.get $a) (i64.const 3)))
    (local.set $c (i64.xor (local.get $b) (local.get $depth)))
    (local.set $d (call $dive (local.get $a)))
    (i64.add (local.get $d) (i64.add (local.get $c) (local.get $b))))
  (func (export "_start")
    (drop (call $dive (i64.const 0)))))
