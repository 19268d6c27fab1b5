use core::fmt;

/// Every error of an `any` whose futures all failed, in argument order: the Rust face of
/// JavaScript's `AggregateError`.
///
/// `C` holds the errors: `[E; N]` for `any!` with `N` arguments, inline and allocation-free,
/// and `Vec<E>` for the `any` function and an `any!` with a spread `..iter`. Both read the same:
/// [`errors`](Self::errors) gives a slice, [`into_errors`](Self::into_errors) the collection.
///
/// ```
/// use promise_core::AggregateError;
///
/// let err = AggregateError::new(["timeout", "refused", "reset"]);
/// assert_eq!(err.errors(), &["timeout", "refused", "reset"]);
/// assert_eq!(err.to_string(), "all 3 futures failed: timeout; refused; reset");
/// let [first, ..] = err.into_errors();
/// assert_eq!(first, "timeout");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AggregateError<C> {
    errors: C,
}

/// What an [`AggregateError`] keeps its errors in: `[E; N]`, or `Vec<E>` with the `alloc`
/// feature. Not meant to be implemented outside this crate.
///
/// ```
/// use promise_core::{AggregateError, Errors};
///
/// fn first<C: Errors>(err: &AggregateError<C>) -> Option<&C::Error> {
///     err.errors().first()
/// }
/// assert_eq!(first(&AggregateError::new([1, 2])), Some(&1));
/// ```
pub trait Errors: sealed::Sealed {
    /// The type of one error.
    type Error;

    /// The errors, in argument order.
    fn as_slice(&self) -> &[Self::Error];
}

mod sealed {
    pub trait Sealed {}
}

impl<E, const N: usize> sealed::Sealed for [E; N] {}

impl<E, const N: usize> Errors for [E; N] {
    type Error = E;

    fn as_slice(&self) -> &[E] {
        self
    }
}

#[cfg(feature = "alloc")]
impl<E> sealed::Sealed for alloc::vec::Vec<E> {}

#[cfg(feature = "alloc")]
impl<E> Errors for alloc::vec::Vec<E> {
    type Error = E;

    fn as_slice(&self) -> &[E] {
        self
    }
}

impl<C: Errors> AggregateError<C> {
    /// Gathers `errors`, the first being that of the first argument.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let err = AggregateError::new([1, 2]);
    /// assert_eq!(err.len(), 2);
    /// ```
    pub const fn new(errors: C) -> Self {
        AggregateError { errors }
    }

    /// The errors, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// assert_eq!(AggregateError::new(['a', 'b']).errors(), &['a', 'b']);
    /// assert_eq!(AggregateError::new(vec!['a', 'b']).errors(), &['a', 'b']);
    /// ```
    pub fn errors(&self) -> &[C::Error] {
        self.errors.as_slice()
    }

    /// The errors as they are kept, an array or a `Vec`, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let [a, b] = AggregateError::new(['a', 'b']).into_errors();
    /// assert_eq!((a, b), ('a', 'b'));
    /// ```
    pub fn into_errors(self) -> C {
        self.errors
    }

    /// Iterates over the errors, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let err = AggregateError::new([1, 2, 3]);
    /// assert_eq!(err.iter().sum::<i32>(), 6);
    /// ```
    pub fn iter(&self) -> core::slice::Iter<'_, C::Error> {
        self.errors().iter()
    }

    /// How many errors there are: one per future.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// assert_eq!(AggregateError::new([(); 4]).len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.errors().len()
    }

    /// Whether there are none: an `any` of no futures, which fails at once, as
    /// `Promise.any([])` does.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// assert!(AggregateError::new(Vec::<()>::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.errors().is_empty()
    }
}

impl<C: IntoIterator> IntoIterator for AggregateError<C> {
    type Item = C::Item;
    type IntoIter = C::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a, C: Errors> IntoIterator for &'a AggregateError<C> {
    type Item = &'a C::Error;
    type IntoIter = core::slice::Iter<'a, C::Error>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<C: Errors<Error: fmt::Debug>> fmt::Debug for AggregateError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AggregateError")
            .field(&self.errors())
            .finish()
    }
}

impl<C: Errors<Error: fmt::Display>> fmt::Display for AggregateError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.len() {
            0 => return f.write_str("no futures to wait for, so none succeeded"),
            1 => f.write_str("the only future failed: ")?,
            n => write!(f, "all {n} futures failed: ")?,
        }
        for (i, error) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(error, f)?;
        }
        Ok(())
    }
}

impl<C: Errors<Error: core::error::Error>> core::error::Error for AggregateError<C> {}
