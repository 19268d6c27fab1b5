use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Token};

/// What the facade's `macro_rules!` wrapper passes on: `$crate; arg, arg, ...`.
pub(crate) struct Invocation {
    /// The path to the facade, `$crate`, which stays valid when the user renames the crate.
    pub(crate) krate: TokenTree,
    pub(crate) args: Vec<Expr>,
}

pub(crate) fn invocation(input: TokenStream, name: &str) -> syn::Result<Invocation> {
    let parser = |input: ParseStream<'_>| {
        let krate: TokenTree = input.parse()?;
        input.parse::<Token![;]>()?;
        let mut args = Vec::new();
        while !input.is_empty() {
            args.push(input.parse::<Expr>()?);
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
