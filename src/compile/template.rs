//! The template being built, kept small.
//!
//! A template is several times bigger than the configuration it comes from, and a
//! `serde_json::Value` tree of it takes another 5–15× its JSON size (72 bytes per value, an
//! `IndexMap` per object). So the two big sections, `Resources` and `Outputs`, keep each entry
//! as a [`Slot`]: the entries a pass is working on stay trees ("hot"); the least recently used
//! are packed into a compact byte form ("cold", see [`codec`]) once more than [`HOT_MAX`] are
//! hot, and unpacked again when a pass reads or edits them. Every read and write goes through
//! [`Section`], whose methods mirror `serde_json::Map`'s, so the passes do not see the packing;
//! the output is the same tree either way.

use std::borrow::Cow;
use std::sync::atomic::{AtomicUsize, Ordering};

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::merge::lodash_merge;

/// How many entries of a section stay unpacked at most, unless [`set_hot_limit`] says
/// otherwise; the least recently used beyond that are packed, down to half of it.
pub const HOT_MAX: usize = 16;

static HOT_LIMIT: AtomicUsize = AtomicUsize::new(HOT_MAX);

/// Sets how many entries of a section stay unpacked (at least 1) for the rest of the
/// process. The template is the same whatever the limit; the golden tests run with 1, so
/// that every entry goes through packing.
pub fn set_hot_limit(n: usize) {
    HOT_LIMIT.store(n.max(1), Ordering::Relaxed);
}

/// One entry of a section.
#[derive(Clone, Debug)]
enum Slot {
    /// A tree (boxed: a slot stays small), and when it was last used (a per-section clock).
    Hot { value: Box<Value>, used: u64 },
    /// The entry packed by [`codec::encode`].
    Cold(Box<[u8]>),
}

impl Slot {
    fn value(&self) -> Cow<'_, Value> {
        match self {
            Slot::Hot { value, .. } => Cow::Borrowed(&**value),
            Slot::Cold(bytes) => Cow::Owned(codec::decode(bytes)),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Slot::Hot { value, .. } => *value,
            Slot::Cold(bytes) => codec::decode(&bytes),
        }
    }
}

fn slot_str_at<'a>(slot: &'a Slot, path: &[&str]) -> Option<Cow<'a, str>> {
    match slot {
        Slot::Hot { value, .. } => {
            let mut cur: &Value = value;
            for p in path {
                cur = cur.get(*p)?;
            }
            cur.as_str().map(Cow::Borrowed)
        }
        Slot::Cold(bytes) => codec::str_at(bytes, path),
    }
}

/// `Resources` or `Outputs`: an object whose entries may be packed; or, when the
/// `resources:` merge made it something else than an object, that value.
#[derive(Clone, Debug, Default)]
pub struct Section {
    slots: IndexMap<String, Slot>,
    hot: usize,
    clock: u64,
    /// The section's value when it is not an object.
    other: Option<Value>,
}

impl Section {
    pub fn new() -> Section {
        Section::default()
    }

