//! Arithmetic modulo the prime `2^61 - 1`, for images of polynomials: a polynomial mapped to
//! residues answers questions (are two polynomials coprime? is this a root?) in machine
//! words, where exact arithmetic would grow its numbers; the images only ever rule things
//! out or settle them with a proof (see their users in `gcd` and `factor`).

use crate::num::inverse_mod;

/// The prime of the images: `2^61 - 1`, so that an unlucky choice (a leading coefficient or a
/// resultant that vanishes modulo it) is rare, and products of residues fit in 128 bits.
pub(super) const PRIME: u64 = (1 << 61) - 1;

/// `a * b` modulo [`PRIME`], for residues: the 122-bit product folded at bit 61 (the prime
/// is `2^61 - 1`, so `2^61 = 1`), without a 128-bit division.
pub(super) fn mul(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    let folded = (product as u64 & PRIME) + (product >> 61) as u64;
    if folded >= PRIME {
        folded - PRIME
    } else {
        folded
    }
}

/// `a + b` modulo [`PRIME`], for residues.
pub(super) fn add(a: u64, b: u64) -> u64 {
    let sum = a + b;
    if sum >= PRIME { sum - PRIME } else { sum }
}

/// The inverse of a residue modulo [`PRIME`]; `None` for zero.
pub(super) fn inverse(a: u64) -> Option<u64> {
    inverse_mod(a, PRIME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn folded_arithmetic_is_arithmetic_modulo_the_prime(a in 0..PRIME, b in 0..PRIME) {
            let p = u128::from(PRIME);
            prop_assert_eq!(u128::from(mul(a, b)), u128::from(a) * u128::from(b) % p);
            prop_assert_eq!(u128::from(add(a, b)), (u128::from(a) + u128::from(b)) % p);
        }
    }

    #[test]
    fn folding_handles_the_largest_residues() {
        let top = PRIME - 1;
        assert_eq!(mul(top, top), 1);
        assert_eq!(add(top, 1), 0);
        assert_eq!(mul(top, 0), 0);
    }
}
