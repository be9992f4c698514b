//! Retention durations (`0`, `12h`, `30d`, `2y`, `indefinite`) and calendar dates for waivers.
//! Both parse from the text a reviewer writes and compare without any time-zone subtleties.

use std::fmt;

/// How long data is kept. `mo` is 30 days, `y` 365 (SPEC §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Duration {
    Hours(u64),
    Indefinite,
}

impl Duration {
    pub const ZERO: Duration = Duration::Hours(0);

    pub fn parse(text: &str) -> Option<Duration> {
        let text = text.trim();
        if text == "indefinite" {
            return Some(Duration::Indefinite);
        }
        if text == "0" {
            return Some(Duration::ZERO);
        }
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().ok()?;
        let hours_per_unit = match unit {
            "h" => 1,
            "d" => 24,
            "w" => 24 * 7,
            "mo" => 24 * 30,
            "y" => 24 * 365,
            _ => return None,
        };
        number.checked_mul(hours_per_unit).map(Duration::Hours)
    }

    pub fn is_zero(self) -> bool {
        self == Duration::ZERO
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Duration::Indefinite => f.write_str("indefinite"),
            Duration::Hours(0) => f.write_str("0"),
            Duration::Hours(h) if h % (24 * 365) == 0 => write!(f, "{}y", h / (24 * 365)),
            Duration::Hours(h) if h % 24 == 0 => write!(f, "{}d", h / 24),
            Duration::Hours(h) => write!(f, "{h}h"),
        }
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// Now, in UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn now_utc() -> String {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let date = Date::from_days_since_epoch((secs / 86_400) as i64);
        let s = secs % 86_400;
        format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, s % 3600 / 60, s % 60)
    }

    /// Howard Hinnant's civil-from-days algorithm.
    fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_durations() {
        assert_eq!(Duration::parse("0"), Some(Duration::ZERO));
        assert_eq!(Duration::parse("30d"), Some(Duration::Hours(720)));
        assert_eq!(Duration::parse("12h"), Some(Duration::Hours(12)));
        assert_eq!(Duration::parse("2y"), Some(Duration::Hours(2 * 365 * 24)));
        assert_eq!(Duration::parse("indefinite"), Some(Duration::Indefinite));
        assert!(Duration::parse("indefinite") > Duration::parse("100y"));
        for bad in ["", "d", "30", "30x", "-1d", "1.5d", "99999999999999999999y"] {
            assert_eq!(Duration::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_parse_strictly_and_today_is_plausible() {
        assert_eq!(Date::parse("2027-06-30").unwrap().to_string(), "2027-06-30");
        assert_eq!(Date::parse("2024-02-30"), None);
        assert_eq!(Date::parse("2024-13-01"), None);
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(19_723).to_string(),
            "2024-01-01"
        );
        assert!(Date::today().year >= 2024);
    }
}