    fn from_value(v: Value) -> Section {
        let mut s = Section::new();
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    s.insert(k, x);
                }
            }
            other => s.other = Some(other),
        }
        s
    }

    /// The section as one tree.
    pub fn to_value(&self) -> Value {
        if let Some(v) = &self.other {
            return v.clone();
        }
        Value::Object(
            self.slots
                .iter()
                .map(|(k, s)| (k.clone(), s.value().into_owned()))
                .collect(),
        )
    }

    fn into_value(self) -> Value {
        if let Some(v) = self.other {
            return v;
        }
        Value::Object(
            self.slots
                .into_iter()
                .map(|(k, s)| (k, s.into_value()))
                .collect(),
        )
    }

    /// The section's value when the `resources:` merge made it something else than an
    /// object.
    pub fn other(&self) -> Option<&Value> {
        self.other.as_ref()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn contains_key(&self, id: &str) -> bool {
        self.slots.contains_key(id)
    }

    /// The entry, unpacked if it was packed (a copy then).
    pub fn get(&self, id: &str) -> Option<Cow<'_, Value>> {
        self.slots.get(id).map(Slot::value)
    }

    /// A copy of the value at JSON pointer `ptr` inside entry `id`.
    pub fn pointer(&self, id: &str, ptr: &str) -> Option<Value> {
        match self.slots.get(id)? {
            Slot::Hot { value, .. } => value.pointer(ptr).cloned(),
            Slot::Cold(bytes) => codec::decode(bytes).pointer_mut(ptr).map(std::mem::take),
        }
    }

    /// The string at `path` inside entry `id`, read without unpacking it.
    pub fn str_at(&self, id: &str, path: &[&str]) -> Option<Cow<'_, str>> {
        self.slots.get(id).and_then(|s| slot_str_at(s, path))
    }

    /// Every id in order with the string at `path` inside its entry (no unpacking): a quick
    /// way to find entries by `Type`, say.
    pub fn iter_str_at<'a>(
        &'a self,
        path: &'a [&'a str],
    ) -> impl Iterator<Item = (&'a String, Option<Cow<'a, str>>)> + 'a {
        self.slots
            .iter()
            .map(move |(k, s)| (k, slot_str_at(s, path)))
    }

    /// lodash `_.has(section, key)`: the key itself, else the key read as a dotted path.
    pub fn lodash_has(&self, key: &str) -> bool {
        if self.contains_key(key) {
            return true;
        }
        let Some((first, rest)) = key.split_once('.') else {
            return false;
        };
        let Some(v) = self.get(first) else {
            return false;
        };
        let mut wrapper = Map::new();
        wrapper.insert(first.to_string(), v.into_owned());
        super::js::lodash_has(&wrapper, &format!("{first}.{rest}"))
    }

    /// The entry to edit: unpacked and marked as just used.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Value> {
        let i = self.slots.get_index_of(id)?;
        Some(self.touch(i))
    }

    /// Sets an entry the way `Map::insert` does (an existing id keeps its place).
    pub fn insert(&mut self, id: String, value: Value) -> Option<Value> {
        self.other = None;
        self.clock += 1;
        let slot = Slot::Hot {
            value: Box::new(value),
            used: self.clock,
        };
        let old = match self.slots.get_full_mut(id.as_str()) {
            Some((_, _, s)) => {
                let old = std::mem::replace(s, slot);
                if matches!(old, Slot::Hot { .. }) {
                    self.hot -= 1;
                }
                Some(old.into_value())
            }
            None => {
                self.slots.insert(id, slot);
                None
            }
        };
        self.hot += 1;
        self.settle();
        old
    }

    /// Removes an entry, keeping the order of the others (`Map::remove` with
    /// `preserve_order`).
    pub fn remove(&mut self, id: &str) -> Option<Value> {
        let slot = self.slots.shift_remove(id)?;
        if matches!(slot, Slot::Hot { .. }) {
            self.hot -= 1;
        }
        Some(slot.into_value())
    }

    /// Renames entry `from` to `to` in place (same position). Returns whether it was there.
    pub fn rename(&mut self, from: &str, to: &str) -> bool {
        let Some((i, _, slot)) = self.slots.shift_remove_full(from) else {
            return false;
        };
        if let Some(old) = self.slots.shift_remove(to)
            && matches!(old, Slot::Hot { .. })
        {
            self.hot -= 1;
        }
        let i = i.min(self.slots.len());
        self.slots.shift_insert(i, to.to_string(), slot);
        true
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &String> + ExactSizeIterator {
        self.slots.keys()
    }

    /// Every entry in order, each unpacked on its turn.
    pub fn iter(&self) -> impl Iterator<Item = (&String, Cow<'_, Value>)> {
        self.slots.iter().map(|(k, s)| (k, s.value()))
    }

    /// Calls `f` on every entry in order to edit it; an entry that was packed is packed again
    /// right after.
    pub fn for_each_mut(&mut self, mut f: impl FnMut(&String, &mut Value)) {
        for (k, slot) in self.slots.iter_mut() {
            match slot {
                Slot::Hot { value, .. } => f(k, value),
                Slot::Cold(bytes) => {
                    let mut v = codec::decode(bytes);
                    f(k, &mut v);
                    *bytes = codec::encode(&v);
                }
            }
        }
    }

    /// `_.merge(section, {id: value})` for a value the compiler made: a new id is appended,
    /// an existing entry is merged into.
    pub fn merge_entry(&mut self, id: &str, value: Value) {
        match self.get_mut(id) {
            Some(slot) => lodash_merge(slot, &value),
            None => {
                self.insert(id.to_string(), value);
            }
        }
    }

    /// `_.merge(section, src)` (the `resources:` block's `Resources` or `Outputs`).
    fn merge(&mut self, src: &Value) {
        match (src, &self.other) {
            (Value::Object(so), None) => {
                for (id, x) in so {
                    if let Some(slot) = self.get_mut(id) {
                        lodash_merge(slot, x);
                        continue;
                    }
                    // a new entry: exactly what lodash makes of it in an empty object
                    let mut fresh = Value::Object(Map::new());
                    lodash_merge(&mut fresh, &json!({ id.clone(): x }));
                    if let Value::Object(mut m) = fresh
                        && let Some(v) = m.remove(id)
                    {
                        self.insert(id.clone(), v);
                    }
                }
            }
            _ => {
                let mut whole = std::mem::take(self).into_value();
                lodash_merge(&mut whole, src);
                *self = Section::from_value(whole);
            }
        }
    }

    /// Unpacks entry `i` if needed and marks it as just used.
    fn touch(&mut self, i: usize) -> &mut Value {
        self.clock += 1;
        let now = self.clock;
        let (_, slot) = self.slots.get_index_mut(i).expect("index of an entry");
        match slot {
            Slot::Hot { used, .. } => *used = now,
            Slot::Cold(bytes) => {
                let value = codec::decode(bytes);
                *slot = Slot::Hot {
                    value: Box::new(value),
                    used: now,
                };
                self.hot += 1;
            }
        }
        self.settle();
        match &mut self.slots[i] {
            Slot::Hot { value, .. } => value,
            Slot::Cold(_) => unreachable!("the entry just used is never packed"),
        }
    }

    /// Packs the least recently used entries once more than the limit are unpacked.
    fn settle(&mut self) {
        let limit = HOT_LIMIT.load(Ordering::Relaxed);
        if self.hot <= limit {
            return;
        }
        let mut used: Vec<u64> = self
            .slots
            .values()
            .filter_map(|s| match s {
                Slot::Hot { used, .. } => Some(*used),
                Slot::Cold(_) => None,
            })
            .collect();
        used.sort_unstable();
        // keep the newest half
        let cutoff = used[used.len() - (limit / 2).max(1)];
        for slot in self.slots.values_mut() {
            if let Slot::Hot { value, used } = slot
                && *used < cutoff
            {
                *slot = Slot::Cold(codec::encode(value));
                self.hot -= 1;
            }
        }
    }
}

