//! The rules the macros hold their arguments to, one trait each, whose message rustc shows at
//! the user's token when an argument breaks it: what is wrong, and how to fix it. The trait's
//! name, which rustc shows too, says what it checks. Not a public API.
//!
//! Each is checked by a call of its own method by path, `Trait::check(..)`, with `Self` the
//! type checked; see `__private` for the rest of each stage.

use core::future::IntoFuture;
use core::marker::PhantomData;

/// Defines a check taken by value (stage 1 of an argument or a spread): a trait implemented
/// for whatever the macro takes, whose message says the rest.
macro_rules! by_value {
    ($Trait:ident $m:literal $l:literal [$($n:literal),+] impl[$($g:tt)*] for $X:ident) => {
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = $m, label = $l, $(note = $n),+)]
        pub trait $Trait {
            #[doc(hidden)]
            #[inline(always)]
            #[must_use]
            fn check(self) -> Self
            where
                Self: Sized,
            {
                self
            }
        }

        // rustc is told not to explain the message with `IntoFuture`'s: it says all.
        #[diagnostic::do_not_recommend]
        impl<$($g)*> $Trait for $X {}
    };
}

/// Defines the check of stage 1 for one macro: the argument implements `IntoFuture`.
macro_rules! argument {
    ($Trait:ident $message:literal $note:literal) => {
        by_value!($Trait $message "not a future" [$note,
            "an `async fn` must be called to give a future: `fetch(id)`, not `fetch`"]
            impl[F: IntoFuture] for F);
    };
}

argument!(
    JoinAllArgument
    "`join_all!` takes futures, but `{Self}` is not a future"
    "every argument of `join_all!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
argument!(
    RaceArgument
    "`race!` takes futures, but `{Self}` is not a future"
    "every argument of `race!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
argument!(
    AnyArgument
    "`any!` takes futures, but `{Self}` is not a future"
    "every argument of `any!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);
argument!(
    SettleArgument
    "`settle!` takes futures, but `{Self}` is not a future"
    "every argument of `settle!` must implement `IntoFuture`: a future, an `async` block, a `Promise`, a `JoinHandle`..."
);

/// Defines the check of stage 2 for one macro: the output is a `Result`.
macro_rules! result {
    ($Trait:ident $message:literal $note:literal) => {
        result!($Trait $message "resolves to `{Self}`, not to a `Result`" $note);
    };
    ($Trait:ident $m:literal $l:literal $n:literal) => {
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = $m, label = $l, note = $n)]
        pub trait $Trait {
            #[doc(hidden)]
            #[inline(always)]
            fn check(_: PhantomData<Self>) {}
        }

        // Not shown as "the trait is implemented for `Result<T, E>`" with this line.
        #[diagnostic::do_not_recommend]
        impl<T, E> $Trait for Result<T, E> {}
    };
}

result!(
    JoinAllResult
    "`join_all!` takes futures that resolve to `Result`, but this one resolves to `{Self}`"
    "make it fallible, as in `async {{ Ok::<_, MyError>(fut.await) }}`, or use `settle!`, which takes any output"
);
result!(
    AnyResult
    "`any!` takes futures that resolve to `Result`, but this one resolves to `{Self}`"
    "make it fallible, as in `async {{ Ok::<_, MyError>(fut.await) }}`, or use `race!`, which takes any output"
);

/// Defines a check of stage 3: `Self`, read off a later argument, is `T`, read off the first.
macro_rules! same {
    ($Trait:ident $message:literal $label:literal $note:literal) => {
        #[doc(hidden)]
        #[diagnostic::on_unimplemented(message = $message, label = $label, note = $note)]
        pub trait $Trait<T> {
            #[doc(hidden)]
            #[inline(always)]
            fn check(_: (PhantomData<Self>, PhantomData<T>)) {}
        }

        impl<T> $Trait<T> for T {}

        // A second impl, which no type meets, keeps rustc from equating `Self` and `T` from
        // the first impl alone before it has read the argument, which names both.
        #[diagnostic::do_not_recommend]
        impl $Trait<Unmet> for () {}
    };
}

/// No type is this, so `(): <Macro>Same<Unmet>` never holds for a user's argument.
#[doc(hidden)]
#[allow(missing_debug_implementations)]
pub enum Unmet {}

same!(
    RaceSameOutput
    "`race!` takes futures that all resolve to one type, but this one resolves to `{Self}` and the first to `{T}`"
    "resolves to `{Self}`, not `{T}`"
    "convert the outputs to one type, as in `async {{ {T}::from(fut.await) }}`, or wrap them in an `enum`"
);
same!(
    AnySameOutput
    "`any!` takes futures that all resolve to one `Result` type, but this one resolves to `{Self}` and the first to `{T}`"
    "resolves to `{Self}`, not `{T}`"
    "convert it to the first one's type, as in `async {{ fut.await.map_err(Into::into) }}` for the error type"
);
same!(
    JoinAllSameError
    "`join_all!` takes futures that all fail with one error type, but this one fails with `{Self}` and the first with `{T}`"
    "fails with `{Self}`, not `{T}`"
    "convert the error with `.map_err(Into::into)`, as in `async {{ fut.await.map_err(Into::into) }}`"
);

/// Defines the check of stage 1 of a spread for one macro: an iterator of futures.
#[cfg(feature = "alloc")]
macro_rules! spread {
    ($Trait:ident $message:literal) => {
        by_value!($Trait $message "not an iterator of futures" [
            "a spread `..iter` takes an iterator whose items implement `IntoFuture`, as in `..ids.map(fetch)`"]
            impl[I: IntoIterator<Item: IntoFuture>] for I);
    };
}

#[cfg(feature = "alloc")]
spread!(JoinAllSpread "`join_all!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
#[cfg(feature = "alloc")]
spread!(SettleSpread "`settle!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
#[cfg(feature = "alloc")]
spread!(RaceSpread "`race!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");
#[cfg(feature = "alloc")]
spread!(AnySpreadItems "`any!` spreads the futures of an iterator, but `{Self}` is not an iterator of futures");

/// The body of a `#[promisify] async fn`, which runs on a runtime's threads: the expansion
/// calls `PromiseBody::start(async move { .. })`, which starts it now, as JavaScript does.
///
/// The bound is checked as this trait's own, so a body that is not `Send` or not `'static` is
/// reported with rustc's own explanation (which value, held across which `.await`) alone.
#[cfg(feature = "rt")]
#[doc(hidden)]
pub trait PromiseBody: core::future::Future + Sized {
    #[doc(hidden)]
    fn start(self) -> crate::Promise<Self::Output>;
}

#[cfg(feature = "rt")]
impl<F> PromiseBody for F
where
    F: core::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn start(self) -> crate::Promise<F::Output> {
        crate::promise::start(self)
    }
}
