//! Distinct counting over keyed fingerprints: exact while small, then a
//! HyperLogLog sketch, so a column of a hundred million e-mail addresses costs
//! a few kilobytes instead of gigabytes. Both forms merge exactly (a union,
//! never a sum), which is what combining shard inventories needs.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// Fingerprints are keyed hashes, already uniformly distributed: hashing
/// them again (SipHash, the default) only costs time.
#[derive(Debug, Clone, Copy, Default)]
pub struct FingerprintHasher(u64);

impl Hasher for FingerprintHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64s are hashed here; fold anything else in case.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A set of fingerprints.
pub type FingerprintSet = HashSet<u64, BuildHasherDefault<FingerprintHasher>>;

/// Fingerprints kept in place, without a table: most entities of most files
/// have no more (a table is an allocation and a rehash as it grows).
const FEW: usize = 4;
/// Exact sets switch to a sketch above this many values.
const EXACT_LIMIT: usize = 4096;
/// 2^12 registers: about 1.6% standard error.
const PRECISION: u32 = 12;
const REGISTERS: usize = 1 << PRECISION;

#[derive(Debug, Clone)]
pub enum DistinctCounter {
    /// Up to `FEW` distinct fingerprints, in arrival order.
    Few(arrayvec::ArrayVec<u64, FEW>),
    Exact(FingerprintSet),
    Sketch(Box<[u8; REGISTERS]>),
}

impl Default for DistinctCounter {
    fn default() -> Self {
        DistinctCounter::Few(arrayvec::ArrayVec::new())
    }
}

impl DistinctCounter {
    /// Adds a fingerprint (already a uniformly distributed keyed hash).
    pub fn insert(&mut self, hash: u64) {
        match self {
            DistinctCounter::Few(few) => {
                if !few.contains(&hash) && few.try_push(hash).is_err() {
                    let mut set =
                        FingerprintSet::with_capacity_and_hasher(2 * FEW, Default::default());
                    set.extend(few.iter().copied());
                    set.insert(hash);
                    *self = DistinctCounter::Exact(set);
                }
            }
            DistinctCounter::Exact(set) => {
                set.insert(hash);
                if set.len() > EXACT_LIMIT {
                    let mut registers = Box::new([0u8; REGISTERS]);
                    for &h in set.iter() {
                        sketch_insert(&mut registers, h);
                    }
                    *self = DistinctCounter::Sketch(registers);
                }
            }
            DistinctCounter::Sketch(registers) => sketch_insert(registers, hash),
        }
    }

    /// True when the count is exact.
    pub fn is_exact(&self) -> bool {
        !matches!(self, DistinctCounter::Sketch(_))
    }

    pub fn count(&self) -> u64 {
        match self {
            DistinctCounter::Few(few) => few.len() as u64,
            DistinctCounter::Exact(set) => set.len() as u64,
            DistinctCounter::Sketch(registers) => estimate(registers),
        }
    }

    /// A compact text form for inventories: `x` and the sorted fingerprints
    /// in hex while exact, `h` and the registers in hex once a sketch. Holds
    /// keyed 64-bit hashes (`FingerprintKey::distinct_bits`), never values.
    pub fn to_text(&self) -> String {
        match self {
            DistinctCounter::Few(_) | DistinctCounter::Exact(_) => {
                let mut values: Vec<u64> = self.exact_values().collect();
                values.sort_unstable();
                let mut text = String::with_capacity(1 + values.len() * 16);
                text.push('x');
                for v in values {
                    push_hex(&mut text, &v.to_be_bytes());
                }
                text
            }
            DistinctCounter::Sketch(registers) => {
                let mut text = String::with_capacity(1 + REGISTERS * 2);
                text.push('h');
                push_hex(&mut text, &registers[..]);
                text
            }
        }
    }

