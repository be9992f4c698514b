//! The model read straight from parser events: one pass over granit-parser's events builds the
//! raw document, with no serde in between, for the plain YAML that models are written in.
//!
//! Anything outside that subset — anchors, aliases, tags, unknown or repeated keys, a wrong type,
//! a scalar whose YAML type is in doubt, a second document, a syntax error — makes the reader
//! step aside: serde-saphyr then reads the file and accepts it or words the error, so what a
//! file means and how its mistakes are reported never depend on which of the two read it.

use std::borrow::Cow;
use std::collections::HashSet;

use granit_parser::{Event, Parser, ScalarStyle, Span as ParserSpan, StrInput};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::{DeserializeOwned, IntoDeserializer};

use super::parse::TOP_LEVEL_KEYS;
use super::raw::{
    RawClaim, RawCollect, RawDisclosure, RawDocument, RawEntity, RawFlow, RawPolicy, RawShare,
    RawSystem, RawTaxon, RawTaxonomy, RawWaiver, Refs, SpannedMap, Text,
};
use super::span::{Loc, Spanned};

mod pieces;

/// Pieces smaller than this are not worth a thread.
const MIN_PIECE: usize = 1 << 20;

/// Reads a model document, or `None` when serde-saphyr must read it instead. A long `flows:`
/// list is read in pieces on every core; what is read never depends on how many there are.
pub fn read_document(text: &str) -> Option<RawDocument> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    read_in_pieces(text, cores, MIN_PIECE).or_else(|| read_whole(text))
}

/// Reads the file in one pass on this thread.
fn read_whole(text: &str) -> Option<RawDocument> {
    Reader::new(text, Shift::NONE, event_budget(text))
        .document()
        .ok()
}

/// Reads the `flows:` list in at most `parts` pieces of at least `min_piece` bytes, each on a
/// thread of its own, and the rest of the file with the list cut out on this one; `None` when
/// the file cannot be cut or any reading steps aside (the whole file then reads in one pass).
fn read_in_pieces(text: &str, parts: usize, min_piece: usize) -> Option<RawDocument> {
    let plan = pieces::plan(text, parts, min_piece)?;
    let rest = [&text[..plan.start], &text[plan.end..]].concat();
    let budget = event_budget(text);
    let cut_out = Shift {
        cut: plan.start,
        bytes: plan.end - plan.start,
        lines: plan.lines,
    };
    let (document, read) = std::thread::scope(|scope| {
        let others: Vec<_> = plan.pieces[1..]
            .iter()
            .map(|&piece| scope.spawn(move || read_piece(text, piece, budget)))
            .collect();
        let mut reader = Reader::new(&rest, cut_out, budget);
        reader.flows_cut_out_at = Some(plan.key);
        let document = reader.document().map(|d| (d, reader.events_read()));
        let first = read_piece(text, plan.pieces[0], budget);
        let read: Vec<_> = std::iter::once(first)
            .chain(
                others
                    .into_iter()
                    .map(|t| t.join().unwrap_or(Err(StepAside))),
            )
            .collect();
        (document, read)
    });
    let (mut document, mut events) = document.ok()?;
    let mut read = read.into_iter();
    let (mut flows, first_events) = read.next()?.ok()?;
    events += first_events;
    for piece in read {
        let (mut list, piece_events) = piece.ok()?;
        flows.append(&mut list);
        events += piece_events;
    }
    // As many events as the file read in one pass: the null under `flows:` is a list's start
    // and end there (one more), and no piece's stream, document and list marks (six each).
    let one_pass = (events + 1).checked_sub(6 * plan.pieces.len())?;
    if one_pass > budget {
        return None;
    }
    document.flows = Some(flows);
    Some(document)
}

/// One piece of the `flows:` list read as a list of its own, with the events it took.
fn read_piece(
    text: &str,
    piece: pieces::Piece,
    budget: usize,
) -> Read<(Vec<Spanned<RawFlow>>, usize)> {
    let shift = Shift {
        cut: 0,
        bytes: piece.start,
        lines: piece.lines_before,
    };
    let mut reader = Reader::new(&text[piece.start..piece.end], shift, budget);
    // As deep as the list is in the whole file: under the document's mapping.
    reader.depth = 1;
    let flows = reader.only_document(|r| r.list(Reader::flow))?;
    Ok((flows, reader.events_read()))
}

/// serde-saphyr's event budget for this file: past it, serde words the error.
fn event_budget(text: &str) -> usize {
    super::parse::options_for(text.len())
        .budget
        .map_or(0, |budget| budget.max_events)
}

