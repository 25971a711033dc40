//! Quarters as types: a calendar `Quarter` (`2025Q4`) and a company's own
//! `FiscalPeriod` (`FY2026 Q2`). Both are read and written as those
//! strings (serde included), so JSON and CSV show them as before; parsing
//! happens once, where a quarter enters the program.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar quarter, written `2025Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    pub quarter: u8,
}

impl Quarter {
    /// `2025Q4` for any day of October to December 2025.
    pub fn of_date(d: NaiveDate) -> Quarter {
        Quarter {
            year: d.year(),
            quarter: (d.month0() / 3 + 1) as u8,
        }
    }

    /// The quarters from `self` to `last`, both included.
    pub fn through(self, last: Quarter) -> impl Iterator<Item = Quarter> {
        std::iter::successors(Some(self), |q| {
            Some(if q.quarter == 4 {
                Quarter {
                    year: q.year + 1,
                    quarter: 1,
                }
            } else {
                Quarter {
                    quarter: q.quarter + 1,
                    ..*q
                }
            })
        })
        .take_while(move |q| *q <= last)
    }
}

/// A company's own name for a quarter: fiscal year and quarter 1-4, written `FY2026 Q2`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FiscalPeriod {
    pub year: i32,
    pub quarter: u8,
}

impl FiscalPeriod {
    /// The same year and quarter as a `Quarter`, for grouping by fiscal quarter.
    pub fn as_quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            quarter: self.quarter,
        }
    }
}

/// `2025Q3`, `2025 Q3`, `FY2026 Q2` and `FY2026Q2` (case and spaces
/// ignored) to year and quarter.
fn parse(s: &str) -> Result<(i32, u8), String> {
    let bad = || format!("not a quarter: {s:?} (expected e.g. 2025Q3)");
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let t = t.strip_prefix("FY").unwrap_or(&t);
    let (year, q) = t.split_once('Q').ok_or_else(bad)?;
    let year: i32 = year.parse().map_err(|_| bad())?;
    let quarter: u8 = q.parse().map_err(|_| bad())?;
    if !(1..=4).contains(&quarter) || !(1900..=2200).contains(&year) {
        return Err(bad());
    }
    Ok((year, quarter))
}

impl FromStr for Quarter {
    type Err = String;
    fn from_str(s: &str) -> Result<Quarter, String> {
        parse(s).map(|(year, quarter)| Quarter { year, quarter })
    }
}

impl FromStr for FiscalPeriod {
    type Err = String;
    fn from_str(s: &str) -> Result<FiscalPeriod, String> {
        parse(s).map(|(year, quarter)| FiscalPeriod { year, quarter })
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl fmt::Display for FiscalPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FY{} Q{}", self.year, self.quarter)
    }
}

/// Serde as the `Display` string, read back through `FromStr`.
macro_rules! serde_as_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

serde_as_string!(Quarter);
serde_as_string!(FiscalPeriod);

/// Serde for an optional fiscal period written as a string that is empty
/// when the period is unknown (`"fiscal_period": ""`), as questions have
/// always been written.
pub mod fiscal_or_empty {
    use super::*;

    /// `FY2026 Q2`, or `""` for an unknown period.
    pub fn label(f: Option<FiscalPeriod>) -> String {
        f.map(|f| f.to_string()).unwrap_or_default()
    }

    pub fn serialize<S: Serializer>(f: &Option<FiscalPeriod>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&label(*f))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FiscalPeriod>, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim() {
            "" => Ok(None),
            t => t.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_in_every_spelling_and_step() {
        let q = Quarter { year: 2026, quarter: 2 };
        for s in ["2026Q2", "2026 q2", "FY2026 Q2", "fy2026q2"] {
            assert_eq!(s.parse::<Quarter>().unwrap(), q, "{s}");
        }
        assert!("2026Q5".parse::<Quarter>().is_err());
        assert!("Q2".parse::<Quarter>().is_err());
        let from: Quarter = "2025Q3".parse().unwrap();
        let seq: Vec<String> = from.through("2026Q1".parse().unwrap()).map(|q| q.to_string()).collect();
        assert_eq!(seq, ["2025Q3", "2025Q4", "2026Q1"]);
        assert_eq!(
            Quarter::of_date(NaiveDate::from_ymd_opt(2025, 12, 10).unwrap()).to_string(),
            "2025Q4"
        );
    }

    #[test]
    fn serde_writes_the_strings_questions_always_held() {
        let f: FiscalPeriod = "fy2026q2".parse().unwrap();
        assert_eq!(serde_json::to_string(&f).unwrap(), r#""FY2026 Q2""#);
        assert_eq!(serde_json::to_string(&f.as_quarter()).unwrap(), r#""2026Q2""#);
        assert_eq!(
            serde_json::from_str::<Quarter>(r#""2025Q4""#).unwrap().to_string(),
            "2025Q4"
        );
        assert!(serde_json::from_str::<Quarter>(r#""soon""#).is_err());
    }
}