    /// Reads [`to_text`](Self::to_text)'s form back.
    pub fn from_text(text: &str) -> Option<DistinctCounter> {
        let (kind, hex) = text.split_at_checked(1)?;
        match kind {
            "x" if hex.len() % 16 == 0 => {
                let mut set = FingerprintSet::default();
                for i in (0..hex.len()).step_by(16) {
                    set.insert(u64::from_str_radix(hex.get(i..i + 16)?, 16).ok()?);
                }
                let mut counter = DistinctCounter::default();
                for h in set {
                    counter.insert(h);
                }
                Some(counter)
            }
            "h" if hex.len() == REGISTERS * 2 => {
                let mut registers = Box::new([0u8; REGISTERS]);
                for (i, r) in registers.iter_mut().enumerate() {
                    *r = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
                }
                Some(DistinctCounter::Sketch(registers))
            }
            _ => None,
        }
    }

    /// The fingerprints of an exact counter (none for a sketch).
    fn exact_values(&self) -> impl Iterator<Item = u64> + '_ {
        let (few, set): (&[u64], Option<&FingerprintSet>) = match self {
            DistinctCounter::Few(few) => (few, None),
            DistinctCounter::Exact(set) => (&[], Some(set)),
            DistinctCounter::Sketch(_) => (&[], None),
        };
        few.iter().chain(set.into_iter().flatten()).copied()
    }

    /// The union of two counters.
    pub fn merge(&mut self, other: &DistinctCounter) {
        match other {
            DistinctCounter::Few(_) | DistinctCounter::Exact(_) => {
                for h in other.exact_values() {
                    self.insert(h);
                }
            }
            DistinctCounter::Sketch(theirs) => {
                if self.is_exact() {
                    let mut registers = Box::new([0u8; REGISTERS]);
                    for h in self.exact_values() {
                        sketch_insert(&mut registers, h);
                    }
                    *self = DistinctCounter::Sketch(registers);
                }
                if let DistinctCounter::Sketch(mine) = self {
                    for (m, t) in mine.iter_mut().zip(theirs.iter()) {
                        *m = (*m).max(*t);
                    }
                }
            }
        }
    }
}

fn sketch_insert(registers: &mut [u8; REGISTERS], hash: u64) {
    let index = (hash >> (64 - PRECISION)) as usize;
    let rest = hash << PRECISION;
    let rank = (rest.leading_zeros() + 1).min(64 - PRECISION + 1) as u8;
    if registers[index] < rank {
        registers[index] = rank;
    }
}

fn estimate(registers: &[u8; REGISTERS]) -> u64 {
    let m = REGISTERS as f64;
    let alpha = 0.7213 / (1.0 + 1.079 / m);
    let sum: f64 = registers.iter().map(|&r| 2f64.powi(-(r as i32))).sum();
    let raw = alpha * m * m / sum;
    let zeros = registers.iter().filter(|&&r| r == 0).count();
    let estimate = if raw <= 2.5 * m && zeros > 0 {
        // Small-range correction: linear counting.
        m * (m / zeros as f64).ln()
    } else {
        raw
    };
    estimate.round() as u64
}

