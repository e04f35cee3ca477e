//! Query-adaptive multi-probe order (Lv et al., "Multi-probe LSH", VLDB 2007; Joly and Buisson,
//! "A posteriori multi-probe LSH", 2008), for one band.
//!
//! A band matches exactly only if none of its bits flipped. The device knows which of its own bits are
//! fragile: those whose DCT coefficient lies close to the median (a small margin). So after its own band
//! value it probes the values with the least reliable bits flipped, in increasing order of the summed
//! margins of the flipped bits: the likeliest neighbours first. Subsets are generated in exactly that order
//! with the classic shift/expand heap over the sorted margins.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// At most this many of a band's least reliable bits are ever flipped.
pub const MAX_FLIP_CANDIDATES: usize = 24;

/// Flip masks (over the band value's bits) for the first `budget` probes of a band, starting with 0 (the
/// band's own value). `margins[i]` is the margin of the band's bit `i`.
pub fn probe_masks(margins: &[f32], budget: usize, out: &mut Vec<u64>) {
    out.clear();
    if budget == 0 {
        return;
    }
    out.push(0);
    // The least reliable bits, most fragile first.
    let mut order: Vec<(f32, u8)> = margins.iter().enumerate().map(|(i, &m)| (m, i as u8)).collect();
    order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    order.truncate(MAX_FLIP_CANDIDATES);
    let scores: Vec<u64> = order.iter().map(|(m, _)| (f64::from(m.abs()) * 1024.0) as u64).collect();
    let bits: Vec<u64> = order.iter().map(|&(_, i)| 1u64 << i).collect();
    let (Some(&first_score), Some(&first_bit)) = (scores.first(), bits.first()) else { return };
    // Heap entries: (summed score, highest sorted index in the set, mask over the band's bits).
    let mut heap = BinaryHeap::with_capacity(2 * budget);
    heap.push(Reverse((first_score, 0usize, first_bit)));
    while out.len() < budget {
        let Some(Reverse((score, last, mask))) = heap.pop() else { break };
        out.push(mask);
        if let (Some(&next_score), Some(&next_bit)) = (scores.get(last + 1), bits.get(last + 1)) {
            // Shift: replace the last flipped bit by the next one.
            let this_score = scores.get(last).copied().unwrap_or(0);
            let this_bit = bits.get(last).copied().unwrap_or(0);
            heap.push(Reverse((score - this_score + next_score, last + 1, mask ^ this_bit ^ next_bit)));
            // Expand: also flip the next one.
            heap.push(Reverse((score + next_score, last + 1, mask | next_bit)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_come_in_increasing_summed_margin_order_without_repeats() {
        let margins: Vec<f32> = (0..56).map(|i| ((i * 37) % 56) as f32 * 0.5 + 0.25).collect();
        let mut masks = Vec::new();
        probe_masks(&margins, 300, &mut masks);
        assert_eq!(masks.len(), 300);
        assert_eq!(masks[0], 0);
        let cost = |mask: u64| (0..56).filter(|i| mask >> i & 1 == 1).map(|i| margins[i]).sum::<f32>();
        for pair in masks.windows(2) {
            assert!(cost(pair[0]) <= cost(pair[1]) + 0.01, "order broken");
        }
        let mut unique = masks.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), masks.len());
        // The single most fragile bit comes right after the exact value.
        let weakest = (0..56).min_by(|&a, &b| margins[a].total_cmp(&margins[b])).unwrap();
        assert_eq!(masks[1], 1 << weakest);
    }
}
