//! The three things the dynamic combinators need that safe Rust cannot say, and nothing else:
//! the futures pinned in one allocation, and pinned access to each; the outputs written over
//! that storage once every future has finished, which saves their `Vec` an allocation; and a
//! waker per future that costs no allocation of its own: all of them live in the storage's
//! spare room, which they keep alive for as long as one of them does.
#![allow(unsafe_code)]

use alloc::alloc::{Layout, dealloc};
use alloc::vec::Vec;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ops::{Deref, Range};
use core::pin::Pin;
use core::ptr::{self, NonNull};
#[cfg(not(loom))]
use core::sync::atomic::{AtomicUsize, Ordering, fence};
use core::task::{RawWaker, RawWakerVTable, Waker};

#[cfg(loom)]
use loom::{
    cell::UnsafeCell,
    sync::atomic::{AtomicUsize, Ordering, fence},
};

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
    // `Pin<&mut [T]>` (the storage is a `Storage`, which never moves its slots), and an
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

/// The futures of a dynamic combinator, pinned in one allocation: a `Vec`'s, taken over
/// with its capacity. Above the number of futures that may need wakers of their own, the
/// capacity has room past the futures for those wakers ([`Readiness`]), which then own the
/// allocation with the combinator: it is freed when the last of them lets go. Three words:
/// where the wakers are follows from where the slots end, and whether they are made is a bit
/// of the capacity.
pub(crate) struct Storage<S> {
    /// The allocation, `cap & !WAKERS` slots of `S`, of which the first `len` are initialised.
    base: NonNull<S>,
    len: usize,
    /// The allocation's capacity, in slots (at most `isize::MAX`), and [`WAKERS`] once the
    /// futures' wakers are made in the room past the slots (see [`Storage::readiness`]).
    cap: usize,
    slots: PhantomData<S>,
}

/// The bit of [`Storage`]'s `cap` that says the wakers are made: a capacity never has it.
const WAKERS: usize = !(usize::MAX >> 1);

// Moving a `Storage` moves no slot: they are pinned in the allocation, as in a `Pin<Box<[S]>>`.
impl<S> Unpin for Storage<S> {}

// SAFETY: a `Storage` owns its slots, as a `Box<[S]>` does; its `Readiness` is `Send + Sync`.
unsafe impl<S: Send> Send for Storage<S> {}
// SAFETY: shared access reads the slots through `&self` only where `S: Sync` allows it, and
// the `Readiness` through its atomics.
unsafe impl<S: Sync> Sync for Storage<S> {}

impl<S> Storage<S> {
    /// The items of `iter` in a new allocation, with room for wakers of their own when they
    /// are at least `wakers_from`.
    pub(crate) fn new(iter: impl Iterator<Item = S>, wakers_from: usize) -> Self {
        assert!(size_of::<S>() != 0, "slots take room");
        // Where the room starts is not known yet: it may take padding to align the wakers.
        let room = |n: usize| {
            if n >= wakers_from {
                (Readiness::bytes(n) + align_of::<Readiness>() - 1).div_ceil(size_of::<S>())
            } else {
                0
            }
        };
        let (lower, _) = iter.size_hint();
        let mut slots = Vec::with_capacity(lower + room(lower));
        slots.extend(iter);
        let n = slots.len();
        slots.reserve_exact(room(n));
        let mut slots = ManuallyDrop::new(slots);
        Storage {
            base: NonNull::new(slots.as_mut_ptr()).expect("a `Vec`'s pointer is not null"),
            len: n,
            // A `Vec` of values that take room has at most `isize::MAX` of them: no `WAKERS`.
            cap: slots.capacity(),
            slots: PhantomData,
        }
    }

    /// Takes the slots and the allocation, leaving none: with no slot and no capacity, the
    /// stale pointer kept (never read: a slice of no slot at an aligned address is empty).
    #[inline]
    pub(crate) fn take(&mut self) -> Self {
        let taken = Storage {
            base: self.base,
            len: self.len,
            cap: self.cap,
            slots: PhantomData,
        };
        self.len = 0;
        self.cap = 0;
        taken
    }

    /// How many slots there are.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Every slot, pinned.
    #[inline]
    pub(crate) fn slots(&mut self) -> Pin<&mut [S]> {
        self.split().0
    }

    /// The allocation's capacity, in slots.
    fn capacity(&self) -> usize {
        self.cap & !WAKERS
    }

