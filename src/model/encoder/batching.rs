//! Which sentences run together: padded batches of similar lengths, or
//! packed runs of a token budget.

/// Padding allowed in a batch, as a share of its real tokens.
const MAX_PADDING: f64 = 0.25;

/// Splits lengths sorted longest first into runs of at most `batch_size`
/// that are each padded to their first (longest) member: a run also ends
/// where one more member would push its padding past `MAX_PADDING`, since
/// attention costs grow with the square of the padded length.
pub fn batches(lens: &[usize], batch_size: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < lens.len() {
        let longest = lens[start];
        let (mut end, mut real) = (start + 1, longest);
        while end < lens.len() && end - start < batch_size {
            let padded = (end - start + 1) * longest;
            if padded as f64 > (real + lens[end]) as f64 * (1.0 + MAX_PADDING) {
                break;
            }
            real += lens[end];
            end += 1;
        }
        out.push(start..end);
        start = end;
    }
    out
}

/// Tokens per packed batch: enough rows for the matrix products to run
/// at full speed on every core, few enough that a batch's activations
/// (1,536 floats a token in the feed-forward layer) stay near L3's size.
pub(super) const PACKED_TOKENS: usize = 2048;

/// Cuts lengths into consecutive runs of at most `tokens` tokens (a
/// longer sentence runs alone): packed batches have no padding, so only
/// the size matters.
pub fn packed_batches(lens: &[usize], tokens: usize) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for (i, &len) in lens.iter().enumerate() {
        if i > start && sum + len > tokens {
            out.push(start..i);
            (start, sum) = (i, 0);
        }
        sum += len;
    }
    if start < lens.len() {
        out.push(start..lens.len());
    }
    out
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_cover_everything_in_order_with_little_padding() {
        let lens = [250, 240, 120, 110, 100, 100, 100, 100, 100, 40, 12, 12];
        let b = batches(&lens, 4);
        assert_eq!(b, [0..3, 3..7, 7..10, 10..12]);
        for r in &b {
            let real: usize = lens[r.clone()].iter().sum();
            assert!((r.len() * lens[r.start]) as f64 <= real as f64 * (1.0 + MAX_PADDING));
        }
        assert_eq!(batches(&[5; 10], 32), vec![0..10]);
        assert!(batches(&[], 8).is_empty());
    }
}
