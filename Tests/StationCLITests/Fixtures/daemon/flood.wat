;; flood: calls station `activity` as fast as it can, forever; caught by the activity rate limit (activity-per-second, activity-burst), which drops its messages without holding back other modules' events.
;; No args. The message is "flood". Every call over the limit returns limit-reached (-7) and is
;; ignored; the module never sleeps, so it also keeps a CPU busy (cpu throttling applies).
(module
  (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "flood")
  (func (export "_start")
    (loop $forever
      (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 5)))
      (br $forever))))