    /// How many bytes past the slots the futures' wakers start: what aligns them.
    #[inline]
    fn pad(&self) -> usize {
        // Slots as aligned as a `Readiness`, and of a size that keeps it (the common case),
        // end aligned: no padding to find.
        if align_of::<S>() >= align_of::<Readiness>()
            && size_of::<S>() % align_of::<Readiness>() == 0
        {
            return 0;
        }
        let tail = self.base.as_ptr().wrapping_add(self.len).cast::<u8>();
        tail.addr().wrapping_neg() % align_of::<Readiness>()
    }

    /// Where the futures' wakers are, or go: past the slots, aligned.
    ///
    /// # Safety
    ///
    /// The room past the slots holds them: they are made, or `make_wakers` checked it.
    #[inline]
    unsafe fn readiness_ptr(&self) -> NonNull<Readiness> {
        // SAFETY: by the contract, the slots and the padding after them end within the
        // allocation, whose address is not null.
        unsafe {
            let tail = self.base.as_ptr().add(self.len).cast::<u8>();
            #[expect(clippy::cast_ptr_alignment, reason = "`pad` aligns it")]
            NonNull::new_unchecked(tail.add(self.pad()).cast::<Readiness>())
        }
    }

    /// The futures' wakers, if made.
    #[inline]
    fn readiness_if_made(&self) -> Option<NonNull<Readiness>> {
        // SAFETY: the wakers are made: the room holds them.
        (self.cap & WAKERS != 0).then(|| unsafe { self.readiness_ptr() })
    }

    /// The futures' wakers, if made.
    #[inline]
    pub(crate) fn readiness(&self) -> Option<&Readiness> {
        // SAFETY: a `Readiness` made by `make_wakers` lives as long as the combinator's count
        // of it, which `self` holds until it is dropped; `len` never changes while it does.
        self.readiness_if_made()
            .map(|readiness| unsafe { readiness.as_ref() })
    }

    /// Every slot, pinned, and the futures' wakers, if made.
    #[inline]
    pub(crate) fn split(&mut self) -> (Pin<&mut [S]>, Option<&Readiness>) {
        let slots = ptr::slice_from_raw_parts_mut(self.base.as_ptr(), self.len);
        // SAFETY: the first `len` slots are initialised, and owned by `self`, borrowed
        // mutably; the slice stops before the `Readiness`, which is only read through shared
        // references. They are pinned: nothing moves a slot while the storage lives (it never
        // reallocates, and hands its slots out pinned only), and a slot is only ever replaced
        // through `Pin::set`, which drops the old value in place.
        let slots = unsafe { Pin::new_unchecked(&mut *slots) };
        (slots, self.readiness())
    }

    /// Makes a waker for each future, all waking `parent` first, in the room past the slots.
    /// Once in a combinator's life: out of the way of the polls that call it.
    ///
    /// # Panics
    ///
    /// When they are made twice, or there is no room: `new` was told fewer futures may need
    /// them. Both are bugs of this crate.
    #[cold]
    #[inline(never)]
    pub(crate) fn make_wakers(&mut self, parent: &Waker) {
        assert!(self.cap & WAKERS == 0, "wakers made twice");
        let n = self.len;
        let room = (self.capacity() - n) * size_of::<S>();
        assert!(
            self.pad() + Readiness::bytes(n) <= room,
            "no room for wakers"
        );
        // SAFETY: the room holds them (checked just above).
        let readiness = unsafe { self.readiness_ptr() }.as_ptr();
        let (words, summary) = Readiness::words(n);
        let layout =
            Layout::array::<S>(self.capacity()).expect("the layout of a `Vec`'s allocation");
        // SAFETY: everything written lies within the room checked above, past the slots, and
        // aligned: `readiness_ptr` aligns the `Readiness`, whose size is a multiple of the
        // alignment of the cells and words that follow it (pointers and `usize`s, no more
        // aligned than it). The memory is spare capacity: nothing else reads or writes it.
        unsafe {
            let cells = readiness.add(1).cast::<*const Readiness>();
            let bits = cells.add(n).cast::<AtomicUsize>();
            for i in 0..n {
                cells.add(i).write(readiness);
            }
            for k in 0..words + summary {
                bits.add(k).write(AtomicUsize::new(0));
            }
            readiness.write(Readiness {
                refs: AtomicUsize::new(1),
                parent: ParentWaker::new(parent.clone()),
                n,
                words,
                summary,
                cells,
                bits,
                base: self.base.as_ptr().cast(),
                layout,
            });
        }
        self.cap |= WAKERS;
    }

