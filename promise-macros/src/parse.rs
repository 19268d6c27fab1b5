use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, RangeLimits, Token};

/// What the facade's `macro_rules!` wrapper passes on: `$crate; arg, arg, ...`.
pub(crate) struct Invocation {
    /// The path to the facade, `$crate`, which stays valid when the user renames the crate.
    pub(crate) krate: TokenTree,
    pub(crate) args: Vec<Arg>,
}

/// One argument: a future, or a spread `..iter` of futures.
pub(crate) struct Arg {
    pub(crate) expr: Expr,
    pub(crate) spread: bool,
}

pub(crate) fn invocation(input: TokenStream, name: &str) -> syn::Result<Invocation> {
    let parser = |input: ParseStream<'_>| {
        // `$crate`, an identifier to the parser; anything else means the macro was called
        // other than through the facade.
        let krate = TokenTree::Ident(input.parse::<proc_macro2::Ident>().map_err(|error| {
            syn::Error::new(
                error.span(),
                format!("use `promisify::{name}`, not this macro"),
            )
        })?);
        input.parse::<Token![;]>()?;
        let mut args = Vec::new();
        while !input.is_empty() {
            args.push(arg(input.parse::<Expr>()?, name)?);
            if input.is_empty() {
                break;
            }
            if !input.peek(Token![,]) {
                return Err(input.error(format!(
                    "expected `,`: the futures of `{name}` are separated by commas, as in `{name}(a, b)`"
                )));
            }
            input.parse::<Token![,]>()?;
        }
        Ok(Invocation { krate, args })
    };
    parser.parse2(input)
}

/// `..iter` is a spread, as `...iter` is in a JavaScript array; anything else is one future.
fn arg(expr: Expr, name: &str) -> syn::Result<Arg> {
    let Expr::Range(range) = &expr else {
        return Ok(Arg {
            expr,
            spread: false,
        });
    };
    match (&range.start, &range.limits, &range.end) {
        (None, RangeLimits::HalfOpen(_), Some(iter)) if range.attrs.is_empty() => Ok(Arg {
            expr: (**iter).clone(),
            spread: true,
        }),
        (None, RangeLimits::HalfOpen(dots), None) => Err(syn::Error::new_spanned(
            dots,
            format!(
                "`..` spreads the futures of an iterator, but nothing follows it: \
                 write the iterator after it, as in `{name}(first, ..rest)`"
            ),
        )),
        _ => Ok(Arg {
            expr,
            spread: false,
        }),
    }
}
