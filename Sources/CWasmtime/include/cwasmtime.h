// CWasmtime: the subset of Wasmtime 50.0.1's C API that Station uses, declared by hand so that the
// library can be loaded at run time with dlopen(3) and never linked at build time.
//
// Every declaration mirrors crates/c-api/include/{wasm.h, wasmtime/*.h} of Wasmtime v50 on x86_64
// Linux. Layouts are checked with _Static_assert in loader.c; a library with other layouts must be
// refused before use (WasmtimeBackend verifies the file's SHA-256 before calling cwt_load).
#ifndef CWASMTIME_H
#define CWASMTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// MARK: Opaque handles (owned by the library)
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasm_frame_t wasm_frame_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_module wasmtime_module_t;
typedef struct wasmtime_store wasmtime_store_t;
typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasmtime_linker wasmtime_linker_t;
typedef struct wasmtime_caller wasmtime_caller_t;

// MARK: Vectors (wasm.h: `size` then `data`)
typedef struct wasm_byte_vec_t {
  size_t size;
  char *_Nullable data;
} wasm_byte_vec_t;
typedef wasm_byte_vec_t wasm_name_t;
typedef wasm_byte_vec_t wasm_message_t;

typedef struct wasm_valtype_vec_t {
  size_t size;
  wasm_valtype_t *_Nullable *_Nullable data;
} wasm_valtype_vec_t;

typedef struct wasm_frame_vec_t {
  size_t size;
  wasm_frame_t *_Nullable *_Nullable data;
} wasm_frame_vec_t;

// MARK: Value kinds
// wasm.h `wasm_valkind_t` (used by wasm_valtype_new / wasm_valtype_kind).
typedef uint8_t wasm_valkind_t;
#define CWT_WASM_I32 0
#define CWT_WASM_I64 1
#define CWT_WASM_F32 2
#define CWT_WASM_F64 3

// wasmtime/val.h `wasmtime_valkind_t` (the `kind` byte of wasmtime_val_t).
typedef uint8_t wasmtime_valkind_t;
#define CWT_WASMTIME_I32 0
#define CWT_WASMTIME_I64 1
#define CWT_WASMTIME_F32 2
#define CWT_WASMTIME_F64 3

// wasmtime/extern.h `wasmtime_extern_kind_t`.
typedef uint8_t wasmtime_extern_kind_t;
#define CWT_EXTERN_FUNC 0
#define CWT_EXTERN_MEMORY 3

// wasmtime/config.h
typedef uint8_t wasmtime_strategy_t;
#define CWT_STRATEGY_CRANELIFT 1
typedef uint8_t wasmtime_opt_level_t;
#define CWT_OPT_LEVEL_SPEED 1

// wasmtime/store.h
typedef uint8_t wasmtime_update_deadline_kind_t;
#define CWT_UPDATE_DEADLINE_CONTINUE 0

// wasmtime/trap.h `wasmtime_trap_code_t` (only the codes Station maps; others are reported by message).
typedef uint8_t wasmtime_trap_code_t;
#define CWT_TRAP_STACK_OVERFLOW 0
#define CWT_TRAP_MEMORY_OUT_OF_BOUNDS 1
#define CWT_TRAP_HEAP_MISALIGNED 2
#define CWT_TRAP_TABLE_OUT_OF_BOUNDS 3
#define CWT_TRAP_INDIRECT_CALL_TO_NULL 4
#define CWT_TRAP_BAD_SIGNATURE 5
#define CWT_TRAP_INTEGER_OVERFLOW 6
#define CWT_TRAP_INTEGER_DIVISION_BY_ZERO 7
#define CWT_TRAP_BAD_CONVERSION_TO_INTEGER 8
#define CWT_TRAP_UNREACHABLE_CODE_REACHED 9
#define CWT_TRAP_INTERRUPT 10
#define CWT_TRAP_OUT_OF_FUEL 11
#define CWT_TRAP_NULL_REFERENCE 13

// MARK: Store-bound items (value structs; x86_64 layouts asserted in loader.c)
/// A function: 16 bytes (store id + private pointer).
typedef struct wasmtime_func {
  uint64_t store_id;
  void *_Nullable private_data;
} wasmtime_func_t;

