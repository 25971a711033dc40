//! Words about people: executives' titles, the particles inside names,
//! and the words of a firm's name that do not tell firms apart.

use regex::Regex;

use super::regex;

/// Words of executives' titles as labels and rosters write them; each
/// reader below adds the words its layout also needs.
pub const TITLES: &[&str] = &[
    "Chief",
    "Officer",
    "President",
    "Vice",
    "Director",
    "Chairman",
    "Chair",
    "Founder",
    "Treasurer",
    "Controller",
    "Secretary",
    "Relations",
    "CEO",
    "CFO",
    "COO",
    "CTO",
    "VP",
    "EVP",
    "SVP",
];

/// Lower-case words inside a name: "Ann van Lee", "Luis de la Cruz".
pub const NAME_PARTICLES: &[&str] = &["de", "van", "von", "da", "di", "del", "la", "le"];

/// Words of a firm's name that every firm may carry: "JPMorgan Chase &
/// Co, Research Division" and "JPMorgan Chase" are one firm.
pub const FIRM_NOISE: &[&str] = &[
    "research",
    "division",
    "llc",
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "ltd",
    "limited",
    "plc",
    "lp",
    "llp",
    "the",
    "and",
    "securities",
    "capital",
    "markets",
    "group",
    "partners",
    "incorporated",
    "ag",
    "sa",
    "nv",
];

/// A speaker label that names a company title rather than a person, in
/// any case: "Chief Financial Officer", "Head of Investor Relations",
/// "Company Representative".
pub fn title_label() -> &'static Regex {
    regex!(format!(
        r"(?i)\b(?:{}|head of|investor relations|executive|company representative|general counsel|representative|spokesperson)\b",
        TITLES.join("|")
    ))
}

/// A title in a speech-to-text cue ("over to Jo Doe, Senior Director of
/// Investor Relations"), capitalised as spoken names are.
pub fn spoken_title() -> &'static Regex {
    regex!(format!(r"\b(?:{}|Head)\b", TITLES.join("|")))
}

/// A roster's line of job words under a speaker's name, analysts' too
/// ("Analyst", "Research Division", "Partner").
pub fn title_line() -> &'static Regex {
    regex!(format!(
        r"\b(?:{}|Head|Chair\w*|Analyst|Division|Manager|Partner|Counsel)\b",
        TITLES.join("|")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_by_reader() {
        // (text, label, spoken, roster line)
        for (text, label, spoken, line) in [
            ("Chief Executive Officer", true, true, true),
            ("chief operating officer", true, false, false),
            ("COO", true, true, true),
            ("Founder", true, true, true),
            ("Controller", true, true, true),
            ("Head of Investor Relations", true, true, true),
            ("Company Representative", true, false, false),
            ("Chairwoman", false, false, true),
            ("Senior Analyst", false, false, true),
            ("Jane Roe", false, false, false),
            ("Big Bank", false, false, false),
        ] {
            assert_eq!(
                (
                    title_label().is_match(text),
                    spoken_title().is_match(text),
                    title_line().is_match(text)
                ),
                (label, spoken, line),
                "{text}"
            );
        }
    }

    #[test]
    fn firm_noise_leaves_what_tells_firms_apart() {
        for (firm, kept) in [
            ("JPMorgan Chase & Co, Research Division", "jpmorgan chase &"),
            ("The Goldman Sachs Group, Inc.", "goldman sachs"),
            ("Sanford C. Bernstein & Co. LLC", "sanford c. bernstein &"),
        ] {
            let words: Vec<String> = firm
                .split([' ', ','])
                .map(|w| w.trim_end_matches('.').to_lowercase())
                .filter(|w| !w.is_empty() && !FIRM_NOISE.contains(&w.as_str()))
                .collect();
            assert_eq!(words.join(" "), kept.replace('.', ""), "{firm}");
        }
    }
}
