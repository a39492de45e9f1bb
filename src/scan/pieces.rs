//! Threads sharing the pieces of one large file.
//!
//! The thread that owns the file reads it and cuts it into pieces; helper
//! threads (started while other scanning threads are idle) take pieces
//! from a queue as they finish the last one, and the owner hands the
//! scanned pieces on in file order. Nobody waits at batch boundaries: the
//! owner keeps a few pieces in flight per thread, and when it may not read
//! further it hands on what is ready or scans a waiting piece itself.

use super::{Busy, FileScanner, Piece};
use crate::finding::Finding;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread::{Scope, ScopedJoinHandle};

/// Pieces read and not yet handed on, per thread at work on the file: one
/// being scanned and one waiting, so a thread that finishes a piece finds
/// the next without waiting for the reader.
const PIECES_IN_FLIGHT_PER_THREAD: u64 = 2;

/// Pieces between the owner of a file and its helpers.
#[derive(Default)]
pub(super) struct PieceQueue {
    state: Mutex<QueueState>,
    /// Signalled when a piece is queued or scanned, or the queue closes.
    changed: Condvar,
}

#[derive(Default)]
struct QueueState {
    /// Pieces not yet taken, in file order, with their sequence numbers.
    waiting: VecDeque<(u64, Piece)>,
    /// Pieces scanned and not yet handed on (a few at most).
    scanned: Vec<(u64, Piece)>,
    /// No more pieces will come: helpers leave once `waiting` is empty.
    closed: bool,
    /// A helper panicked: the piece it held will never be scanned.
    helper_panicked: bool,
}

impl PieceQueue {
    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // A helper that panicked sets `helper_panicked` under the lock; the
        // state itself is never left half-changed.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait<'g>(&self, guard: MutexGuard<'g, QueueState>) -> MutexGuard<'g, QueueState> {
        self.changed.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    fn close(&self) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        state.closed = true;
        drop(state);
        self.changed.notify_all();
    }
}

/// The helpers of one file's owner, within the scope their threads live in.
pub(super) struct Crew<'scope, 'env, 'a> {
    scope: &'scope Scope<'scope, 'env>,
    queue: &'scope PieceQueue,
    display: &'scope str,
    /// Scanners not running now, kept with their warm caches.
    resting: Vec<FileScanner<'a>>,
    running: Vec<ScopedJoinHandle<'scope, FileScanner<'a>>>,
    /// Whether a helper started: only then may a thread wait on the queue.
    /// A condition variable's notification is a system call even when no
    /// one waits, and nearly every file (a small one) never shares pieces.
    helped: bool,
    /// Sequence number of the next piece queued, and of the next to hand on.
    next: u64,
    handed: u64,
}

