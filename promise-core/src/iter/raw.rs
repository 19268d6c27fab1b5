//! The three things the dynamic combinators need that safe Rust cannot say, and nothing else:
//! pinned access to the elements of a pinned slice; the outputs written over that slice's
//! storage once every future has finished, which saves their `Vec` an allocation; and a waker
//! per future that costs no allocation of its own (with the one slot they share for the
//! combinator's own waker).
#![allow(unsafe_code)]

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, Range};
use core::pin::Pin;
use core::sync::atomic::{AtomicUsize, Ordering};
use core::task::{RawWaker, RawWakerVTable, Waker};

use crate::maybe_done::MaybeDone;

/// Element `i` of a pinned slice, pinned.
///
/// # Panics
///
/// When `i` is out of bounds.
#[inline]
pub(crate) fn get_pin_mut<T>(slice: Pin<&mut [T]>, i: usize) -> Pin<&mut T> {
    // SAFETY: the elements of a pinned slice are pinned too (structural pinning): the slice is
    // never moved out of, reordered or reallocated while pinned, since all anyone holds is this
    // `Pin<&mut [T]>` (the storage is a `Pin<Box<[T]>>`, whose length is fixed), and an
    // element is only ever replaced through `Pin::set`, which drops the old value in place.
    // Indexing moves nothing.
    unsafe { slice.map_unchecked_mut(|elements| &mut elements[i]) }
}

/// The elements `range` of a pinned slice, pinned, with their indices.
///
/// Walks the slice through a raw pointer: a bounds check or a sub-slice would read it through
/// `&[T]`, which asserts that nothing inside is mutably borrowed, and a future that borrows
/// from itself across an `.await` is. The range is checked once, not at each element.
///
/// # Panics
///
/// When `range` is not within the slice.
#[inline]
pub(crate) fn range_pin_mut<T>(slice: Pin<&mut [T]>, range: Range<usize>) -> RangePinMut<'_, T> {
    // SAFETY: the slice is only walked, never moved out of (see `get_pin_mut`).
    let elements: *mut [T] = unsafe { slice.get_unchecked_mut() };
    assert!(
        range.start <= range.end && range.end <= elements.len(),
        "slots out of bounds"
    );
    assert!(size_of::<T>() != 0, "slots take room");
    let base = elements.cast::<T>();
    // SAFETY: both ends are within the slice or one past it (checked above).
    let (next, end) = unsafe { (base.add(range.start), base.add(range.end)) };
    RangePinMut {
        base,
        next,
        end,
        slice: PhantomData,
    }
}

/// The iterator of [`range_pin_mut`]: it walks a pointer, and finds an element's index from
/// it only when the loop needs it.
pub(crate) struct RangePinMut<'a, T> {
    base: *mut T,
    next: *mut T,
    end: *mut T,
    slice: PhantomData<&'a mut [T]>,
}

impl<'a, T> Iterator for RangePinMut<'a, T> {
    type Item = (usize, Pin<&'a mut T>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.next == self.end {
            return None;
        }
        let element = self.next;
        // SAFETY: `element` is before `end`, so within the slice (checked when made), and the
        // next one at most one past its end; `base` is the slice's start, and `T` takes room,
        // so the distance is the index. Each element is handed out once, so the `&mut` are
        // disjoint and live no longer than the slice's borrow; the element is pinned with the
        // slice.
        unsafe {
            self.next = element.add(1);
            #[expect(clippy::cast_sign_loss, reason = "`element` is at or after `base`")]
            let i = element.offset_from(self.base) as usize;
            Some((i, Pin::new_unchecked(&mut *element)))
        }
    }
}

/// Every element of a pinned slice, pinned.
pub(crate) fn iter_pin_mut<T>(slice: Pin<&mut [T]>) -> impl Iterator<Item = Pin<&mut T>> {
    // SAFETY: the slice is only walked, never moved out of (see `get_pin_mut`).
    let elements: *mut [T] = unsafe { slice.get_unchecked_mut() };
    let first = elements.cast::<T>();
    (0..elements.len()).map(move |i| {
        // SAFETY: `i` is in bounds, each index is handed out once, so the `&mut` are disjoint
        // and live no longer than the slice's borrow; the element is pinned with the slice.
        unsafe { Pin::new_unchecked(&mut *first.add(i)) }
    })
}

