// Loads libwasmtime with dlopen and fills the cwt_api table with dlsym.
#include "cwasmtime.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The x86_64 layouts of Wasmtime 50.0.1's C API. A mismatch here means the header is wrong.
#if defined(__x86_64__)
_Static_assert(sizeof(wasm_byte_vec_t) == 16, "wasm_byte_vec_t is 16 bytes");
_Static_assert(offsetof(wasm_byte_vec_t, data) == 8, "wasm_byte_vec_t.data at 8");
_Static_assert(sizeof(wasm_valtype_vec_t) == 16, "wasm_valtype_vec_t is 16 bytes");
_Static_assert(sizeof(wasm_frame_vec_t) == 16, "wasm_frame_vec_t is 16 bytes");
_Static_assert(sizeof(wasmtime_func_t) == 16, "wasmtime_func_t is 16 bytes");
_Static_assert(sizeof(wasmtime_instance_t) == 16, "wasmtime_instance_t is 16 bytes");
_Static_assert(sizeof(wasmtime_memory_t) == 24, "wasmtime_memory_t is 24 bytes");
_Static_assert(offsetof(wasmtime_memory_t, private2) == 16, "wasmtime_memory_t.private2 at 16");
_Static_assert(sizeof(wasmtime_extern_union_t) == 24, "wasmtime_extern_union_t is 24 bytes");
_Static_assert(sizeof(wasmtime_extern_t) == 32, "wasmtime_extern_t is 32 bytes");
_Static_assert(offsetof(wasmtime_extern_t, of) == 8, "wasmtime_extern_t.of at 8");
_Static_assert(sizeof(wasmtime_valunion_t) == 24, "wasmtime_valunion_t is 24 bytes");
_Static_assert(sizeof(wasmtime_val_t) == 32, "wasmtime_val_t is 32 bytes");
_Static_assert(offsetof(wasmtime_val_t, of) == 8, "wasmtime_val_t.of at 8");
_Static_assert(sizeof(wasmtime_val_raw_t) == 16, "wasmtime_val_raw_t is 16 bytes");
#endif

typedef struct {
  const char *name;
  size_t offset;
} cwt_symbol;

#define CWT_SYMBOL(field) {#field, offsetof(cwt_api, field)}

static const cwt_symbol cwt_symbols[] = {
    CWT_SYMBOL(wasm_config_new),
    CWT_SYMBOL(wasmtime_config_consume_fuel_set),
    CWT_SYMBOL(wasmtime_config_epoch_interruption_set),
    CWT_SYMBOL(wasmtime_config_max_wasm_stack_set),
    CWT_SYMBOL(wasmtime_config_async_stack_size_set),
    CWT_SYMBOL(wasmtime_config_wasm_multi_memory_set),
    CWT_SYMBOL(wasmtime_config_strategy_set),
    CWT_SYMBOL(wasmtime_config_cranelift_opt_level_set),
    CWT_SYMBOL(wasm_engine_new_with_config),
    CWT_SYMBOL(wasm_engine_delete),
    CWT_SYMBOL(wasmtime_engine_increment_epoch),
    CWT_SYMBOL(wasmtime_module_new),
    CWT_SYMBOL(wasmtime_module_delete),
    CWT_SYMBOL(wasmtime_module_serialize),
    CWT_SYMBOL(wasmtime_module_deserialize_file),
    CWT_SYMBOL(wasm_byte_vec_delete),
    CWT_SYMBOL(wasmtime_store_new),
    CWT_SYMBOL(wasmtime_store_context),
    CWT_SYMBOL(wasmtime_store_delete),
    CWT_SYMBOL(wasmtime_store_limiter),
    CWT_SYMBOL(wasmtime_store_epoch_deadline_callback),
    CWT_SYMBOL(wasmtime_context_set_epoch_deadline),
    CWT_SYMBOL(wasmtime_context_set_fuel),
    CWT_SYMBOL(wasmtime_context_get_fuel),
    CWT_SYMBOL(wasmtime_linker_new),
    CWT_SYMBOL(wasmtime_linker_delete),
    CWT_SYMBOL(wasmtime_linker_define_func),
    CWT_SYMBOL(wasmtime_linker_define_func_unchecked),
    CWT_SYMBOL(wasmtime_linker_instantiate),
    CWT_SYMBOL(wasmtime_instance_export_get),
    CWT_SYMBOL(wasmtime_func_type),
    CWT_SYMBOL(wasmtime_func_call),
    CWT_SYMBOL(wasmtime_caller_export_get),
    CWT_SYMBOL(wasmtime_caller_context),
    CWT_SYMBOL(wasmtime_memory_data),
    CWT_SYMBOL(wasmtime_memory_data_size),
    CWT_SYMBOL(wasm_valtype_new),
    CWT_SYMBOL(wasm_valtype_kind),
    CWT_SYMBOL(wasm_valtype_vec_new),
    CWT_SYMBOL(wasm_functype_new),
    CWT_SYMBOL(wasm_functype_delete),
    CWT_SYMBOL(wasm_functype_params),
    CWT_SYMBOL(wasm_functype_results),
    CWT_SYMBOL(wasmtime_error_new),
    CWT_SYMBOL(wasmtime_error_message),
    CWT_SYMBOL(wasmtime_error_delete),
    CWT_SYMBOL(wasmtime_trap_new),
    CWT_SYMBOL(wasmtime_trap_code),
    CWT_SYMBOL(wasm_trap_message),
    CWT_SYMBOL(wasm_trap_trace),
    CWT_SYMBOL(wasm_trap_delete),
    CWT_SYMBOL(wasm_frame_vec_delete),
    CWT_SYMBOL(wasmtime_frame_func_name),
    CWT_SYMBOL(wasm_frame_func_index),
};

#define CWT_SYMBOL_COUNT (sizeof(cwt_symbols) / sizeof(cwt_symbols[0]))

// Every field of cwt_api is one function pointer, and every one is listed above.
_Static_assert(sizeof(cwt_api) == CWT_SYMBOL_COUNT * sizeof(void *), "cwt_symbols lists every cwt_api field");

size_t cwt_symbol_count(void) { return CWT_SYMBOL_COUNT; }

const cwt_api *cwt_load(const char *path, char *error, size_t error_len) {
  if (error_len > 0) error[0] = '\0';
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    const char *reason = dlerror();
    if (error_len > 0) snprintf(error, error_len, "dlopen failed: %s", reason ? reason : "unknown error");
    return NULL;
  }
  cwt_api *api = calloc(1, sizeof(cwt_api));
  if (api == NULL) {
    if (error_len > 0) snprintf(error, error_len, "out of memory");
    return NULL;
  }
  size_t missing = 0;
  size_t used = 0;
  for (size_t i = 0; i < CWT_SYMBOL_COUNT; i++) {
    void *symbol = dlsym(handle, cwt_symbols[i].name);
    if (symbol == NULL) {
      if (error_len > used) {
        int written = snprintf(error + used, error_len - used, "%s%s", missing == 0 ? "missing symbols: " : ", ",
                               cwt_symbols[i].name);
        if (written > 0) used += (size_t)written < error_len - used ? (size_t)written : error_len - used - 1;
      }
      missing++;
      continue;
    }
    memcpy((char *)api + cwt_symbols[i].offset, &symbol, sizeof(void *));
  }
  if (missing > 0) {
    free(api);
    // The handle stays open: closing a half-used library is riskier than keeping it mapped.
    return NULL;
  }
  // Intentionally never dlclose'd: compiled code and signal handlers live in the library.
  return api;
}
