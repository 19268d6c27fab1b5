use core::future::Future;

/// A future that resolves to a `Result`: what `join_all!` and `any!` take.
///
/// Implemented for every `Future<Output = Result<T, E>>`; it names `T` and `E` so that the
/// combinators can state their bounds. You never implement it yourself.
///
/// ```
/// use promise_core::TryFuture;
///
/// fn error_of<F: TryFuture>(_: &F) -> &'static str {
///     core::any::type_name::<F::Error>()
/// }
/// let fut = async { Ok::<u8, &str>(1) };
/// assert_eq!(error_of(&fut), "&str");
/// ```
pub trait TryFuture: Future<Output = Result<Self::Ok, Self::Error>> {
    /// What the future yields on success.
    type Ok;
    /// What the future yields on failure.
    type Error;
}

impl<F, T, E> TryFuture for F
where
    F: Future<Output = Result<T, E>>,
{
    type Ok = T;
    type Error = E;
}