    /// Drops the wakers if no clone of one is left, so that the allocation is the storage's
    /// alone again; whether it is.
    #[inline]
    fn own_alone(&mut self) -> bool {
        self.cap & WAKERS == 0 || self.drop_wakers_if_alone()
    }

    #[cold]
    fn drop_wakers_if_alone(&mut self) -> bool {
        let Some(readiness) = self.readiness_if_made() else {
            return true;
        };
        // SAFETY: the combinator's count keeps the `Readiness` alive. When it is the only
        // count, no waker is left to clone or wake, and no other thread touches it: those
        // that let their counts go did so before this `Acquire` load saw the last release.
        unsafe {
            if readiness.as_ref().refs.load(Ordering::Acquire) != 1 {
                return false;
            }
            ptr::drop_in_place(readiness.as_ptr());
        }
        self.cap &= !WAKERS;
        true
    }
}

/// Frees a storage's allocation (of `cap > 0` slots), or lets the wakers' count of it go,
/// even when a slot's drop panics.
struct Free<S> {
    base: NonNull<S>,
    cap: usize,
    readiness: Option<NonNull<Readiness>>,
}

impl<S> Drop for Free<S> {
    #[inline]
    fn drop(&mut self) {
        if let Some(readiness) = self.readiness {
            // SAFETY: the combinator's count, given back once.
            unsafe { Readiness::release(readiness.as_ptr()) };
        } else {
            // SAFETY: the allocation of a `Vec` of `cap` slots (so its size did not
            // overflow), now unused; slots take room (`Storage::new`).
            unsafe {
                let layout =
                    Layout::from_size_align_unchecked(self.cap * size_of::<S>(), align_of::<S>());
                dealloc(self.base.as_ptr().cast(), layout);
            }
        }
    }
}

impl<S> Drop for Storage<S> {
    fn drop(&mut self) {
        if self.cap == 0 {
            // No allocation, so no slot and no wakers: a storage taken, or of no future.
            return;
        }
        let _free = Free {
            base: self.base,
            cap: self.capacity(),
            readiness: self.readiness_if_made(),
        };
        // SAFETY: the first `len` slots are initialised and owned; dropped in place, as their
        // pin requires, and never used again.
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.base.as_ptr(), self.len));
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
/// value has their alignment, divides their size, and takes at least a quarter of it (so that
/// small outputs of large futures do not keep the futures' room alive): the `Vec` then owns
/// the storage, with the capacity its bytes give, at most four times its length and the room
/// kept for wakers (about a word per future). Otherwise, or while a clone of a future's
/// waker lives on, in a new allocation of their own.
///
/// # Panics
///
/// When a slot is not `Done`, which is a bug of this crate. The storage is then leaked, with
/// what was moved into it: a slot that still holds its future is pinned, and leaking it is
/// the one thing besides dropping it in place that its pin allows.
#[expect(
    clippy::inline_always,
    reason = "measured: as a call of its own, its loop costs two instructions more a value"
)]
#[inline(always)]
pub(crate) fn into_values<F, T>(mut storage: Storage<MaybeDone<F, T>>) -> Vec<T> {
    let slot = size_of::<MaybeDone<F, T>>();
    let fits = size_of::<T>() != 0
        && align_of::<T>() == align_of::<MaybeDone<F, T>>()
        && slot % size_of::<T>() == 0
        && slot <= 4 * size_of::<T>();
    if !fits || !storage.own_alone() {
        return iter_pin_mut(storage.slots()).map(MaybeDone::take).collect();
    }
    let storage = ManuallyDrop::new(storage);
    let (len, cap) = (storage.len, storage.capacity());
    let (from, to) = (storage.base.as_ptr(), storage.base.as_ptr().cast::<T>());
    for i in 0..len {
        // SAFETY: `i < len`, and slot `i` is intact: the values written so far, `0..i`, end at
        // byte `i * size_of::<T>()`, at or before slot `i`'s first (a slot holds a `T`).
        let slot = unsafe { &mut *from.add(i) };
        let MaybeDone::Done { value } = slot else {
            panic!("combinator slot taken before it finished");
        };
        // SAFETY: the value is read once, and its slot is never read again (nor dropped: the
        // `Vec` takes the storage). Writing value `i` ends at or before slot `i + 1`'s first
        // byte, so it overwrites at most slot `i`, already read. Nothing in the slots is
        // pinned any more: each holds a value, and a value is not pinned with its slot.
        unsafe { to.add(i).write(ptr::read(value)) };
    }
    // SAFETY: the storage, the allocation of a `Vec` of `cap` slots, is the `Vec`'s alone (no
    // wakers: `own_alone`), and is `cap * slot / size_of::<T>()` values of the same alignment
    // (checked in `fits`); it holds `len` values, written above. An empty `Vec`'s dangling
    // pointer is aligned for `T` too.
    unsafe { Vec::from_raw_parts(to, len, cap * slot / size_of::<T>()) }
}

