//! `data_residency`: the fields stay in systems established in the listed countries (`EEA`
//! stands for its members); a system elsewhere violates, one whose country is unknown is
//! undetermined. A device in its user's hands is wherever its user is, and never counts.

use super::{Checker, Reads};
use crate::engine::finding::{FindingHead, Note, Verdict};
use crate::engine::graph::ReachOptions;
use crate::model::{Claim, EEA};

pub fn check(checker: &Checker, claim: &Claim) -> Vec<FindingHead> {
    let allowed = |country: &str| {
        claim
            .countries
            .iter()
            .any(|c| c == country || (c == "EEA" && EEA.contains(&country)))
    };
    let options = ReachOptions {
        include_derived: claim.include_derived,
    };
    // Wherever the data comes from, read or not: ciphertext stored abroad resides abroad.
    checker.judge_arrivals(claim, &options, true, Reads::Anything, |model, arrival| {
        let country = model.established(arrival.target)?;
        match country {
            Some(c) if allowed(c) => None,
            Some(c) => Some((
                Verdict::of(arrival.certainty),
                vec![Note::Country(Some(c.to_owned()))],
            )),
            None => Some((Verdict::Undetermined, vec![Note::Country(None)])),
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::test_support::{WORLD, model, run};

    #[test]
    fn a_system_abroad_violates_an_unknown_one_is_undetermined_a_phone_never_counts() {
        let m = model(&format!(
            "{WORLD}  eu-db: {{operated_by: app-co, country: DE, kind: store}}\n  us-cdn: {{operated_by: app-co, country: US}}\nflows:\n  - {{from: app, to: server, fields: [user.contact.email]}}\n  - {{from: server, to: eu-db, fields: [user.contact.email]}}\n  - {{from: server, to: us-cdn, fields: [user.contact.email]}}\nclaims:\n  - {{id: c, kind: data_residency, fields: [user.contact.email], countries: [EEA]}}\n"
        ));
        assert_eq!(
            run(&m, "c"),
            [
                "undetermined user.contact.email@server: app>server",
                "violated user.contact.email@us-cdn: app>server>us-cdn"
            ]
        );
    }
}
