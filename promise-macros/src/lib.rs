//! Procedural macros of [`promisify`](https://docs.rs/promisify). Use them through that
//! crate: its `join_all!`, `race!`, `any!` and `settle!` pass it the path to itself, and it
//! re-exports `#[promisify]`.

mod combinator;
#[cfg(test)]
mod fuzz;
mod parse;
mod promisify;

use proc_macro::TokenStream;

use crate::combinator::Combinator;

/// Makes an `async fn` eager: see `promisify::promisify`.
#[proc_macro_attribute]
pub fn promisify(args: TokenStream, item: TokenStream) -> TokenStream {
    promisify::expand(args.into(), item.into()).into()
}

/// `Promise.all`: see `promisify::join_all!`.
#[doc(hidden)]
#[proc_macro]
pub fn join_all(input: TokenStream) -> TokenStream {
    combinator::expand(Combinator::JoinAll, input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `Promise.race`: see `promisify::race!`.
#[doc(hidden)]
#[proc_macro]
pub fn race(input: TokenStream) -> TokenStream {
    combinator::expand(Combinator::Race, input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `Promise.any`: see `promisify::any!`.
#[doc(hidden)]
#[proc_macro]
pub fn any(input: TokenStream) -> TokenStream {
    combinator::expand(Combinator::Any, input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// `Promise.allSettled`: see `promisify::settle!`.
#[doc(hidden)]
#[proc_macro]
pub fn settle(input: TokenStream) -> TokenStream {
    combinator::expand(Combinator::Settle, input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