impl<'scope, 'env, 'a: 'scope> Crew<'scope, 'env, 'a> {
    pub(super) fn new(
        scope: &'scope Scope<'scope, 'env>,
        queue: &'scope PieceQueue,
        display: &'scope str,
        resting: Vec<FileScanner<'a>>,
    ) -> Self {
        Crew {
            scope,
            queue,
            display,
            resting,
            running: Vec::new(),
            helped: false,
            next: 0,
            handed: 0,
        }
    }

    /// Whether the next piece should go to the queue: helpers are at work,
    /// or a thread is idle and could become one. Otherwise the owner scans
    /// the file on its own (after [`Self::drain`]).
    pub(super) fn wants_piece(&mut self, owner: &FileScanner<'a>) -> bool {
        self.reap();
        !self.running.is_empty() || self.may_start_helper(owner)
    }

    /// Queues `piece` (after [`Self::wants_piece`] said so), starting a
    /// helper if a thread is idle; while too many pieces are in flight, the
    /// owner hands on or scans pieces itself.
    pub(super) fn submit(
        &mut self,
        owner: &mut FileScanner<'a>,
        piece: Piece,
        sink: &mut dyn FnMut(&mut Finding),
    ) {
        self.queue.lock().waiting.push_back((self.next, piece));
        self.next += 1;
        self.queue.changed.notify_all();
        if self.may_start_helper(owner) {
            self.start_helper(owner);
        }
        let window = PIECES_IN_FLIGHT_PER_THREAD * (self.running.len() as u64 + 1);
        while self.next - self.handed >= window {
            self.work_once(owner, sink);
        }
    }

    /// Hands on every piece queued so far, scanning those no helper took.
    pub(super) fn drain(
        &mut self,
        owner: &mut FileScanner<'a>,
        sink: &mut dyn FnMut(&mut Finding),
    ) {
        while self.handed < self.next {
            self.work_once(owner, sink);
        }
    }

    /// Drains the queue and lets the helpers go: the file is read.
    pub(super) fn finish(
        &mut self,
        owner: &mut FileScanner<'a>,
        sink: &mut dyn FnMut(&mut Finding),
    ) {
        self.close();
        self.drain(owner, sink);
        self.join_helpers();
    }

    /// No more pieces: helpers leave once the queue is empty.
    fn close(&self) {
        if self.helped {
            self.queue.close();
        }
    }

    fn join_helpers(&mut self) {
        for handle in self.running.drain(..) {
            // A helper's panic is passed on by the scope.
            if let Ok(scanner) = handle.join() {
                self.resting.push(scanner);
            }
        }
    }

    /// The scanners, for the owner to keep for its next file. The reading
    /// loop finishes its crew wherever helpers may have started; a crew
    /// left unfinished (a file ended before its first piece) has none.
    pub(super) fn into_scanners(mut self) -> Vec<FileScanner<'a>> {
        self.close();
        self.join_helpers();
        std::mem::take(&mut self.resting)
    }

    /// Whether another helper fits in the scan's thread count and a thread
    /// is idle to be it.
    fn may_start_helper(&self, owner: &FileScanner<'a>) -> bool {
        let threads = owner.ctx.settings.threads;
        1 + self.running.len() < threads && owner.ctx.idle_threads() > 0
    }

    fn start_helper(&mut self, owner: &FileScanner<'a>) {
        let scanner = self
            .resting
            .pop()
            .unwrap_or_else(|| FileScanner::new(owner.ctx));
        let (queue, display) = (self.queue, self.display);
        let busy = Busy::new(&owner.ctx.busy_threads);
        self.helped = true;
        self.running.push(self.scope.spawn(move || {
            let scanner = help(scanner, queue, display);
            drop(busy);
            scanner
        }));
    }

    /// Collects helpers that left.
    fn reap(&mut self) {
        let mut i = 0;
        while i < self.running.len() {
            if self.running[i].is_finished() {
                if let Ok(scanner) = self.running.swap_remove(i).join() {
                    self.resting.push(scanner);
                }
            } else {
                i += 1;
            }
        }
    }

    /// One step towards handing on the next piece: hand it on if scanned,
    /// else scan a waiting piece, else wait for a helper.
    fn work_once(&mut self, owner: &mut FileScanner<'a>, sink: &mut dyn FnMut(&mut Finding)) {
        let mut state = self.queue.lock();
        loop {
            if let Some(i) = state.scanned.iter().position(|(n, _)| *n == self.handed) {
                let (_, piece) = state.scanned.swap_remove(i);
                drop(state);
                owner.hand_on(piece, sink);
                self.handed += 1;
                return;
            }
            if let Some((n, mut piece)) = state.waiting.pop_front() {
                drop(state);
                owner.scan_piece(&mut piece, self.display);
                self.queue.lock().scanned.push((n, piece));
                return;
            }
            assert!(
                !state.helper_panicked,
                "a thread scanning a piece of {} panicked",
                self.display
            );
            state = self.queue.wait(state);
        }
    }
}

impl Drop for Crew<'_, '_, '_> {
    /// Helpers wait for pieces until the queue closes: close it however
    /// the owner leaves (a panic included), or the scope would wait forever.
    fn drop(&mut self) {
        if self.helped {
            self.queue.close();
        }
    }
}

/// A helper's life: takes waiting pieces until none is left and the queue
/// is closed, or until more threads are at work than asked for (an idle
/// thread has started on another file since), and returns its scanner.
fn help<'a>(mut scanner: FileScanner<'a>, queue: &PieceQueue, display: &str) -> FileScanner<'a> {
    let ctx = scanner.ctx;
    let _mark = PanicMark(queue);
    loop {
        let (n, mut piece) = {
            let mut state = queue.lock();
            loop {
                if let Some(next) = state.waiting.pop_front() {
                    break next;
                }
                if state.closed {
                    return scanner;
                }
                state = queue.wait(state);
            }
        };
        scanner.scan_piece(&mut piece, display);
        queue.lock().scanned.push((n, piece));
        queue.changed.notify_all();
        if ctx.busy_threads.load(Ordering::Relaxed) > ctx.settings.threads {
            return scanner;
        }
    }
}

