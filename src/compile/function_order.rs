//! The order in which `package:compileFunctions` writes what it writes.
//!
//! The framework compiles every function at once (`Promise.all` over `compileFunction`), and
//! each writes into the template between its awaits, so the template's order is the order in
//! which those async functions run:
//!
//! - a zip function runs synchronously up to its first await: it writes its function
//!   resource then, in `functions` order, before any image function. Unversioned (no version,
//!   provisioned concurrency nor SnapStart), it has no await at all and writes everything
//!   (URL, invoke config) right there;
//! - an image function first awaits `resolveImageUriAndSha` (for an image pinned to a digest,
//!   a few microtasks, the same number for every image), then writes its function resource
//!   and, unless it awaits a layer's zip, everything else — all before any file is read;
//! - a versioned function then hashes files: a zip function its artifact (twice), then every
//!   service layer it references, in the order of the layers' zip paths; an image function
//!   only the layers. `getHashForFilePath` is memoised per path, so a file is read once and
//!   every function waiting for it resumes when that read ends, in the order they started
//!   waiting; an await on a file already hashed costs a microtask or two, the same each time.
//!   With `provider.lambdaHashingVersion` before `20201221`, `addFileToHash` reads the file
//!   again each time instead (not memoised); the artifact's first hash stays memoised.
//!
//! [`run`] replays that: it starts the functions in the framework's order, lets them wait for
//! file reads, completes the reads in the order they were started (the files are small zips
//! read by one stream each: the first opened is the first done) and resumes the waiting
//! functions, ordered within one completion by the number of microtasks they spend.

use std::collections::{BinaryHeap, VecDeque};

/// A file read a function awaits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Read {
    /// `getHashForFilePath(path)`: memoised, one read per path.
    Shared(String),
    /// `addFileContentsToHashes`: a read of its own.
    Own,
}

/// What the caller does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Compile function `i` up to its first await (write its function resource); answer the
    /// reads it then awaits, in order (none: it finishes right away).
    Start(usize),
    /// Function `i` has hashed its files: write its version and what follows it.
    Finish(usize),
}

struct File {
    shared: Option<String>,
    done: bool,
    waiting: Vec<usize>,
}

struct Job {
    reads: Vec<Read>,
    /// The next read to await.
    next: usize,
}

struct Loop {
    files: Vec<File>,
    /// Reads started and not done, in the order started.
    reading: VecDeque<usize>,
    jobs: Vec<Job>,
}

impl Loop {
    /// The file a read is of, starting the read if it is new.
    fn file(&mut self, read: &Read) -> usize {
        if let Read::Shared(path) = read
            && let Some(i) = self
                .files
                .iter()
                .position(|f| f.shared.as_deref() == Some(path))
        {
            return i;
        }
        self.files.push(File {
            shared: match read {
                Read::Shared(p) => Some(p.clone()),
                Read::Own => None,
            },
            done: false,
            waiting: Vec::new(),
        });
        let i = self.files.len() - 1;
        self.reading.push_back(i);
        i
    }

    /// Runs the resumed functions `jobs` (in the order they resume) through one turn of
    /// microtasks: each goes on through reads that are done (one step each) until it waits
    /// for a read still under way or finishes.
    fn turn(&mut self, jobs: &[usize], on: &mut impl FnMut(Step) -> Vec<Read>) {
        // min-heap on (microtask, order of resumption)
        let mut queue: BinaryHeap<std::cmp::Reverse<(usize, usize)>> = jobs
            .iter()
            .enumerate()
            .map(|(seq, _)| std::cmp::Reverse((0, seq)))
            .collect();
        while let Some(std::cmp::Reverse((tick, seq))) = queue.pop() {
            let j = jobs[seq];
            let Some(read) = self.jobs[j].reads.get(self.jobs[j].next).cloned() else {
                on(Step::Finish(j));
                continue;
            };
            self.jobs[j].next += 1;
            let f = self.file(&read);
            if self.files[f].done {
                queue.push(std::cmp::Reverse((tick + 1, seq)));
            } else {
                self.files[f].waiting.push(j);
            }
        }
    }
}

