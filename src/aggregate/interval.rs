//! Confidence intervals on shares: a call holds only 6 to 20 questions, so
//! a share alone says little about how far it could move.

/// The 95% Wilson score interval for `k` successes in `n` trials; unlike
/// the normal approximation it stays inside [0, 1] and is sane at k = 0.
pub fn wilson(k: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((center - half).max(0.0), (center + half).min(1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson's interval for k of n, to the 4 decimals papers print.
    fn interval(k: usize, n: usize) -> (f64, f64) {
        let (lo, hi) = wilson(k, n).unwrap();
        ((lo * 1e4).round() / 1e4, (hi * 1e4).round() / 1e4)
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857-872, table I,
        // method 3 (score interval without continuity correction).
        assert_eq!(interval(81, 263), (0.2553, 0.3662));
        assert_eq!(interval(15, 148), (0.0624, 0.1605));
        assert_eq!(interval(0, 20), (0.0, 0.1611));
        assert_eq!(interval(1, 29), (0.0061, 0.1718));
        // Symmetric around one half, and clamped at the ends.
        assert_eq!(interval(5, 10), (0.2366, 0.7634));
        assert_eq!(interval(10, 10), (0.7225, 1.0));
        assert_eq!(wilson(0, 0), None);
    }
}