/// Appends `bytes` as lowercase hex, two digits a byte (a sketch has
/// thousands of registers: a formatted string for each cost milliseconds
/// per report).
fn push_hex(text: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(i: u64) -> u64 {
        let h = blake3::hash(&i.to_le_bytes());
        u64::from_le_bytes(h.as_bytes()[..8].try_into().unwrap())
    }

    #[test]
    fn exact_while_small() {
        let mut d = DistinctCounter::default();
        for i in 0..100 {
            d.insert(hash(i % 40));
        }
        assert!(d.is_exact());
        assert_eq!(d.count(), 40);
    }

    #[test]
    fn sketch_is_within_five_percent() {
        let mut d = DistinctCounter::default();
        for i in 0..200_000 {
            d.insert(hash(i));
        }
        assert!(!d.is_exact());
        let n = d.count() as f64;
        assert!((n - 200_000.0).abs() / 200_000.0 < 0.05, "estimate {n}");
    }

    #[test]
    fn merge_is_a_union_not_a_sum() {
        let mut a = DistinctCounter::default();
        let mut b = DistinctCounter::default();
        for i in 0..3000 {
            a.insert(hash(i));
        }
        for i in 2000..6000 {
            b.insert(hash(i));
        }
        a.merge(&b);
        let n = a.count() as f64;
        assert!((n - 6000.0).abs() / 6000.0 < 0.05, "estimate {n}");
        let mut c = DistinctCounter::default();
        c.insert(hash(1));
        let mut e = DistinctCounter::default();
        e.insert(hash(1));
        e.insert(hash(2));
        c.merge(&e);
        assert_eq!(c.count(), 2);
    }

    /// Counters of a few values, of more, and merges between the two,
    /// against a plain set of the values.
    #[test]
    fn few_values_count_and_merge_as_a_set_does() {
        let text_of = |values: &std::collections::BTreeSet<u64>| {
            let hex: String = values.iter().map(|v| format!("{v:016x}")).collect();
            format!("x{hex}")
        };
        for n in 0..(3 * FEW as u64) {
            for m in 0..(3 * FEW as u64) {
                let (mut a, mut b) = (DistinctCounter::default(), DistinctCounter::default());
                let mut expected = std::collections::BTreeSet::new();
                // Every value twice, in an order that is not sorted.
                for i in (0..n).chain((0..n).rev()) {
                    a.insert(hash(i));
                    expected.insert(hash(i));
                }
                assert_eq!((a.count(), a.is_exact()), (n, true));
                assert_eq!(a.to_text(), text_of(&expected));
                for i in n / 2..n / 2 + m {
                    b.insert(hash(i));
                    expected.insert(hash(i));
                }
                a.merge(&b);
                assert_eq!(a.count(), expected.len() as u64, "n {n}, m {m}");
                assert_eq!(a.to_text(), text_of(&expected), "n {n}, m {m}");
            }
        }
        // A sketch absorbs a few values as it absorbs a set of them.
        let mut many = DistinctCounter::default();
        for i in 0..(EXACT_LIMIT as u64 + 1) {
            many.insert(hash(i));
        }
        let mut few = DistinctCounter::default();
        let mut same_as_set = DistinctCounter::Exact(FingerprintSet::default());
        for i in [1u64 << 40, 1 << 41, 1 << 42] {
            few.insert(hash(i));
            same_as_set.insert(hash(i));
        }
        few.merge(&many);
        same_as_set.merge(&many);
        assert_eq!(few.to_text(), same_as_set.to_text());
        assert!(!few.is_exact());
    }

    #[test]
    fn text_form_round_trips() {
        let mut small = DistinctCounter::default();
        for h in [3u64, 1, 2, 3] {
            small.insert(h);
        }
        let back = DistinctCounter::from_text(&small.to_text()).unwrap();
        assert_eq!((back.count(), back.is_exact()), (3, true));
        let mut big = DistinctCounter::default();
        for h in 0..10_000u64 {
            big.insert(h.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        let back = DistinctCounter::from_text(&big.to_text()).unwrap();
        assert_eq!(back.count(), big.count());
        assert!(!back.is_exact());
        assert!(DistinctCounter::from_text("q00").is_none());
        assert!(DistinctCounter::from_text("x123").is_none());
    }

    #[test]
    fn text_form_is_sorted_hex_of_the_fingerprints_or_the_registers() {
        // Saved inventories hold this form: it must not change.
        let hashes = [0u64, 0x0f, 0xa0b1_c2d3_e4f5_0617, u64::MAX, 42];
        let mut exact = DistinctCounter::default();
        let mut sorted = hashes.to_vec();
        sorted.sort_unstable();
        for h in hashes {
            exact.insert(h);
        }
        let expected: String = sorted.iter().map(|h| format!("{h:016x}")).collect();
        assert_eq!(exact.to_text(), format!("x{expected}"));
        let mut sketch = DistinctCounter::default();
        for h in 0..10_000u64 {
            sketch.insert(h.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        let DistinctCounter::Sketch(registers) = &sketch else {
            panic!("a sketch past the exact limit");
        };
        let expected: String = registers.iter().map(|r| format!("{r:02x}")).collect();
        assert_eq!(sketch.to_text(), format!("h{expected}"));
    }
}
