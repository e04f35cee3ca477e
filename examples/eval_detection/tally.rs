//! Recall per transform, counted against the reference: of the copies the reference catches, how many the
//! device catches with a strong hit (what the default policy acts on), and with a weak or strong one.
//! Copies the reference misses are counted too ("beyond the reference": borders, screenshots, crops).

use imageguard::filter::MatchStrength;
use std::collections::BTreeMap;

/// What the device made of one copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The decoder refused the file (too large, unsupported).
    Refused,
    Miss,
    Weak,
    Strong,
}

impl Outcome {
    pub fn of(refused: bool, strength: Option<MatchStrength>) -> Outcome {
        match (refused, strength) {
            (true, _) => Outcome::Refused,
            (false, None) => Outcome::Miss,
            (false, Some(MatchStrength::Weak)) => Outcome::Weak,
            (false, Some(MatchStrength::Strong)) => Outcome::Strong,
        }
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub copies: u32,
    pub refused: u32,
    pub reference: u32,
    pub strong_among_reference: u32,
    pub any_among_reference: u32,
    pub strong: u32,
    pub any: u32,
}

impl Counts {
    fn add(&mut self, reference_catches: bool, outcome: Outcome) {
        let strong = outcome == Outcome::Strong;
        let any = strong || outcome == Outcome::Weak;
        self.copies += 1;
        self.refused += u32::from(outcome == Outcome::Refused);
        self.reference += u32::from(reference_catches);
        self.strong_among_reference += u32::from(reference_catches && strong);
        self.any_among_reference += u32::from(reference_catches && any);
        self.strong += u32::from(strong);
        self.any += u32::from(any);
    }

    fn merge(&mut self, other: &Counts) {
        self.copies += other.copies;
        self.refused += other.refused;
        self.reference += other.reference;
        self.strong_among_reference += other.strong_among_reference;
        self.any_among_reference += other.any_among_reference;
        self.strong += other.strong;
        self.any += other.any;
    }

    /// Strong-hit recall over the copies the reference catches (the headline figure).
    pub fn strong_recall(&self) -> f64 {
        ratio(self.strong_among_reference, self.reference)
    }

    pub fn any_recall(&self) -> f64 {
        ratio(self.any_among_reference, self.reference)
    }

    /// One row of the per-transform table (the strong-only recall in bold for the total).
    fn table_row(&self, label: &str, bold: bool) -> String {
        let strong = fmt_ratio(self.strong_recall());
        let strong = if bold { format!("**{strong}**") } else { strong };
        format!(
            "| {label} | {}/{} | {} | {strong} | {} | {}/{} | {} |",
            self.reference,
            self.copies,
            self.strong_among_reference,
            fmt_ratio(self.any_recall()),
            self.strong,
            self.copies,
            self.refused
        )
    }
}

pub fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 {
        return f64::NAN;
    }
    f64::from(a) / f64::from(b)
}

#[derive(Default)]
pub struct Tally {
    per_transform: BTreeMap<String, Counts>,
}

impl Tally {
    pub fn add(&mut self, transform: &str, reference_catches: bool, outcome: Outcome) {
        self.per_transform.entry(transform.to_string()).or_default().add(reference_catches, outcome);
    }

    /// All transforms together.
    pub fn total(&self) -> Counts {
        let mut total = Counts::default();
        for counts in self.per_transform.values() {
            total.merge(counts);
        }
        total
    }

    pub fn get(&self, transform: &str) -> Counts {
        self.per_transform.get(transform).copied().unwrap_or_default()
    }

    /// The per-transform table (Markdown).
    pub fn print_table(&self) {
        println!("| transform | reference catches | strong among those | recall strong-only | recall with weak | strong, all copies | refused |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (transform, c) in &self.per_transform {
            println!("{}", c.table_row(transform, false));
        }
        println!("{}", self.total().table_row("**all**", true));
    }
}

pub fn fmt_ratio(value: f64) -> String {
    if value.is_nan() {
        "-".to_string()
    } else {
        format!("{value:.3}")
    }
}