/// The differential check of the unit tests and the `model` fuzz target: whether the reader read
/// `text` itself (`false`: it stepped aside). Panics, showing both readings, when what it read
/// differs in any value or location from what serde-saphyr reads, or serde-saphyr refuses it.
#[doc(hidden)]
pub fn reads_as_serde_does(text: &str) -> bool {
    let Some(fast) = read_whole(text) else {
        return false;
    };
    // Cut into pieces as small as the file allows, the reading is the same.
    if let Some(cut) = read_in_pieces(text, 3, 1) {
        assert_eq!(
            format!("{cut:#?}"),
            format!("{fast:#?}"),
            "in pieces:\n{text}"
        );
    }
    let options = super::parse::options_for(text.len());
    match serde_saphyr::from_str_with_options::<RawDocument>(text, options) {
        Ok(slow) => assert_eq!(format!("{fast:#?}"), format!("{slow:#?}"), "in\n{text}"),
        Err(e) => panic!("the reader accepted what serde-saphyr refuses ({e}):\n{text}"),
    }
    true
}

/// The file needs serde-saphyr: to accept what this reader does not, or to word an error.
struct StepAside;

type Read<T> = Result<T, StepAside>;

/// Nesting this reader follows; deeper files go to serde-saphyr and its depth budget.
const MAX_DEPTH: usize = 48;

struct Reader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    peeked: Option<(Event<'a>, Loc)>,
    depth: usize,
    events_left: usize,
    budget: usize,
    /// Where the text read stands in the file.
    shift: Shift,
    /// The offset of a `flows` key whose list was cut out of the text, to be read in pieces.
    flows_cut_out_at: Option<usize>,
}

/// How offsets and lines in the text read map to the file: from `cut` on, they move by
/// `bytes` and `lines` (a piece of the file, or the file with a piece cut out).
#[derive(Clone, Copy)]
struct Shift {
    cut: usize,
    bytes: usize,
    lines: usize,
}

impl Shift {
    const NONE: Shift = Shift {
        cut: usize::MAX,
        bytes: 0,
        lines: 0,
    };

    fn offset(self, at: usize) -> usize {
        if at >= self.cut { at + self.bytes } else { at }
    }

    /// The file's line of a position on `line` of the text read.
    fn line(self, at: usize, line: usize) -> usize {
        if at >= self.cut {
            line + self.lines
        } else {
            line
        }
    }
}