const BITS: usize = usize::BITS as usize;

/// Which of `n` futures were woken since their combinator last looked, and the waker to tell
/// it: made in the room that the futures' storage keeps past them for it, with one cell per
/// future, which its waker points to, and the bits below. It keeps the storage alive for as
/// long as a waker of one of its futures lives, with a count of its own.
///
/// Waking future `i` sets bit `i` of the `woken` words, then bit `i / BITS` of the summary
/// words, and wakes the combinator's task only when the summary was empty: a later wake sees
/// a bit that the combinator has not taken yet, and so will.
pub(crate) struct Readiness {
    /// How many own the storage: the combinator, and each waker cloned from a future's.
    refs: AtomicUsize,
    parent: ParentWaker,
    /// How many futures there are.
    n: usize,
    /// How many words of `woken` bits there are: the summary follows them.
    words: usize,
    /// How many words of summary bits there are.
    summary: usize,
    /// One per future, right after this `Readiness`, each the address of this `Readiness`:
    /// a future's waker points to its cell, so it finds both.
    cells: *const *const Readiness,
    /// Right after the cells, the `woken` bits of every future, then the summary: one bit per
    /// word of them. Kept, though it follows from `cells` and `n`: measured, it saves the
    /// woken-one-at-a-time cells 1 to 3% a future.
    bits: *const AtomicUsize,
    /// The storage's allocation, freed with the last count.
    base: *mut u8,
    layout: Layout,
}

// SAFETY: the pointers are addresses, written before anyone can read them and never changed;
// what they point to is atomics, or addresses of the same kind; the parent waker is
// `Send + Sync` (see `ParentWaker`).
unsafe impl Send for Readiness {}
// SAFETY: as above: shared access reads an address, or an atomic.
unsafe impl Sync for Readiness {}

impl Readiness {
    /// How many words of `woken` bits, and of summary bits, `n` futures take.
    fn words(n: usize) -> (usize, usize) {
        let words = n.div_ceil(BITS);
        (words, words.div_ceil(BITS))
    }

    /// The bytes of a `Readiness` for `n` futures, with its cells and bits.
    pub(crate) fn bytes(n: usize) -> usize {
        let (words, summary) = Self::words(n);
        size_of::<Self>()
            + n * size_of::<*const Self>()
            + (words + summary) * size_of::<AtomicUsize>()
    }

    /// The word of bits `k`: the `woken` words come first, then the summary.
    #[inline]
    fn word(&self, k: usize) -> &AtomicUsize {
        assert!(k < self.words + self.summary);
        // SAFETY: `k` is in bounds; the words were written when this was made, and live as
        // long as it does.
        unsafe { &*self.bits.add(k) }
    }

    /// From now on, wakes reach `waker`: the task that polls the combinator now.
    #[inline]
    pub(crate) fn register(&self, waker: &Waker) {
        self.parent.register(waker);
    }

    /// How many summary words there are: a scan of woken futures reads each once.
    #[inline]
    pub(crate) fn summary_len(&self) -> usize {
        self.summary
    }

    /// Takes the summary word `s`: the words of `woken` bits that may have bits set.
    #[inline]
    pub(crate) fn take_summary(&self, s: usize) -> usize {
        self.word(self.words + s).swap(0, Ordering::AcqRel)
    }

