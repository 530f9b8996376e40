//! The `deriv` command. All of its work happens in the library; see `deriv::cli`.

use std::process::ExitCode;

/// Expressions are many small nodes, built and dropped all the time: mimalloc's per-thread
/// free lists make that about a third cheaper than the system allocator (measured on the
/// batch benchmark), and the batch threads do not contend for one heap.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    deriv::cli::main()
}