/// An instance: 16 bytes.
typedef struct wasmtime_instance {
  uint64_t store_id;
  size_t private_index;
} wasmtime_instance_t;

/// A linear memory: 24 bytes ({u64, u32} then u32).
typedef struct wasmtime_memory {
  struct {
    uint64_t store_id;
    uint32_t private1;
  } head;
  uint32_t private2;
} wasmtime_memory_t;

/// The GC reference shape (anyref/externref/exnref): 24 bytes.
typedef struct cwt_gc_ref {
  uint64_t store_id;
  uint32_t private1;
  uint32_t private2;
  void *_Nullable private3;
} cwt_gc_ref_t;

/// wasmtime_extern_union_t: its largest member (global/table/memory/tag) is 24 bytes.
typedef union wasmtime_extern_union {
  wasmtime_func_t func;
  wasmtime_memory_t memory;
  uint8_t other[24];
} wasmtime_extern_union_t;

/// An export or import item: 32 bytes (kind byte, union at offset 8).
typedef struct wasmtime_extern {
  wasmtime_extern_kind_t kind;
  wasmtime_extern_union_t of;
} wasmtime_extern_t;

/// wasmtime_valunion_t: 24 bytes (the GC references are the largest members).
typedef union wasmtime_valunion {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  cwt_gc_ref_t anyref;
  wasmtime_func_t funcref;
  uint8_t v128[16];
} wasmtime_valunion_t;

/// A typed value: 32 bytes (kind byte, union at offset 8).
typedef struct wasmtime_val {
  wasmtime_valkind_t kind;
  wasmtime_valunion_t of;
} wasmtime_val_t;

/// An untyped value: 16 bytes (declared for the layout check only).
typedef union wasmtime_val_raw {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
  uint8_t v128[16];
  uint32_t anyref;
  void *_Nullable funcref;
} wasmtime_val_raw_t;

// MARK: Callbacks
/// wasmtime_func_callback_t: a host function. Returns NULL on success or a trap.
typedef wasm_trap_t *_Nullable (*cwt_func_callback_t)(
    void *_Nullable env, wasmtime_caller_t *_Nullable caller, const wasmtime_val_t *_Nullable args,
    size_t nargs, wasmtime_val_t *_Nullable results, size_t nresults);

/// wasmtime_func_unchecked_callback_t: a host function on raw values. Arguments arrive in
/// `args_and_results[0..<nargs]`; results are written to `args_and_results[0..<nresults]`.
typedef wasm_trap_t *_Nullable (*cwt_func_unchecked_callback_t)(
    void *_Nullable env, wasmtime_caller_t *_Nullable caller, wasmtime_val_raw_t *_Nullable args_and_results,
    size_t num_args_and_results);

/// The epoch-deadline callback of wasmtime_store_epoch_deadline_callback: returns NULL to continue
/// (after setting *delta) or an error that ends the running call.
typedef wasmtime_error_t *_Nullable (*cwt_epoch_callback_t)(
    wasmtime_context_t *_Nullable context, void *_Nullable env, uint64_t *_Nullable delta,
    wasmtime_update_deadline_kind_t *_Nullable update_kind);

/// Releases an env pointer handed to the library.
typedef void (*cwt_finalizer_t)(void *_Nullable env);