/// Drives `on` through the framework's order for functions of which `images[i]` tells
/// whether function `i` (in `functions` order) is an image function.
pub fn run(images: &[bool], mut on: impl FnMut(Step) -> Vec<Read>) {
    let mut l = Loop {
        files: Vec::new(),
        reading: VecDeque::new(),
        jobs: images
            .iter()
            .map(|_| Job {
                reads: Vec::new(),
                next: 0,
            })
            .collect(),
    };
    // zip functions synchronously, then image functions once their images resolve
    let zips = (0..images.len()).filter(|&i| !images[i]);
    let imgs = (0..images.len()).filter(|&i| images[i]);
    for i in zips.chain(imgs) {
        l.jobs[i].reads = on(Step::Start(i));
        l.turn(&[i], &mut on);
    }
    while let Some(f) = l.reading.pop_front() {
        l.files[f].done = true;
        let waiting = std::mem::take(&mut l.files[f].waiting);
        l.turn(&waiting, &mut on);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(images: &[bool], reads: &[Vec<Read>]) -> Vec<String> {
        let mut out = Vec::new();
        run(images, |s| match s {
            Step::Start(i) => {
                out.push(format!("start {i}"));
                reads[i].clone()
            }
            Step::Finish(i) => {
                out.push(format!("finish {i}"));
                Vec::new()
            }
        });
        out
    }

    fn shared(p: &str) -> Read {
        Read::Shared(p.into())
    }

    #[test]
    fn zip_versions_after_every_function() {
        let artifact = vec![shared("a.zip"), shared("a.zip")];
        assert_eq!(
            order(
                &[false, false, false],
                &[artifact.clone(), vec![], artifact]
            ),
            [
                "start 0", "start 1", "finish 1", "start 2", "finish 0", "finish 2"
            ]
        );
    }

    #[test]
    fn images_between_zip_functions_and_their_versions() {
        // fixtures/fn-image: zipped is last in `functions`
        let artifact = vec![shared("a.zip"), shared("a.zip")];
        assert_eq!(
            order(&[true, true, false], &[vec![], vec![], artifact]),
            [
                "start 2", "start 0", "finish 0", "start 1", "finish 1", "finish 2"
            ]
        );
    }

    #[test]
    fn layers_put_a_version_after_those_without() {
        // fixtures/layers-path: withProvider (common), withOwn (common, plain), none
        let a = shared("a.zip");
        let (common, plain) = (shared("common.zip"), shared("plain.zip"));
        let reads = [
            vec![a.clone(), a.clone(), common.clone()],
            vec![a.clone(), a.clone(), common, plain],
            vec![a.clone(), a],
        ];
        assert_eq!(
            order(&[false, false, false], &reads),
            [
                "start 0", "start 1", "start 2", "finish 2", "finish 0", "finish 1"
            ]
        );
    }

    #[test]
    fn a_layer_hashed_already_costs_microtasks() {
        // 0 waits for L1 then goes through L0 (hashed when L1 is); 1 waits for L1 only
        let reads = [
            vec![shared("l0.zip")],
            vec![shared("l1.zip"), shared("l0.zip")],
            vec![shared("l1.zip")],
        ];
        assert_eq!(
            order(&[true, true, true], &reads),
            [
                "start 0", "start 1", "start 2", "finish 0", "finish 2", "finish 1"
            ]
        );
    }

    #[test]
    fn reads_of_their_own_queue_up() {
        // old hashing: each `addFileToHash` reads the file again
        let reads = [
            vec![shared("a.zip"), Read::Own, Read::Own],
            vec![shared("a.zip"), Read::Own],
        ];
        assert_eq!(
            order(&[false, false], &reads),
            ["start 0", "start 1", "finish 1", "finish 0"]
        );
    }
}
