use core::fmt;

/// Every error of an `any!` whose arguments all failed, in argument order.
///
/// The Rust face of JavaScript's `AggregateError`: `N` is the number of arguments, so the
/// errors live inline in an array and nothing is allocated.
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
pub struct AggregateError<E, const N: usize> {
    errors: [E; N],
}

impl<E, const N: usize> AggregateError<E, N> {
    /// Gathers `errors`, the first being that of the first argument.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let err = AggregateError::new([1, 2]);
    /// assert_eq!(err.len(), 2);
    /// ```
    pub const fn new(errors: [E; N]) -> Self {
        AggregateError { errors }
    }

    /// The errors, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// assert_eq!(AggregateError::new(['a', 'b']).errors(), &['a', 'b']);
    /// ```
    pub const fn errors(&self) -> &[E] {
        &self.errors
    }

    /// The errors as an array, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let [a, b] = AggregateError::new(['a', 'b']).into_errors();
    /// assert_eq!((a, b), ('a', 'b'));
    /// ```
    pub fn into_errors(self) -> [E; N] {
        self.errors
    }

    /// Iterates over the errors, in argument order.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// let err = AggregateError::new([1, 2, 3]);
    /// assert_eq!(err.iter().sum::<i32>(), 6);
    /// ```
    pub fn iter(&self) -> core::slice::Iter<'_, E> {
        self.errors.iter()
    }

    /// How many errors there are: the number of arguments, `N`.
    ///
    /// ```
    /// # use promise_core::AggregateError;
    /// assert_eq!(AggregateError::new([(); 4]).len(), 4);
    /// ```
    #[allow(clippy::len_without_is_empty, clippy::unused_self)]
    pub const fn len(&self) -> usize {
        N
    }
}

impl<E, const N: usize> IntoIterator for AggregateError<E, N> {
    type Item = E;
    type IntoIter = core::array::IntoIter<E, N>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a, E, const N: usize> IntoIterator for &'a AggregateError<E, N> {
    type Item = &'a E;
    type IntoIter = core::slice::Iter<'a, E>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

impl<E: fmt::Debug, const N: usize> fmt::Debug for AggregateError<E, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AggregateError").field(&self.errors).finish()
    }
}

impl<E: fmt::Display, const N: usize> fmt::Display for AggregateError<E, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if N == 1 {
            f.write_str("the only future failed: ")?;
        } else {
            write!(f, "all {N} futures failed: ")?;
        }
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(error, f)?;
        }
        Ok(())
    }
}

impl<E: core::error::Error, const N: usize> core::error::Error for AggregateError<E, N> {}
