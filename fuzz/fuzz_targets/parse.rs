//! Arbitrary bytes into the parser: it must return a value or an error, never panic,
//! overflow the stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = deriv::parse(text);
    }
});