/// The values that finished slots hold, in order, written over the slots' own storage when a
/// value has their alignment, divides their size, and takes at least a quarter of it: the
/// `Vec` then owns the storage, with the capacity its bytes give (at most four times its
/// length, so that small outputs of large futures do not keep the futures' room alive).
/// Otherwise, in a new allocation of their own.
///
/// # Panics
///
/// When a slot is not `Done`, which is a bug of this crate. The storage is then leaked, with
/// what was moved into it: a slot that still holds its future is pinned, and leaking it is
/// the one thing besides dropping it in place that its pin allows.
pub(crate) fn into_values<F, T>(mut slots: Pin<Box<[MaybeDone<F, T>]>>) -> Vec<T> {
    let fits = size_of::<T>() != 0
        && align_of::<T>() == align_of::<MaybeDone<F, T>>()
        && size_of::<MaybeDone<F, T>>() % size_of::<T>() == 0
        && size_of::<MaybeDone<F, T>>() <= 4 * size_of::<T>();
    if !fits {
        return iter_pin_mut(slots.as_mut()).map(MaybeDone::take).collect();
    }
    // SAFETY: nothing is moved out of a slot that holds a future (below).
    let slots: *mut [MaybeDone<F, T>] = Box::into_raw(unsafe { Pin::into_inner_unchecked(slots) });
    let len = slots.len();
    let (from, to) = (slots.cast::<MaybeDone<F, T>>(), slots.cast::<T>());
    for i in 0..len {
        // SAFETY: `i < len`, and slot `i` is intact: the values written so far, `0..i`, end at
        // byte `i * size_of::<T>()`, at or before slot `i`'s first (a slot holds a `T`).
        let slot = unsafe { &mut *from.add(i) };
        let MaybeDone::Done { value } = slot else {
            panic!("combinator slot taken before it finished");
        };
        // SAFETY: the value is read once, and its slot is never read again (nor dropped: the
        // `Vec` takes the storage). Writing value `i` ends at or before slot `i + 1`'s first
        // byte, so it overwrites at most slot `i`, already read.
        unsafe { to.add(i).write(core::ptr::read(value)) };
    }
    let capacity = len * size_of::<MaybeDone<F, T>>() / size_of::<T>();
    // SAFETY: the storage was allocated by the global allocator for `len` slots, that is for
    // `capacity` values (same alignment, same bytes: checked in `fits`), and holds `len`
    // values, written above. An empty slice's dangling pointer is aligned for `T` too.
    unsafe { Vec::from_raw_parts(to, len, capacity) }
}

const BITS: usize = usize::BITS as usize;

/// Which of `n` futures were woken since their combinator last looked, and the waker to tell
/// it: two allocations for all the futures (this, and its cells), whose wakers point into it.
///
/// Waking future `i` sets bit `i` of the `woken` words, then bit `i / BITS` of the summary
/// words, and wakes the combinator's task only when the summary was empty: a later wake sees
/// a bit that the combinator has not taken yet, and so will.
pub(crate) struct Readiness {
    parent: ParentWaker,
    /// How many futures there are.
    n: usize,
    /// One per future, what its waker points to (so that the waker finds the future's index,
    /// the distance from `cells[0]`, and this `Readiness`, the pointer it holds); and, in its
    /// `bits`, the `woken` bits of every future, then the summary: one bit per word of them.
    cells: Box<[Cell]>,
}

/// A future's waker points to its cell, which holds the address of the `Readiness` it belongs
/// to, kept alive by the waker's own strong count of that `Arc`.
struct Cell {
    readiness: *const Readiness,
    bits: AtomicUsize,
}

// SAFETY: `readiness` is an address, written once before anyone can read it and never
// changed; the `Readiness` it points to is `Send + Sync` (a waker slot, atomics), which is all
// a reader on another thread reaches through it.
unsafe impl Send for Cell {}
// SAFETY: as above: shared access reads the address, or the atomic.
unsafe impl Sync for Cell {}