impl<'a> Reader<'a> {
    /// A reader of `text`, standing at `shift` in a file with the given event budget.
    fn new(text: &'a str, shift: Shift, budget: usize) -> Reader<'a> {
        Reader {
            parser: Parser::new_from_str(text),
            peeked: None,
            depth: 0,
            events_left: budget,
            budget,
            shift,
            flows_cut_out_at: None,
        }
    }

    fn events_read(&self) -> usize {
        self.budget - self.events_left
    }

    fn document(&mut self) -> Read<RawDocument> {
        self.only_document(Self::raw_document)
    }

    /// The one document of the stream, read by `body`.
    fn only_document<T>(&mut self, body: impl FnOnce(&mut Self) -> Read<T>) -> Read<T> {
        self.expect(|e| matches!(e, Event::StreamStart))?;
        self.expect(|e| matches!(e, Event::DocumentStart(..)))?;
        let read = body(self)?;
        self.expect(|e| matches!(e, Event::DocumentEnd))?;
        self.expect(|e| matches!(e, Event::StreamEnd))?;
        Ok(read)
    }

    fn raw_document(&mut self) -> Read<RawDocument> {
        let (mut privflow, mut policy, mut taxonomy, mut entities, mut systems) =
            (None, None, None, None, None);
        let (mut flows, mut disclosures, mut claims, mut waivers) = (None, None, None, None);
        // In the order of `TOP_LEVEL_KEYS`.
        let mut flows_cut_out = false;
        self.structure_at(&TOP_LEVEL_KEYS, |r, key, at| {
            match key {
                0 => privflow = Some(r.version()?),
                // The list read in pieces leaves nothing under its key.
                5 if r.flows_cut_out_at == Some(at.offset as usize) => {
                    r.option(|_| Err::<(), _>(StepAside))?;
                    flows_cut_out = true;
                }
                1 => policy = r.option(Self::policy)?,
                2 => taxonomy = r.option(Self::taxonomy)?,
                3 => entities = r.option(|r| r.map(Self::entity))?,
                4 => systems = r.option(|r| r.map(Self::system))?,
                5 => flows = r.option(|r| r.list(Self::flow))?,
                6 => disclosures = r.option(|r| r.list(Self::disclosure))?,
                7 => claims = r.option(|r| r.list(Self::claim))?,
                _ => waivers = r.option(|r| r.list(Self::waiver))?,
            }
            Ok(())
        })?;
        if self.flows_cut_out_at.is_some() != flows_cut_out {
            return Err(StepAside);
        }
        Ok(RawDocument {
            privflow: privflow.ok_or(StepAside)?,
            policy,
            taxonomy,
            entities,
            systems,
            flows,
            disclosures,
            claims,
            waivers,
        })
    }

    fn policy(&mut self) -> Read<Spanned<RawPolicy>> {
        const KEYS: &[&str] = &["id", "speaker", "title", "version", "source", "subjects"];
        let (mut id, mut speaker, mut title, mut version, mut source) =
            (None, None, None, None, None);
        let mut subjects = None;
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => id = Some(r.string()?),
                1 => speaker = Some(r.string()?),
                2 => title = r.option(Self::text)?,
                3 => version = r.option(Self::scalar_text)?.map(|t| t.value),
                4 => source = r.option(Self::text)?,
                _ => subjects = r.option(Self::refs)?,
            }
            Ok(())
        })?;
        let policy = RawPolicy {
            id: id.ok_or(StepAside)?,
            speaker: speaker.ok_or(StepAside)?,
            title,
            version,
            source,
            subjects,
        };
        Ok(Spanned::new(policy, at))
    }

    fn taxonomy(&mut self) -> Read<RawTaxonomy> {
        let (mut fields, mut purposes) = (None, None);
        self.structure(&["fields", "purposes"], |r, key| {
            let taxa = r.option(|r| r.map(|r| r.option(Self::taxon)))?;
            match key {
                0 => fields = taxa,
                _ => purposes = taxa,
            }
            Ok(())
        })?;
        Ok(RawTaxonomy { fields, purposes })
    }

    fn taxon(&mut self) -> Read<RawTaxon> {
        const KEYS: &[&str] = &[
            "label",
            "description",
            "parents",
            "parts",
            "sensitive",
            "replaced_by",
        ];
        let mut taxon = RawTaxon::default();
        self.structure(KEYS, |r, key| {
            match key {
                0 => taxon.label = r.option(Self::text)?,
                1 => taxon.description = r.option(Self::text)?,
                2 => taxon.parents = r.option(Self::refs)?,
                3 => taxon.parts = r.option(Self::refs)?,
                4 => taxon.sensitive = r.option(Self::boolean)?.map(|b| b.value),
                _ => taxon.replaced_by = r.option(Self::string)?,
            }
            Ok(())
        })?;
        Ok(taxon)
    }

    fn entity(&mut self) -> Read<Spanned<RawEntity>> {
        const KEYS: &[&str] = &[
            "name",
            "kind",
            "owned_by",
            "categories",
            "country",
            "data_broker",
        ];
        let (mut name, mut kind, mut owned_by, mut categories, mut country) =
            (None, None, None, None, None);
        let mut data_broker = None;
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => name = r.option(Self::text)?,
                1 => kind = r.option(Self::keyword)?.map(|k| k.value),
                2 => owned_by = r.option(Self::string)?,
                3 => categories = r.option(Self::refs)?,
                4 => country = r.option(Self::text)?,
                _ => data_broker = r.option(Self::boolean)?.map(|b| b.value),
            }
            Ok(())
        })?;
        let entity = RawEntity {
            name,
            kind,
            owned_by,
            categories,
            country,
            data_broker,
        };
        Ok(Spanned::new(entity, at))
    }

    fn system(&mut self) -> Read<Spanned<RawSystem>> {
        const KEYS: &[&str] = &[
            "name",
            "operated_by",
            "location",
            "held_by",
            "kind",
            "ephemeral",
            "retention",
            "country",
            "domains",
        ];
        let (mut name, mut operated_by, mut location, mut held_by) = (None, None, None, None);
        let (mut kind, mut ephemeral, mut retention, mut country) = (None, None, None, None);
        let mut domains = None;
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => name = r.option(Self::text)?,
                1 => operated_by = Some(r.string()?),
                2 => location = r.option(Self::keyword)?.map(|k| k.value),
                3 => held_by = r.option(Self::string)?,
                4 => kind = r.option(Self::keyword)?.map(|k| k.value),
                5 => ephemeral = r.option(Self::boolean)?.map(|b| b.value),
                6 => retention = r.option(Self::scalar_text)?,
                7 => country = r.option(Self::text)?,
                _ => domains = r.option(Self::refs)?,
            }
            Ok(())
        })?;
        let system = RawSystem {
            name,
            operated_by: operated_by.ok_or(StepAside)?,
            location,
            held_by,
            kind,
            ephemeral,
            retention,
            country,
            domains,
        };
        Ok(Spanned::new(system, at))
    }

    fn flow(&mut self) -> Read<Spanned<RawFlow>> {
        const KEYS: &[&str] = &[
            "id",
            "from",
            "to",
            "fields",
            "purposes",
            "protection",
            "retention",
            "condition",
            "role",
            "note",
            "lawful_basis",
            "special_category_condition",
            "subjects",
            "transfer",
            "user_control",
        ];
        let (mut id, mut from, mut to, mut fields, mut purposes) = (None, None, None, None, None);
        let (mut protection, mut retention, mut condition, mut role, mut note) =
            (None, None, None, None, None);
        let (mut lawful_basis, mut special_category_condition, mut subjects) = (None, None, None);
        let (mut transfer, mut user_control) = (None, None);
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => id = r.option(Self::string)?,
                1 => from = Some(r.string()?),
                2 => to = Some(r.string()?),
                3 => fields = Some(r.refs()?),
                4 => purposes = r.option(Self::refs)?,
                5 => protection = r.option(Self::keyword)?.map(|k| k.value),
                6 => retention = r.option(Self::scalar_text)?,
                7 => condition = r.option(Self::text)?,
                8 => role = r.option(Self::keyword)?.map(|k| k.value),
                9 => note = r.option(Self::text)?,
                10 => lawful_basis = r.option(Self::keyword)?.map(|k| k.value),
                11 => special_category_condition = r.option(Self::keyword)?.map(|k| k.value),
                12 => subjects = r.option(Self::refs)?.map(Box::new),
                13 => transfer = r.option(Self::keyword)?.map(|k| k.value),
                _ => user_control = r.option(Self::keyword)?.map(|k| k.value),
            }
            Ok(())
        })?;
        let flow = RawFlow {
            id,
            from: from.ok_or(StepAside)?,
            to: to.ok_or(StepAside)?,
            fields: fields.ok_or(StepAside)?,
            purposes,
            protection,
            retention,
            condition,
            role,
            note,
            lawful_basis,
            special_category_condition,
            subjects,
            transfer,
            user_control,
        };
        Ok(Spanned::new(flow, at))
    }

    fn disclosure(&mut self) -> Read<Spanned<RawDisclosure>> {
        const KEYS: &[&str] = &["id", "text", "source", "share", "collect"];
        let (mut id, mut text, mut source, mut share, mut collect) = (None, None, None, None, None);
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => id = Some(r.string()?),
                1 => text = r.option(Self::text)?,
                2 => source = r.option(Self::text)?,
                3 => share = r.option(Self::share)?,
                _ => collect = r.option(Self::collect)?,
            }
            Ok(())
        })?;
        let disclosure = RawDisclosure {
            id: id.ok_or(StepAside)?,
            text,
            source,
            share,
            collect,
        };
        Ok(Spanned::new(disclosure, at))
    }

    fn share(&mut self) -> Read<Spanned<RawShare>> {
        let (mut fields, mut with, mut scope, mut purposes) = (None, None, None, None);
        let at = self.structure(&["fields", "with", "scope", "purposes"], |r, key| {
            match key {
                0 => fields = Some(r.refs()?),
                1 => with = Some(r.refs()?),
                2 => scope = r.option(Self::keyword)?.map(|k| k.value),
                _ => purposes = r.option(Self::refs)?,
            }
            Ok(())
        })?;
        let share = RawShare {
            fields: fields.ok_or(StepAside)?,
            with: with.ok_or(StepAside)?,
            scope,
            purposes,
        };
        Ok(Spanned::new(share, at))
    }

    fn collect(&mut self) -> Read<Spanned<RawCollect>> {
        let (mut fields, mut purposes) = (None, None);
        let at = self.structure(&["fields", "purposes"], |r, key| {
            match key {
                0 => fields = Some(r.refs()?),
                _ => purposes = r.option(Self::refs)?,
            }
            Ok(())
        })?;
        let collect = RawCollect {
            fields: fields.ok_or(StepAside)?,
            purposes,
        };
        Ok(Spanned::new(collect, at))
    }

    fn claim(&mut self) -> Read<Spanned<RawClaim>> {
        const KEYS: &[&str] = &[
            "id",
            "kind",
            "text",
            "source",
            "fields",
            "with",
            "scope",
            "exempt_conditions",
            "processors_exempt",
            "include_derived",
            "purposes",
            "endpoints",
            "operators",
            "max",
            "at",
            "exclude",
            "countries",
        ];
        let (mut id, mut kind, mut text, mut source) = (None, None, None, None);
        let (mut fields, mut with, mut scope, mut exempt_conditions) = (None, None, None, None);
        let (mut processors_exempt, mut include_derived, mut purposes) = (None, None, None);
        let (mut endpoints, mut operators, mut max, mut at, mut exclude) =
            (None, None, None, None, None);
        let mut countries = None;
        let location = self.structure(KEYS, |r, key| {
            match key {
                0 => id = Some(r.string()?),
                1 => kind = Some(r.keyword()?),
                2 => text = r.option(Self::text)?,
                3 => source = r.option(Self::text)?,
                4 => fields = r.option(Self::refs)?,
                5 => with = r.option(Self::refs)?,
                6 => scope = r.option(Self::keyword)?,
                7 => exempt_conditions = r.option(Self::refs)?,
                8 => processors_exempt = r.option(Self::boolean)?,
                9 => include_derived = r.option(Self::boolean)?,
                10 => purposes = r.option(Self::refs)?,
                11 => endpoints = r.option(Self::refs)?,
                12 => operators = r.option(Self::refs)?,
                13 => max = r.option(Self::scalar_text)?,
                14 => at = r.option(Self::refs)?,
                15 => exclude = r.option(Self::refs)?,
                _ => countries = r.option(Self::refs)?,
            }
            Ok(())
        })?;
        let claim = RawClaim {
            id: id.ok_or(StepAside)?,
            kind: kind.ok_or(StepAside)?,
            text,
            source,
            fields,
            with,
            scope,
            exempt_conditions,
            processors_exempt,
            include_derived,
            purposes,
            endpoints,
            operators,
            max,
            at,
            exclude,
            countries,
        };
        Ok(Spanned::new(claim, location))
    }

    fn waiver(&mut self) -> Read<Spanned<RawWaiver>> {
        const KEYS: &[&str] = &[
            "claim",
            "reason",
            "flow",
            "field",
            "recipient",
            "owner",
            "ticket",
            "expires",
        ];
        let (mut claim, mut reason, mut flow, mut field) = (None, None, None, None);
        let (mut recipient, mut owner, mut ticket, mut expires) = (None, None, None, None);
        let at = self.structure(KEYS, |r, key| {
            match key {
                0 => claim = Some(r.string()?),
                1 => reason = Some(r.text()?),
                2 => flow = r.option(Self::string)?,
                3 => field = r.option(Self::string)?,
                4 => recipient = r.option(Self::string)?,
                5 => owner = r.option(Self::text)?,
                6 => ticket = r.option(Self::text)?,
                _ => expires = r.option(Self::scalar_text)?,
            }
            Ok(())
        })?;
        let waiver = RawWaiver {
            claim: claim.ok_or(StepAside)?,
            reason: reason.ok_or(StepAside)?,
            flow,
            field,
            recipient,
            owner,
            ticket,
            expires,
        };
        Ok(Spanned::new(waiver, at))
    }

    // Collections.

    /// A mapping read as a structure with the given keys: `field` reads the value of the key at
    /// that index. Unknown and repeated keys step aside. Returns where the mapping starts.
    fn structure(
        &mut self,
        keys: &[&str],
        mut field: impl FnMut(&mut Self, usize) -> Read<()>,
    ) -> Read<Loc> {
        self.structure_at(keys, |r, key, _| field(r, key))
    }

    /// A structure whose `field` is also told where its key stands.
    fn structure_at(
        &mut self,
        keys: &[&str],
        mut field: impl FnMut(&mut Self, usize, Loc) -> Read<()>,
    ) -> Read<Loc> {
        let mut seen = 0u32;
        self.mapping(|r, key, at| {
            let index = keys.iter().position(|k| *k == key).ok_or(StepAside)?;
            let bit = 1u32 << index;
            if seen & bit != 0 {
                return Err(StepAside);
            }
            seen |= bit;
            field(r, index, at)
        })
    }

    /// A mapping from ids to definitions, in document order; a repeated id steps aside.
    fn map<V>(&mut self, mut value: impl FnMut(&mut Self) -> Read<V>) -> Read<SpannedMap<V>> {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        self.mapping(|r, key, at| {
            if !seen.insert(key.to_owned()) {
                return Err(StepAside);
            }
            entries.push((Spanned::new(key.to_owned(), at), value(r)?));
            Ok(())
        })?;
        Ok(SpannedMap(entries))
    }

    /// A mapping whose keys are plain text; `entry` reads each value.
    fn mapping(&mut self, mut entry: impl FnMut(&mut Self, &str, Loc) -> Read<()>) -> Read<Loc> {
        let (event, at) = self.next()?;
        if !matches!(event, Event::MappingStart(..)) {
            return Err(StepAside);
        }
        self.enter()?;
        loop {
            if matches!(self.peek()?, Event::MappingEnd) {
                self.next()?;
                break;
            }
            let (key, style, at) = self.scalar()?;
            if is_null(&key, style) {
                return Err(StepAside);
            }
            entry(self, &key, at)?;
        }
        self.depth -= 1;
        Ok(at)
    }

    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Read<T>) -> Read<Vec<T>> {
        let (event, _) = self.next()?;
        if !matches!(event, Event::SequenceStart(..)) {
            return Err(StepAside);
        }
        self.enter()?;
        let mut items = Vec::new();
        while !matches!(self.peek()?, Event::SequenceEnd) {
            items.push(item(self)?);
        }
        self.next()?;
        self.depth -= 1;
        Ok(items)
    }

    /// One name or a list of names (`with: meta`, `with: [meta]`).
    fn refs(&mut self) -> Read<Refs> {
        if let Event::Scalar(..) = self.peek()? {
            let (value, style, at) = self.scalar()?;
            let text = match style {
                ScalarStyle::Plain => plain_is_text(&value),
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => true,
                _ => false,
            };
            if !text {
                return Err(StepAside);
            }
            return Ok(Refs {
                items: vec![Spanned::new(value.into_owned(), at)],
                location: Some(at),
            });
        }
        let (_, &at) = self.peek_with_loc()?;
        let mut items = self.list(Self::string)?;
        // Most lists name one to three keys: no spare room kept per flow.
        items.shrink_to_fit();
        Ok(Refs {
            items,
            location: Some(at),
        })
    }

    // Scalars.

    /// Text of any style; a plain null (`~`, `null`, nothing) is not text.
    fn string(&mut self) -> Read<Spanned<String>> {
        let (value, style, at) = self.scalar()?;
        if is_null(&value, style) {
            return Err(StepAside);
        }
        Ok(Spanned::new(value.into_owned(), at))
    }

    fn text(&mut self) -> Read<String> {
        self.string().map(|s| s.value)
    }

    /// A value YAML may type as a string or a number (`30d`, `0`, `2021-01-04`), read as text.
    /// Numbers other than plain decimal integers step aside: serde-saphyr words them.
    fn scalar_text(&mut self) -> Read<Spanned<Text>> {
        let (value, style, at) = self.scalar()?;
        let plain = style == ScalarStyle::Plain;
        if !plain && !matches!(style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted) {
            return Err(StepAside);
        }
        if plain && !plain_is_text(&value) && decimal(&value).is_none() {
            return Err(StepAside);
        }
        Ok(Spanned::new(Text(value.into_owned()), at))
    }

    fn version(&mut self) -> Read<Spanned<u64>> {
        let (value, style, at) = self.scalar()?;
        match decimal(&value) {
            Some(n) if style == ScalarStyle::Plain => Ok(Spanned::new(n, at)),
            _ => Err(StepAside),
        }
    }

    fn boolean(&mut self) -> Read<Spanned<bool>> {
        let (value, style, at) = self.scalar()?;
        match (style, value.as_ref()) {
            (ScalarStyle::Plain, "true") => Ok(Spanned::new(true, at)),
            (ScalarStyle::Plain, "false") => Ok(Spanned::new(false, at)),
            _ => Err(StepAside),
        }
    }

    /// One of an enum's snake-case names (`e2ee`, `no_share`).
    fn keyword<T: DeserializeOwned>(&mut self) -> Read<Spanned<T>> {
        let (value, style, at) = self.scalar()?;
        if style != ScalarStyle::Plain {
            return Err(StepAside);
        }
        let name: StrDeserializer<'_, ValueError> = value.as_ref().into_deserializer();
        T::deserialize(name)
            .map(|v| Spanned::new(v, at))
            .map_err(|_| StepAside)
    }

    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Read<T>) -> Read<Option<T>> {
        if let Event::Scalar(value, style, ..) = self.peek()?
            && is_null(value, *style)
        {
            self.next()?;
            return Ok(None);
        }
        read(self).map(Some)
    }

    fn scalar(&mut self) -> Read<(Cow<'a, str>, ScalarStyle, Loc)> {
        match self.next()? {
            (Event::Scalar(value, style, ..), at) => Ok((value, style, at)),
            _ => Err(StepAside),
        }
    }

    // Events.

    fn enter(&mut self) -> Read<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(StepAside);
        }
        Ok(())
    }

    fn expect(&mut self, wanted: impl FnOnce(&Event) -> bool) -> Read<()> {
        let (event, _) = self.next()?;
        if wanted(&event) {
            Ok(())
        } else {
            Err(StepAside)
        }
    }

    fn peek(&mut self) -> Read<&Event<'a>> {
        self.peek_with_loc().map(|(event, _)| event)
    }

    fn peek_with_loc(&mut self) -> Read<(&Event<'a>, &Loc)> {
        if self.peeked.is_none() {
            self.peeked = Some(self.pull()?);
        }
        let (event, at) = self.peeked.as_ref().ok_or(StepAside)?;
        Ok((event, at))
    }

    fn next(&mut self) -> Read<(Event<'a>, Loc)> {
        match self.peeked.take() {
            Some(peeked) => Ok(peeked),
            None => self.pull(),
        }
    }

    /// The parser's next event; anything that carries an anchor or a tag, an alias, or a
    /// syntax error steps aside.
    fn pull(&mut self) -> Read<(Event<'a>, Loc)> {
        self.events_left = self.events_left.checked_sub(1).ok_or(StepAside)?;
        let (event, span) = self
            .parser
            .next()
            .ok_or(StepAside)?
            .map_err(|_| StepAside)?;
        match &event {
            Event::Scalar(_, _, anchor, tag)
            | Event::SequenceStart(_, anchor, tag)
            | Event::MappingStart(_, anchor, tag) => {
                if *anchor != 0 || tag.is_some() {
                    return Err(StepAside);
                }
            }
            Event::SequenceEnd
            | Event::MappingEnd
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(..)
            | Event::DocumentEnd => {}
            _ => return Err(StepAside),
        }
        Ok((event, self.loc(&span)?))
    }

    /// Where an event stands in the file, as serde-saphyr records it: byte range, line,
    /// column from 1.
    fn loc(&self, span: &ParserSpan) -> Read<Loc> {
        let start = span.start.byte_offset().ok_or(StepAside)?;
        let end = span.end.byte_offset().ok_or(StepAside)?;
        let (from, to) = (self.shift.offset(start), self.shift.offset(end));
        Ok(Loc::new(
            from,
            to.saturating_sub(from),
            self.shift.line(start, span.start.line()),
            span.start.col() + 1,
        ))
    }
}

fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

/// Whether YAML types a plain scalar as a string beyond doubt: no null, boolean or number.
fn plain_is_text(value: &str) -> bool {
    const WORDS: [&str; 11] = [
        "", "~", "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    if WORDS.iter().any(|w| value.eq_ignore_ascii_case(w)) {
        return false;
    }
    let Some(first) = value.chars().next() else {
        return false;
    };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return true;
    }
    // Could be a number in some YAML schema: only clearly non-numeric text passes.
    let digits = value.trim_start_matches(['+', '-']);
    let radix = ["0x", "0o", "0b"].iter().any(|p| digits.starts_with(p));
    !radix && !value.contains(':') && value.replace('_', "").parse::<f64>().is_err()
}

/// A plain decimal integer as YAML reads it: digits only, no sign, no leading zero.
fn decimal(value: &str) -> Option<u64> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    let leading_zero = value.len() > 1 && value.starts_with('0');
    if !digits || leading_zero {
        return None;
    }
    value.parse().ok()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{read_document, read_in_pieces, read_whole, reads_as_serde_does as agrees};

    fn yaml_files(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                yaml_files(&path, found);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                found.push(path);
            }
        }
    }

    #[test]
    fn every_bundled_policy_and_valid_fixture_is_read_from_events_as_serde_reads_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        yaml_files(&root.join("policies"), &mut files);
        yaml_files(&root.join("fixtures/valid"), &mut files);
        files.sort();
        let mut aside = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            if !agrees(&text) {
                aside.push(file.display().to_string());
            }
        }
        assert!(files.len() > 20, "{} files", files.len());
        assert_eq!(aside, Vec::<String>::new(), "stepped aside");
    }

    #[test]
    fn lists_read_in_pieces_read_as_in_one_pass() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("policies/whatsapp-2021.yaml")).unwrap();
        let whole = format!("{:#?}", read_whole(&text).unwrap());
        for parts in [2, 3, 7] {
            let cut = read_in_pieces(&text, parts, 1).expect("cut into pieces");
            assert_eq!(format!("{cut:#?}"), whole, "{parts} pieces");
        }
        // A `flows:` line that is not the key, or a key with something under it after the cut,
        // leaves the file to one pass.
        for text in [
            "privflow: 1\npolicy:\n  id: p\n  speaker: s\n  title: \"a\nflows:\n  - x\n  - y\"\n",
            "privflow: 1\nflows:\n  - {from: a, to: b, fields: [x]}\n  - {from: b, to: c, fields: [x]}\n flows: 1\n",
        ] {
            assert!(read_in_pieces(text, 2, 1).is_none(), "{text}");
            agrees(text);
        }
    }

    #[test]
    fn broken_fixtures_are_left_to_serde_or_read_alike() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        yaml_files(&root.join("fixtures"), &mut files);
        for file in &files {
            if let Ok(text) = std::fs::read_to_string(file) {
                agrees(&text);
            }
        }
    }

    #[test]
    fn doubtful_yaml_steps_aside() {
        let head = "privflow: 1\npolicy: {id: p, speaker: s}\n";
        for body in [
            // Anchors, aliases, merge keys, tags.
            "entities: {a: &x {name: A}, b: *x}",
            "systems: {s: {<<: {operated_by: a}}}",
            "entities: {a: !!map {name: A}}",
            // Unknown, repeated and missing keys.
            "entities: {a: {nmae: A}}",
            "entities: {a: {name: A, name: B}}",
            "entities: {a: {name: A}, a: {name: B}}",
            "flows: [{from: a, to: b}]",
            // Wrong types and scalars whose type is in doubt.
            "flows: [{from: a, to: b, fields: 12}]",
            "flows: [{from: a, to: b, fields: [x], retention: 1.5}]",
            "flows: [{from: a, to: b, fields: [x], retention: 0x10}]",
            "flows: [{from: a, to: b, fields: [x], protection: TLS}]",
            "claims: [{id: c, kind: e2ee, processors_exempt: yes}]",
            "flows: [{from: ~, to: b, fields: [x]}]",
        ] {
            let text = format!("{head}{body}\n");
            assert!(read_document(&text).is_none(), "read: {body}");
        }
        assert!(read_document("privflow: 01\n").is_none());
        assert!(read_document("privflow: 1\n---\nprivflow: 1\n").is_none());
    }

    #[test]
    fn plain_models_in_every_style_are_read_as_serde_reads_them() {
        for text in [
            "privflow: 1\n",
            "privflow: 1\npolicy:\n  id: p\n  speaker: \"s\"\n  version: 2\n  title: 'T'\n",
            "privflow: 1\nsystems:\n  app: {operated_by: a, retention: 30d, ephemeral: true}\n  db:\n    operated_by: a\n    retention: \"0\"\n",
            "privflow: 1\nflows:\n  - from: app\n    to: db\n    fields: user.contact.phone_number\n    retention: 0\n  - {from: db, to: app, fields: [a, 'b', \"c\"]}\n  - from: db\n    to: app\n    fields: [x]\n    note: >\n      folded\n      text\n",
            "privflow: 1\nwaivers:\n  - claim: c\n    reason: |\n      literal\n    expires: 2021-01-04\n",
            "privflow: 1\ntaxonomy:\n  fields:\n    x.y: ~\n    x.z: {parents: x.y, sensitive: false}\n",
            "privflow: 1\nentities: ~\nclaims:\n- id: c\n  kind: no_share\n  with: [meta]\n  scope: group\n  max: 90d\n",
            "privflow: 1\nentities:\n  é: {name: Ünïcode, country: ID}\n",
            // Line ends, a byte-order mark, markers, comments and escapes.
            "privflow: 1\r\nentities:\r\n  a: {name: \"A\\u00e9\\tb\"}  # c\r\n",
            "\u{feff}privflow: 1\nentities: {a: {name: A}}\n",
            "%YAML 1.2\n---\nprivflow: 1 # version\n...\n",
        ] {
            assert!(agrees(text), "stepped aside:\n{text}");
        }
    }
}