/// Tells the owner when its helper panicked, so it does not wait forever
/// for the piece the helper held.
struct PanicMark<'q>(&'q PieceQueue);

impl Drop for PanicMark<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().helper_panicked = true;
            self.0.changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::formats::Format;
    use crate::redact::FingerprintKey;
    use crate::scan::{Busy, FileOutcome, FileScanner, ScanContext, ScanSettings};
    use std::io::Read;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn context(threads: usize) -> ScanContext {
        ScanContext::new(
            crate::build_matcher(crate::rules::default_rules().unwrap(), None, "NL").unwrap(),
            FingerprintKey::from_secret(b"piece tests", "test"),
            ScanSettings {
                threads,
                ..ScanSettings::default()
            },
        )
    }

    /// A customer table of about 9 MB: some twenty pieces.
    fn table() -> Vec<u8> {
        let mut csv = String::from("id,naam,email,telefoon,opmerking\n");
        for i in 0..110_000u64 {
            csv.push_str(&format!(
                "{i},Klant {i},klant{i}@ziggo.nl,06{:08},\"belt terug op\n+31 6 {:08}\"\n",
                (i * 7919) % 100_000_000,
                (i * 104_729) % 100_000_000,
            ));
        }
        csv.into_bytes()
    }

    /// Reads `data` and, once `from` bytes are given, counts `extra`
    /// threads as busy until `to` bytes are: as if idle threads started on
    /// other files and finished them.
    struct OthersBusyBetween<'d> {
        data: &'d [u8],
        given: usize,
        from: usize,
        to: usize,
        extra: usize,
        busy: &'d AtomicUsize,
        counted: bool,
    }

    impl Read for OthersBusyBetween<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let busy_now = (self.from..self.to).contains(&self.given);
            if busy_now != self.counted {
                if busy_now {
                    self.busy.fetch_add(self.extra, Ordering::Relaxed);
                } else {
                    self.busy.fetch_sub(self.extra, Ordering::Relaxed);
                }
                self.counted = busy_now;
            }
            // Small reads, so that the count changes between two pieces.
            let n = buf.len().min(self.data.len() - self.given).min(64 << 10);
            buf[..n].copy_from_slice(&self.data[self.given..self.given + n]);
            self.given += n;
            Ok(n)
        }
    }

    /// What a finding says: value, line, column, field, rule, masked
    /// value, fingerprint and confidence.
    type Seen = Vec<(
        String,
        u64,
        u64,
        Option<String>,
        String,
        String,
        String,
        String,
    )>;

    fn scan(ctx: &ScanContext, reader: &mut dyn Read, len: usize) -> (Seen, Option<u64>) {
        // The thread that owns a file counts as busy, as in a walk.
        let _busy = Busy::new(&ctx.busy_threads);
        let mut scanner = FileScanner::new(ctx);
        let mut seen = Vec::new();
        let mut outcome = FileOutcome::start("klanten.csv".into(), len as u64, None);
        scanner.scan_reader(
            reader,
            Format::for_path(std::path::Path::new("klanten.csv")),
            Some(len as u64),
            &mut outcome,
            &mut |f| {
                let f = f.take();
                let (rule, confidence) = (f.rule.to_string(), f.confidence.as_str().to_string());
                seen.push((
                    f.value,
                    f.line,
                    f.column,
                    f.field,
                    rule,
                    f.masked,
                    f.fingerprint,
                    confidence,
                ))
            },
            &|_| {},
        );
        let rows = scanner.take_table_profile().map(|t| t.rows());
        (seen, rows)
    }

    #[test]
    fn helpers_that_leave_mid_file_and_come_back_change_nothing() {
        let data = table();
        let alone = scan(&context(1), &mut &data[..], data.len());
        assert!(alone.0.len() > 250_000, "{}", alone.0.len());
        let ctx = context(3);
        let mut reader = OthersBusyBetween {
            data: &data,
            given: 0,
            // Past the first chunk (4 MiB), which is read before any piece.
            from: 5 << 20,
            to: 7 << 20,
            extra: 10,
            busy: &ctx.busy_threads,
            counted: false,
        };
        let shared = scan(&ctx, &mut reader, data.len());
        assert_eq!(alone.1, shared.1, "rows");
        assert_eq!(alone.0.len(), shared.0.len());
        for (a, b) in alone.0.iter().zip(&shared.0) {
            assert_eq!(a, b);
        }
        // Every helper counted itself out.
        assert_eq!(ctx.busy_threads.load(Ordering::Relaxed), 0);
    }
}