impl<'a> IntoIterator for &'a Section {
    type Item = (&'a String, Cow<'a, Value>);
    type IntoIter = Box<dyn Iterator<Item = Self::Item> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl PartialEq for Section {
    fn eq(&self, other: &Section) -> bool {
        self.to_value() == other.to_value()
    }
}

/// The template being built: the root's keys in order, with `Resources` and `Outputs` kept
/// as [`Section`]s (their places in the root hold `null`).
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    head: Map<String, Value>,
    resources: Section,
    outputs: Section,
}

impl Default for Template {
    fn default() -> Self {
        Template::new()
    }
}

const RESOURCES: &str = "Resources";
const OUTPUTS: &str = "Outputs";

impl Template {
    /// `AWSTemplateFormatVersion`, `Description`, empty `Resources` and `Outputs`.
    pub fn new() -> Template {
        Template::from_value(json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "The AWS CloudFormation template for this Serverless application",
            "Resources": {},
            "Outputs": {},
        }))
    }

    /// A template from a tree (the one the framework hands the npm plugin, say).
    pub fn from_value(root: Value) -> Template {
        let mut head = match root {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        // a missing section stays missing until a pass adds to it
        let mut take = |name: &str| match head.get_mut(name) {
            Some(v) => Section::from_value(std::mem::take(v)),
            None => Section::new(),
        };
        let resources = take(RESOURCES);
        let outputs = take(OUTPUTS);
        Template {
            head,
            resources,
            outputs,
        }
    }

    /// The whole template as one tree.
    pub fn to_value(&self) -> Value {
        Value::Object(
            self.head
                .iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        RESOURCES => self.resources.to_value(),
                        OUTPUTS => self.outputs.to_value(),
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        )
    }

    pub fn into_value(self) -> Value {
        let Template {
            head,
            resources,
            outputs,
        } = self;
        let (mut resources, mut outputs) = (Some(resources), Some(outputs));
        Value::Object(
            head.into_iter()
                .map(|(k, v)| {
                    let v = match k.as_str() {
                        RESOURCES => resources.take().map_or(v, Section::into_value),
                        OUTPUTS => outputs.take().map_or(v, Section::into_value),
                        _ => v,
                    };
                    (k, v)
                })
                .collect(),
        )
    }

    /// The root's keys and values; `Resources` and `Outputs` come as `null` (read them with
    /// [`Template::resources`] and [`Template::outputs`]).
    pub fn head(&self) -> &Map<String, Value> {
        &self.head
    }

    pub fn resources(&self) -> &Section {
        &self.resources
    }

    /// `Resources` to edit; made an empty object (added last to the root if missing) when it
    /// is not one.
    pub fn resources_mut(&mut self) -> &mut Section {
        Template::present(&mut self.head, RESOURCES, &mut self.resources)
    }

    pub fn outputs(&self) -> &Section {
        &self.outputs
    }

    /// `Outputs` to edit, like [`Template::resources_mut`].
    pub fn outputs_mut(&mut self) -> &mut Section {
        Template::present(&mut self.head, OUTPUTS, &mut self.outputs)
    }

    fn present<'a>(
        head: &mut Map<String, Value>,
        name: &str,
        s: &'a mut Section,
    ) -> &'a mut Section {
        if !head.contains_key(name) {
            head.insert(name.to_string(), Value::Null);
        }
        s.other = None;
        s
    }

    pub fn has_resource(&self, id: &str) -> bool {
        self.resources.contains_key(id)
    }

    /// `_.merge(Resources, {id: value})`: a new id is appended, an existing one is merged.
    pub fn merge_resource(&mut self, id: &str, value: Value) {
        self.resources_mut().merge_entry(id, value);
    }

    /// `_.merge(Outputs, {id: value})`.
    pub fn merge_output(&mut self, id: &str, value: Value) {
        self.outputs_mut().merge_entry(id, value);
    }

    /// `_.merge(template, src)`.
    pub fn merge_root(&mut self, src: &Map<String, Value>) {
        let mut rest = Map::new();
        for (k, v) in src {
            match k.as_str() {
                RESOURCES => self.resources.merge(v),
                OUTPUTS => self.outputs.merge(v),
                _ => {
                    rest.insert(k.clone(), v.clone());
                }
            }
        }
        let mut head = Value::Object(std::mem::take(&mut self.head));
        lodash_merge(&mut head, &Value::Object(rest));
        if let Value::Object(m) = head {
            self.head = m;
        }
    }

    /// Ids of the resources of a CloudFormation type, in template order.
    pub fn resource_ids_of_type(&self, ty: &str) -> Vec<String> {
        self.resources
            .iter_str_at(&["Type"])
            .filter(|(_, t)| t.as_deref() == Some(ty))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// The packed form of a JSON value: a byte per value kind, lengths as LEB128, numbers in
/// their exact `serde_json` variant, and the strings templates repeat most as one byte.
pub mod codec {
    use serde_json::{Map, Number, Value};
    use std::borrow::Cow;

    const NULL: u8 = 0;
    const FALSE: u8 = 1;
    const TRUE: u8 = 2;
    const UINT: u8 = 3;
    const INT: u8 = 4;
    const FLOAT: u8 = 5;
    const STR: u8 = 6;
    const ARRAY: u8 = 7;
    const OBJECT: u8 = 8;
    /// A long string, LZ4-compressed (its length, then the block with the text's length
    /// first).
    const PACKED_STR: u8 = 9;
    /// Strings from this length on are compressed (state-machine definitions, mostly).
    const COMPRESS_FROM: usize = 256;
    /// `WORD + i` is `WORDS[i]`.
    const WORD: u8 = 16;

    /// Strings (keys and values) common in CloudFormation templates.
    const WORDS: &[&str] = &[
        "Type",
        "Properties",
        "Ref",
        "Fn::GetAtt",
        "Arn",
        "Fn::Sub",
        "Fn::Join",
        "",
        "Effect",
        "Allow",
        "Action",
        "Resource",
        "Statement",
        "Version",
        "2012-10-17",
        "DependsOn",
        "AWS::Region",
        "AWS::Partition",
        "AWS::AccountId",
        "arn:",
        "FunctionName",
        "Principal",
        "Service",
        "PolicyDocument",
        "PolicyName",
        "Policies",
        "RestApiId",
        "ResourceId",
        "Condition",
        "Value",
        "Export",
        "Name",
        "Description",
        "Targets",
        "Id",
        "RoleArn",
        "SourceArn",
        "ServerlessDeploymentBucket",
        "ApiGatewayRestApi",
        "IamRoleLambdaExecution",
        "AWS::IAM::Role",
        "AWS::Lambda::Function",
        "AWS::Lambda::Version",
        "AWS::Lambda::Permission",
        "AWS::Events::Rule",
        "AWS::Logs::LogGroup",
        "AWS::StepFunctions::StateMachine",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Resource",
        "lambda:InvokeFunction",
        "sts:AssumeRole",
        "AssumeRolePolicyDocument",
        "Integration",
        "StatusCode",
        "ResponseParameters",
        "ResponseTemplates",
        "SelectionPattern",
        "application/json",
        "DeletionPolicy",
        "Retain",
        "ENABLED",
        "State",
    ];

    pub fn encode(v: &Value) -> Box<[u8]> {
        // encoded into one buffer kept for the thread, then copied once at its exact size: a
        // vector grown and shrunk per entry left holes between the long-lived packed entries
        thread_local! {
            static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
        }
        SCRATCH.with(|s| {
            let mut out = s.take();
            out.clear();
            put_value(&mut out, v);
            let packed = Box::from(&out[..]);
            if out.capacity() <= 1 << 20 {
                s.replace(out);
            }
            packed
        })
    }

    fn put_len(out: &mut Vec<u8>, mut n: usize) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn put_str(out: &mut Vec<u8>, s: &str) {
        if s.len() <= 32
            && let Some(i) = WORDS.iter().position(|w| *w == s)
        {
            out.push(WORD + i as u8);
            return;
        }
        if s.len() >= COMPRESS_FROM {
            let block = lz4_flex::block::compress_prepend_size(s.as_bytes());
            if block.len() < s.len() {
                out.push(PACKED_STR);
                put_len(out, block.len());
                out.extend_from_slice(&block);
                return;
            }
        }
        out.push(STR);
        put_len(out, s.len());
        out.extend_from_slice(s.as_bytes());
    }

    fn put_value(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Null => out.push(NULL),
            Value::Bool(false) => out.push(FALSE),
            Value::Bool(true) => out.push(TRUE),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    out.push(UINT);
                    out.extend_from_slice(&u.to_le_bytes());
                } else if let Some(i) = n.as_i64() {
                    out.push(INT);
                    out.extend_from_slice(&i.to_le_bytes());
                } else {
                    out.push(FLOAT);
                    out.extend_from_slice(&n.as_f64().unwrap_or(0.0).to_bits().to_le_bytes());
                }
            }
            Value::String(s) => put_str(out, s),
            Value::Array(a) => {
                out.push(ARRAY);
                put_len(out, a.len());
                for x in a {
                    put_value(out, x);
                }
            }
            Value::Object(o) => {
                out.push(OBJECT);
                put_len(out, o.len());
                for (k, x) in o {
                    put_str(out, k);
                    put_value(out, x);
                }
            }
        }
    }

    /// The string at `path` (object keys) in packed `bytes`, found without unpacking.
    pub fn str_at<'a>(bytes: &'a [u8], path: &[&str]) -> Option<Cow<'a, str>> {
        let mut r = Reader { bytes, at: 0 };
        for want in path {
            if r.byte() != OBJECT {
                return None;
            }
            let n = r.len();
            let mut found = false;
            for _ in 0..n {
                let tag = r.byte();
                let k = r.str_ref(tag)?;
                if k == *want {
                    found = true;
                    break;
                }
                r.skip()?;
            }
            if !found {
                return None;
            }
        }
        let tag = r.byte();
        match tag {
            STR => r.str_ref(tag).map(Cow::Borrowed),
            t if t >= WORD => r.str_ref(tag).map(Cow::Borrowed),
            PACKED_STR => Some(Cow::Owned(r.text(tag))),
            _ => None,
        }
    }

    /// The value [`encode`] packed. The bytes only ever come from [`encode`]; should they be
    /// cut short, the missing part reads as `null`.
    pub fn decode(bytes: &[u8]) -> Value {
        let mut r = Reader { bytes, at: 0 };
        r.value()
    }

    struct Reader<'a> {
        // (the lifetime lets `str_ref` hand out strings that live as long as the bytes)
        bytes: &'a [u8],
        at: usize,
    }

    impl<'a> Reader<'a> {
        fn byte(&mut self) -> u8 {
            let b = self.bytes.get(self.at).copied().unwrap_or(NULL);
            self.at += 1;
            b
        }

        fn eight(&mut self) -> [u8; 8] {
            let mut b = [0u8; 8];
            for x in b.iter_mut() {
                *x = self.byte();
            }
            b
        }

        fn len(&mut self) -> usize {
            let mut n = 0usize;
            let mut shift = 0;
            loop {
                let b = self.byte();
                if shift < usize::BITS {
                    n |= ((b & 0x7f) as usize) << shift;
                }
                if b & 0x80 == 0 {
                    return n;
                }
                shift += 7;
            }
        }

        /// A string in place: `STR` or a word.
        fn str_ref(&mut self, tag: u8) -> Option<&'a str> {
            match tag {
                STR => {
                    let n = self.len();
                    let end = self.at.checked_add(n)?;
                    let s = std::str::from_utf8(self.bytes.get(self.at..end)?).ok()?;
                    self.at = end;
                    Some(s)
                }
                t if t >= WORD => WORDS.get((t - WORD) as usize).copied(),
                _ => None,
            }
        }

        /// Steps over one value.
        fn skip(&mut self) -> Option<()> {
            match self.byte() {
                NULL | FALSE | TRUE => {}
                UINT | INT | FLOAT => self.at += 8,
                STR | PACKED_STR => {
                    let n = self.len();
                    self.at = self.at.checked_add(n)?;
                }
                ARRAY => {
                    for _ in 0..self.len() {
                        if self.at >= self.bytes.len() {
                            return None;
                        }
                        self.skip()?;
                    }
                }
                OBJECT => {
                    for _ in 0..self.len() {
                        if self.at >= self.bytes.len() {
                            return None;
                        }
                        let tag = self.byte();
                        self.str_ref(tag)?;
                        self.skip()?;
                    }
                }
                t if t >= WORD => {}
                _ => return None,
            }
            (self.at <= self.bytes.len()).then_some(())
        }

        fn text(&mut self, tag: u8) -> String {
            match tag {
                STR => {
                    let n = self.len();
                    let end = self.at.saturating_add(n).min(self.bytes.len());
                    let s =
                        String::from_utf8_lossy(&self.bytes[self.at.min(end)..end]).into_owned();
                    self.at = end;
                    s
                }
                PACKED_STR => {
                    let n = self.len();
                    let end = self.at.saturating_add(n).min(self.bytes.len());
                    let block = &self.bytes[self.at.min(end)..end];
                    self.at = end;
                    lz4_flex::block::decompress_size_prepended(block)
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default()
                }
                t if t >= WORD => WORDS
                    .get((t - WORD) as usize)
                    .copied()
                    .unwrap_or("")
                    .to_string(),
                _ => String::new(),
            }
        }

        fn value(&mut self) -> Value {
            match self.byte() {
                NULL => Value::Null,
                FALSE => Value::Bool(false),
                TRUE => Value::Bool(true),
                UINT => Value::Number(u64::from_le_bytes(self.eight()).into()),
                INT => Value::Number(i64::from_le_bytes(self.eight()).into()),
                FLOAT => Number::from_f64(f64::from_bits(u64::from_le_bytes(self.eight())))
                    .map_or(Value::Null, Value::Number),
                ARRAY => {
                    let n = self.len();
                    let mut a = Vec::with_capacity(n.min(self.bytes.len()));
                    for _ in 0..n {
                        if self.at >= self.bytes.len() {
                            break;
                        }
                        a.push(self.value());
                    }
                    Value::Array(a)
                }
                OBJECT => {
                    let n = self.len();
                    let mut o = Map::with_capacity(n.min(self.bytes.len()));
                    for _ in 0..n {
                        if self.at >= self.bytes.len() {
                            break;
                        }
                        let tag = self.byte();
                        let k = self.text(tag);
                        let v = self.value();
                        o.insert(k, v);
                    }
                    Value::Object(o)
                }
                tag => Value::String(self.text(tag)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(i: usize) -> Value {
        json!({
            "Type": "AWS::IAM::Role",
            "Properties": {
                "n": i, "neg": -5, "f": 1.5, "big": u64::MAX, "t": true, "z": null,
                "": "", "10": [1, "Arn", {"Fn::GetAtt": ["X", "Arn"]}],
                "text": "ünïcode \u{1} \"quoted\"", "long": "x".repeat(300),
            },
            "DependsOn": [],
        })
    }

    #[test]
    fn codec_round_trips_exactly() {
        for i in [0usize, 1, 127, 128, 300, 1 << 20] {
            let v = sample(i);
            let back = codec::decode(&codec::encode(&v));
            assert_eq!(back, v);
            // the same key order and number variants, so the same text
            assert_eq!(back.to_string(), v.to_string());
        }
        let bytes = codec::encode(&sample(7));
        assert_eq!(
            codec::str_at(&bytes, &["Type"]).as_deref(),
            Some("AWS::IAM::Role")
        );
        assert_eq!(
            codec::str_at(&bytes, &["Properties", "text"]).as_deref(),
            sample(7)["Properties"]["text"].as_str()
        );
        // a long string is stored compressed, and read the same
        assert!(bytes.len() < 300);
        assert_eq!(
            codec::str_at(&bytes, &["Properties", "long"]).as_deref(),
            sample(7)["Properties"]["long"].as_str()
        );
        assert_eq!(codec::str_at(&bytes, &["Properties", "n"]), None);
        assert_eq!(codec::str_at(&bytes, &["DependsOn", "x"]), None);
        assert_eq!(codec::str_at(&bytes, &["Nope"]), None);
        assert_eq!(codec::decode(&[]), Value::Null);
        // cut short: whatever is left reads as null, never a panic
        let bytes = codec::encode(&sample(3));
        for n in 0..bytes.len() {
            let _ = codec::decode(&bytes[..n]);
            let _ = codec::str_at(&bytes[..n], &["Properties", "long"]);
        }
    }

    #[test]
    fn sections_pack_old_entries_and_read_the_same() {
        let mut t = Template::new();
        let n = HOT_MAX * 5 + 3;
        for i in 0..n {
            t.resources_mut().insert(format!("R{i}"), sample(i));
        }
        assert!(t.resources().hot <= HOT_MAX);
        assert!(matches!(t.resources().slots["R0"], Slot::Cold(_)));
        for i in 0..n {
            assert_eq!(
                t.resources().get(&format!("R{i}")).as_deref(),
                Some(&sample(i))
            );
        }
        // editing a packed entry unpacks it; the edit is kept after it is packed again
        t.resources_mut().get_mut("R1").unwrap()["Properties"]["n"] = json!("edited");
        t.resources_mut()
            .for_each_mut(|_, v| v["Seen"] = json!(true));
        for i in 0..n {
            t.resources_mut().insert(format!("S{i}"), json!({}));
        }
        let r1 = t.resources().get("R1").unwrap().into_owned();
        assert_eq!(r1["Properties"]["n"], json!("edited"));
        assert_eq!(r1["Seen"], json!(true));
        // order: insertion order; re-inserting keeps the place; removing keeps the others'
        t.resources_mut().insert("R0".into(), json!(1));
        t.resources_mut().remove("R2");
        let keys: Vec<&String> = t.resources().keys().take(3).collect();
        assert_eq!(keys, ["R0", "R1", "R3"]);
        let whole = t.to_value();
        assert_eq!(whole["Resources"]["R0"], json!(1));
        assert_eq!(Template::from_value(whole.clone()).to_value(), whole);
        assert_eq!(t.clone().into_value(), whole);
    }

    #[test]
    fn root_merge_is_lodash_merge() {
        let mut t = Template::new();
        t.resources_mut()
            .insert("A".into(), json!({"Type": "X", "Properties": {"a": 1}}));
        let src = json!({
            "Conditions": {"C": true},
            "Resources": {"A": {"Properties": {"b": 2}}, "B": {"Type": "Y"}},
            "Outputs": {"O": {"Value": 1}},
        });
        let mut plain = t.to_value();
        lodash_merge(&mut plain, &src);
        t.merge_root(src.as_object().unwrap());
        assert_eq!(t.to_value(), plain);
        assert_eq!(
            t.to_value().as_object().unwrap().keys().collect::<Vec<_>>(),
            plain.as_object().unwrap().keys().collect::<Vec<_>>()
        );
        // a section made something else than an object
        let src = json!({"Outputs": "text"});
        let mut plain = t.to_value();
        lodash_merge(&mut plain, &src);
        t.merge_root(src.as_object().unwrap());
        assert_eq!(t.to_value(), plain);
    }
}
