;; Spins forever: used to measure CPU throttling (`--cpu`) and deadlines.
(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))