// MARK: The function table filled by cwt_load
typedef struct cwt_api {
  // config and engine
  wasm_config_t *_Nullable (*_Nonnull wasm_config_new)(void);
  void (*_Nonnull wasmtime_config_consume_fuel_set)(wasm_config_t *_Nonnull, bool);
  void (*_Nonnull wasmtime_config_epoch_interruption_set)(wasm_config_t *_Nonnull, bool);
  void (*_Nonnull wasmtime_config_max_wasm_stack_set)(wasm_config_t *_Nonnull, size_t);
  // Wasmtime refuses (panics in wasm_engine_new_with_config) a max_wasm_stack above this (2 MiB default).
  void (*_Nonnull wasmtime_config_async_stack_size_set)(wasm_config_t *_Nonnull, size_t);
  void (*_Nonnull wasmtime_config_wasm_multi_memory_set)(wasm_config_t *_Nonnull, bool);
  void (*_Nonnull wasmtime_config_strategy_set)(wasm_config_t *_Nonnull, wasmtime_strategy_t);
  void (*_Nonnull wasmtime_config_cranelift_opt_level_set)(wasm_config_t *_Nonnull, wasmtime_opt_level_t);
  wasm_engine_t *_Nullable (*_Nonnull wasm_engine_new_with_config)(wasm_config_t *_Nonnull);
  void (*_Nonnull wasm_engine_delete)(wasm_engine_t *_Nonnull);
  void (*_Nonnull wasmtime_engine_increment_epoch)(wasm_engine_t *_Nonnull);

  // modules
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_module_new)(
      wasm_engine_t *_Nonnull, const uint8_t *_Nullable wasm, size_t len, wasmtime_module_t *_Nullable *_Nonnull out);
  void (*_Nonnull wasmtime_module_delete)(wasmtime_module_t *_Nonnull);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_module_serialize)(wasmtime_module_t *_Nonnull, wasm_byte_vec_t *_Nonnull out);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_module_deserialize_file)(
      wasm_engine_t *_Nonnull, const char *_Nonnull path, wasmtime_module_t *_Nullable *_Nonnull out);
  void (*_Nonnull wasm_byte_vec_delete)(wasm_byte_vec_t *_Nonnull);

  // stores
  wasmtime_store_t *_Nullable (*_Nonnull wasmtime_store_new)(
      wasm_engine_t *_Nonnull, void *_Nullable data, cwt_finalizer_t _Nullable finalizer);
  wasmtime_context_t *_Nonnull (*_Nonnull wasmtime_store_context)(wasmtime_store_t *_Nonnull);
  void (*_Nonnull wasmtime_store_delete)(wasmtime_store_t *_Nonnull);
  void (*_Nonnull wasmtime_store_limiter)(
      wasmtime_store_t *_Nonnull, int64_t memory_size, int64_t table_elements, int64_t instances,
      int64_t tables, int64_t memories);
  void (*_Nonnull wasmtime_store_epoch_deadline_callback)(
      wasmtime_store_t *_Nonnull, cwt_epoch_callback_t _Nonnull callback, void *_Nullable env,
      cwt_finalizer_t _Nullable finalizer);
  void (*_Nonnull wasmtime_context_set_epoch_deadline)(wasmtime_context_t *_Nonnull, uint64_t ticks_beyond_current);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_context_set_fuel)(wasmtime_context_t *_Nonnull, uint64_t fuel);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_context_get_fuel)(const wasmtime_context_t *_Nonnull, uint64_t *_Nonnull fuel);

  // linking and instances
  wasmtime_linker_t *_Nullable (*_Nonnull wasmtime_linker_new)(wasm_engine_t *_Nonnull);
  void (*_Nonnull wasmtime_linker_delete)(wasmtime_linker_t *_Nonnull);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_linker_define_func)(
      wasmtime_linker_t *_Nonnull, const char *_Nonnull module, size_t module_len, const char *_Nonnull name,
      size_t name_len, const wasm_functype_t *_Nonnull type, cwt_func_callback_t _Nonnull callback,
      void *_Nullable env, cwt_finalizer_t _Nullable finalizer);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_linker_define_func_unchecked)(
      wasmtime_linker_t *_Nonnull, const char *_Nonnull module, size_t module_len, const char *_Nonnull name,
      size_t name_len, const wasm_functype_t *_Nonnull type, cwt_func_unchecked_callback_t _Nonnull callback,
      void *_Nullable env, cwt_finalizer_t _Nullable finalizer);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_linker_instantiate)(
      const wasmtime_linker_t *_Nonnull, wasmtime_context_t *_Nonnull, const wasmtime_module_t *_Nonnull,
      wasmtime_instance_t *_Nonnull out, wasm_trap_t *_Nullable *_Nonnull trap);
  bool (*_Nonnull wasmtime_instance_export_get)(
      wasmtime_context_t *_Nonnull, const wasmtime_instance_t *_Nonnull, const char *_Nonnull name, size_t name_len,
      wasmtime_extern_t *_Nonnull item);

  // functions and callers
  wasm_functype_t *_Nullable (*_Nonnull wasmtime_func_type)(const wasmtime_context_t *_Nonnull, const wasmtime_func_t *_Nonnull);
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_func_call)(
      wasmtime_context_t *_Nonnull, const wasmtime_func_t *_Nonnull, const wasmtime_val_t *_Nullable args, size_t nargs,
      wasmtime_val_t *_Nullable results, size_t nresults, wasm_trap_t *_Nullable *_Nonnull trap);
  bool (*_Nonnull wasmtime_caller_export_get)(
      wasmtime_caller_t *_Nonnull, const char *_Nonnull name, size_t name_len, wasmtime_extern_t *_Nonnull item);
  wasmtime_context_t *_Nonnull (*_Nonnull wasmtime_caller_context)(wasmtime_caller_t *_Nonnull);

  // memory
  uint8_t *_Nullable (*_Nonnull wasmtime_memory_data)(const wasmtime_context_t *_Nonnull, const wasmtime_memory_t *_Nonnull);
  size_t (*_Nonnull wasmtime_memory_data_size)(const wasmtime_context_t *_Nonnull, const wasmtime_memory_t *_Nonnull);

  // types
  wasm_valtype_t *_Nullable (*_Nonnull wasm_valtype_new)(wasm_valkind_t);
  wasm_valkind_t (*_Nonnull wasm_valtype_kind)(const wasm_valtype_t *_Nonnull);
  void (*_Nonnull wasm_valtype_vec_new)(wasm_valtype_vec_t *_Nonnull out, size_t size, wasm_valtype_t *_Nullable const *_Nullable data);
  wasm_functype_t *_Nullable (*_Nonnull wasm_functype_new)(wasm_valtype_vec_t *_Nonnull params, wasm_valtype_vec_t *_Nonnull results);
  void (*_Nonnull wasm_functype_delete)(wasm_functype_t *_Nonnull);
  const wasm_valtype_vec_t *_Nonnull (*_Nonnull wasm_functype_params)(const wasm_functype_t *_Nonnull);
  const wasm_valtype_vec_t *_Nonnull (*_Nonnull wasm_functype_results)(const wasm_functype_t *_Nonnull);

  // errors and traps
  wasmtime_error_t *_Nullable (*_Nonnull wasmtime_error_new)(const char *_Nonnull message);
  void (*_Nonnull wasmtime_error_message)(const wasmtime_error_t *_Nonnull, wasm_name_t *_Nonnull out);
  void (*_Nonnull wasmtime_error_delete)(wasmtime_error_t *_Nonnull);
  wasm_trap_t *_Nullable (*_Nonnull wasmtime_trap_new)(const char *_Nonnull message, size_t len);
  bool (*_Nonnull wasmtime_trap_code)(const wasm_trap_t *_Nonnull, wasmtime_trap_code_t *_Nonnull code);
  void (*_Nonnull wasm_trap_message)(const wasm_trap_t *_Nonnull, wasm_message_t *_Nonnull out);
  void (*_Nonnull wasm_trap_trace)(const wasm_trap_t *_Nonnull, wasm_frame_vec_t *_Nonnull out);
  void (*_Nonnull wasm_trap_delete)(wasm_trap_t *_Nonnull);
  void (*_Nonnull wasm_frame_vec_delete)(wasm_frame_vec_t *_Nonnull);
  const wasm_name_t *_Nullable (*_Nonnull wasmtime_frame_func_name)(const wasm_frame_t *_Nonnull);
  uint32_t (*_Nonnull wasm_frame_func_index)(const wasm_frame_t *_Nonnull);
} cwt_api;

/// Loads the library at `path` with dlopen(RTLD_NOW | RTLD_LOCAL) and resolves every entry of
/// `cwt_api`. Returns the table (valid for the life of the process; the library is never closed),
/// or NULL with a readable reason in `error` (which is always NUL-terminated when `error_len > 0`).
const cwt_api *_Nullable cwt_load(const char *_Nonnull path, char *_Nonnull error, size_t error_len);

/// The number of entries in `cwt_api` (for tests).
size_t cwt_symbol_count(void);

/// The lowest address of the calling thread's stack (pthread_getattr_np), or 0 when unknown.
uintptr_t cwt_current_thread_stack_low(void);

#ifdef __cplusplus
}
#endif

#endif