impl Readiness {
    /// Wakers for `n` futures, all waking `parent`.
    pub(crate) fn new(parent: &Waker, n: usize) -> Arc<Self> {
        let words = n.div_ceil(BITS) + n.div_ceil(BITS).div_ceil(BITS);
        Arc::new_cyclic(|weak| Readiness {
            parent: ParentWaker::new(parent.clone()),
            n,
            cells: (0..n.max(words))
                .map(|_| Cell {
                    readiness: weak.as_ptr(),
                    bits: AtomicUsize::new(0),
                })
                .collect(),
        })
    }

    /// The word of bits `k`: the `woken` words come first, then the summary.
    fn word(&self, k: usize) -> &AtomicUsize {
        &self.cells[k].bits
    }

    /// From now on, wakes reach `waker`: the task that polls the combinator now.
    pub(crate) fn register(&self, waker: &Waker) {
        self.parent.register(waker);
    }

    /// How many summary words there are: a scan of woken futures reads each once.
    pub(crate) fn summary_len(&self) -> usize {
        self.n.div_ceil(BITS).div_ceil(BITS)
    }

    /// Takes the summary word `s`: the words of `woken` bits that may have bits set.
    pub(crate) fn take_summary(&self, s: usize) -> usize {
        self.word(self.n.div_ceil(BITS) + s)
            .swap(0, Ordering::AcqRel)
    }

    /// Takes word `w` of `woken` bits: the futures `w * BITS ..` woken since it was last taken.
    pub(crate) fn take_woken(&self, w: usize) -> usize {
        self.word(w).swap(0, Ordering::AcqRel)
    }

    /// Marks future `i` woken, and wakes the combinator's task if it may not know yet.
    fn wake(&self, i: usize) {
        if self.mark(i) {
            self.parent.wake();
        }
    }

    /// Marks future `i` woken; whether the combinator's task must be told (the summary was
    /// empty, so no wake of the task is on its way).
    fn mark(&self, i: usize) -> bool {
        let (w, bit) = (i / BITS, 1 << (i % BITS));
        if self.word(w).fetch_or(bit, Ordering::AcqRel) != 0 {
            // The word already had a bit the combinator has not taken: it will take ours too.
            return false;
        }
        let (s, bit) = (self.n.div_ceil(BITS) + w / BITS, 1 << (w % BITS));
        self.word(s).fetch_or(bit, Ordering::AcqRel) == 0
    }

    /// Future `i`'s waker, borrowed from `self`: making it costs no reference count, and a
    /// future that keeps it clones it, which takes one.
    #[inline]
    pub(crate) fn waker(self: &Arc<Self>, i: usize) -> WakerRef<'_> {
        assert!(i < self.n);
        // SAFETY: `i` is in bounds, so the pointer stays in `cells`.
        let data = unsafe { self.cells.as_ptr().add(i) };
        // SAFETY: `data` points to a `Cell` of `self`, which `VTABLE` expects. The waker is
        // wrapped in `ManuallyDrop` and borrows `self` for its whole life, so it needs (and
        // holds) no strong count of its own: the `Arc` it would release is kept alive by the
        // borrow. Clones made from it take their own count in `clone_waker`.
        let waker = unsafe { Waker::new(data.cast(), &VTABLE) };
        WakerRef {
            waker: ManuallyDrop::new(waker),
            _readiness: PhantomData,
        }
    }
}

/// A future's waker, valid while its `Readiness` is borrowed.
pub(crate) struct WakerRef<'a> {
    waker: ManuallyDrop<Waker>,
    _readiness: PhantomData<&'a Readiness>,
}

impl Deref for WakerRef<'_> {
    type Target = Waker;

    fn deref(&self) -> &Waker {
        &self.waker
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone_waker, wake, wake_by_ref, drop_waker);

/// The `Readiness` that the waker with `data` belongs to.
///
/// # Safety
///
/// `data` is the address of a `Cell` of a live `Readiness`, as every waker made by
/// [`Readiness::waker`] or cloned from one has while it lives: it holds a strong count, or
/// borrows the `Arc`.
unsafe fn readiness(data: *const ()) -> *const Readiness {
    // SAFETY: by this function's contract, `data` points to a live `Cell`.
    unsafe { (*data.cast::<Cell>()).readiness }
}

unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: `data` comes from a waker of ours (this vtable is only ever paired with such
    // data), alive for this call, so it names a live `Readiness` made by `Arc::new_cyclic`,
    // whose strong count the new waker takes.
    unsafe { Arc::increment_strong_count(readiness(data)) };
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: an owned waker of ours: it holds a strong count, which `drop_waker` releases
    // after use.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

#[allow(
    clippy::cast_sign_loss,
    reason = "a cell never precedes the first cell"
)]
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: a waker of ours, alive for this call, so its `Readiness` is alive; the cell lies
    // in that `Readiness`'s `cells`, so its distance from the first cell is its index.
    let (readiness, index) = unsafe {
        let readiness = &*readiness(data);
        let cell = data.cast::<Cell>();
        (
            readiness,
            cell.offset_from(readiness.cells.as_ptr()) as usize,
        )
    };
    readiness.wake(index);
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: an owned waker of ours (a borrowed one is in `ManuallyDrop` and never dropped):
    // it holds one strong count, taken in `clone_waker`, which it gives back here.
    unsafe { Arc::decrement_strong_count(readiness(data)) };
}

/// The combinator's waker, which the task polling it sets and any thread may wake: a
/// two-bit lock over the slot, never spinning (futures' `AtomicWaker`, minus the waker's
/// removal on wake, since the same task is woken again and again).
struct ParentWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Waker>,
}

/// Nobody holds the slot.
const IDLE: usize = 0;
/// The polling task is replacing the waker.
const REGISTERING: usize = 0b01;
/// A thread is waking the waker.
const WAKING: usize = 0b10;

// SAFETY: the `Waker` in the cell is `Send + Sync`; the cell is only read under `WAKING` and
// only written under `REGISTERING`, each taken alone by a compare-exchange from `IDLE`, so no
// read overlaps a write.
unsafe impl Send for ParentWaker {}
// SAFETY: as above.
unsafe impl Sync for ParentWaker {}

impl ParentWaker {
    fn new(waker: Waker) -> Self {
        ParentWaker {
            state: AtomicUsize::new(IDLE),
            waker: UnsafeCell::new(waker),
        }
    }

    /// Called only by the task polling the combinator, through `&mut` to it: never twice at
    /// once.
    fn register(&self, waker: &Waker) {
        match self
            .state
            .compare_exchange(IDLE, REGISTERING, Ordering::Acquire, Ordering::Acquire)
        {
            Ok(_) => {
                // SAFETY: `REGISTERING` is ours alone: no wake reads the cell until we leave
                // it (a wake that comes meanwhile only sets `WAKING` and leaves).
                let slot = unsafe { &mut *self.waker.get() };
                // Clones only when the task changed; the old waker is dropped under the lock,
                // which is no wake.
                slot.clone_from(waker);
                if self
                    .state
                    .compare_exchange(REGISTERING, IDLE, Ordering::AcqRel, Ordering::Acquire)
                    .is_err()
                {
                    // A wake came while we held the slot and found it busy: deliver it to the
                    // new waker ourselves, then free the slot.
                    self.state.store(IDLE, Ordering::Release);
                    waker.wake_by_ref();
                }
            }
            // A wake is reading the old waker right now: the slot cannot change, so tell the
            // new task directly; it will poll, and register again.
            Err(_) => waker.wake_by_ref(),
        }
    }

    /// Wakes the registered waker, from any thread.
    fn wake(&self) {
        if self.state.fetch_or(WAKING, Ordering::AcqRel) == IDLE {
            // SAFETY: we moved the state from `IDLE` to `WAKING`: no register writes the cell
            // until we clear it, and another wake finds `WAKING` set and leaves.
            let waker = unsafe { &*self.waker.get() };
            waker.wake_by_ref();
            self.state.fetch_and(!WAKING, Ordering::Release);
        }
        // Otherwise a register holds the slot, and will wake its new waker when it sees
        // `WAKING`; or another wake is under way, which is one wake already.
    }
}