    /// Takes word `w` of `woken` bits: the futures `w * BITS ..` woken since it was last taken.
    #[inline]
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
        let (s, bit) = (self.words + w / BITS, 1 << (w % BITS));
        self.word(s).fetch_or(bit, Ordering::AcqRel) == 0
    }

    /// Future `i`'s waker, borrowed from `self`: making it costs no count, and a future that
    /// keeps it clones it, which takes one.
    #[inline]
    pub(crate) fn waker(&self, i: usize) -> WakerRef<'_> {
        assert!(i < self.n);
        // SAFETY: `i` is in bounds, so the pointer stays in the cells.
        let data = unsafe { self.cells.add(i) };
        // SAFETY: `data` points to a cell of `self`, which `VTABLE` expects. The waker is
        // wrapped in `ManuallyDrop` and borrows `self` for its whole life, so it needs (and
        // holds) no count of its own: the count it would give back is the borrow's. Clones
        // made from it take their own count in `clone_waker`.
        let waker = unsafe { Waker::new(data.cast(), &VTABLE) };
        WakerRef {
            waker: ManuallyDrop::new(waker),
            _readiness: PhantomData,
        }
    }

    /// Gives back one count; the last frees the storage.
    ///
    /// # Safety
    ///
    /// `this` is a live `Readiness`, and the caller owns one of its counts, never used again.
    unsafe fn release(this: *const Readiness) {
        // SAFETY: a count keeps `this` alive until it is given back here.
        if unsafe { (*this).refs.fetch_sub(1, Ordering::Release) } != 1 {
            return;
        }
        // Every other owner's use of the storage happened before its release, which this
        // fence orders before the drop.
        fence(Ordering::Acquire);
        // SAFETY: the last count: nobody else can reach the `Readiness`, and the slots were
        // dropped by the combinator before it gave back its own. The allocation is the one
        // made for a `Vec` with `layout`, and nothing in it is used after this.
        unsafe {
            let (base, layout) = ((*this).base, (*this).layout);
            ptr::drop_in_place(this.cast_mut());
            dealloc(base, layout);
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
/// `data` is the address of a cell of a live `Readiness`, as every waker made by
/// [`Readiness::waker`] or cloned from one has while it lives: it holds a count, or borrows
/// the combinator, which holds one.
unsafe fn readiness(data: *const ()) -> *const Readiness {
    // SAFETY: by this function's contract, `data` points to a live cell.
    unsafe { *data.cast::<*const Readiness>() }
}

unsafe fn clone_waker(data: *const ()) -> RawWaker {
    // SAFETY: `data` comes from a waker of ours (this vtable is only ever paired with such
    // data), alive for this call, so it names a live `Readiness`, whose count the new waker
    // takes.
    let old = unsafe { (*readiness(data)).refs.fetch_add(1, Ordering::Relaxed) };
    // As `Arc` does: a count that could wrap round would free the storage under a waker
    // (it never frees the storage now: the count stays that high).
    assert!(isize::try_from(old).is_ok(), "too many clones of a waker");
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: an owned waker of ours: it holds a count, which `drop_waker` gives back after
    // use.
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
    // among that `Readiness`'s cells, so its distance from the first cell is its index.
    let (readiness, index) = unsafe {
        let readiness = &*readiness(data);
        let cell = data.cast::<*const Readiness>();
        (readiness, cell.offset_from(readiness.cells) as usize)
    };
    readiness.wake(index);
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: an owned waker of ours (a borrowed one is in `ManuallyDrop` and never dropped):
    // it holds one count, taken in `clone_waker`, which it gives back here.
    unsafe { Readiness::release(readiness(data)) };
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

/// The slot of the combinator's waker: `core`'s `UnsafeCell`, or loom's under `--cfg loom`,
/// which sees a read that overlaps a write.
#[cfg(not(loom))]
struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
impl<T> UnsafeCell<T> {
    fn new(value: T) -> Self {
        UnsafeCell(core::cell::UnsafeCell::new(value))
    }

    fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

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
                // it (a wake that comes meanwhile only sets `WAKING` and leaves). Clones only
                // when the task changed; the old waker is dropped under the lock, which is no
                // wake.
                self.waker
                    .with_mut(|slot| unsafe { (*slot).clone_from(waker) });
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
            self.waker.with(|waker| unsafe { (*waker).wake_by_ref() });
            self.state.fetch_and(!WAKING, Ordering::Release);
        }
        // Otherwise a register holds the slot, and will wake its new waker when it sees
        // `WAKING`; or another wake is under way, which is one wake already.
    }
}
