//! hello: a WASI command in Rust that greets, lists its arguments and says which module it is.
//!   station run .build-examples/rust-hello.wasm Alice
//! Prints "Hello from Rust on Station!", one "argument: X" line per argument, and
//! "module: NAME" (the station ABI's module name).

fn main() {
    println!("Hello from Rust on Station!");
    for argument in std::env::args().skip(1) {
        println!("argument: {}", argument);
    }
    match station::identity::module_name() {
        Ok(name) => println!("module: {}", name),
        Err(error) => eprintln!("hello: no module name: {}", error),
    }
}
