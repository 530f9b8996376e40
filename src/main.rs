//! The `deriv` command. All of its work happens in the library; see `deriv::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    deriv::cli::main()
}
