use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{self, Arg};

/// The most arguments a combinator takes: `promise-core` has types of arity 1 to 16.
const MAX_ARITY: usize = 16;

/// The four combinators differ in a name and in the rule their arguments obey.
#[derive(Clone, Copy)]
pub(crate) enum Combinator {
    JoinAll,
    Race,
    Any,
    Settle,
}

impl Combinator {
    fn name(self) -> &'static str {
        match self {
            Combinator::JoinAll => "join_all!",
            Combinator::Race => "race!",
            Combinator::Any => "any!",
            Combinator::Settle => "settle!",
        }
    }

    fn type_prefix(self) -> &'static str {
        match self {
            Combinator::JoinAll => "JoinAll",
            Combinator::Race => "Race",
            Combinator::Any => "Any",
            Combinator::Settle => "Settle",
        }
    }

    /// The traits that turn an argument into a future (see `promise_core::__private`), and
    /// the method that picks between them.
    fn argument(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Combinator::JoinAll => ("JoinAllKind", "JoinAllFallback", "join_all_kind"),
            Combinator::Race => ("RaceKind", "RaceFallback", "race_kind"),
            Combinator::Any => ("AnyKind", "AnyFallback", "any_kind"),
            Combinator::Settle => ("SettleKind", "SettleFallback", "settle_kind"),
        }
    }

    /// How the later arguments are held to the first: what to read off the first one, and
    /// the check each later one goes through.
    fn sameness(self) -> Option<(&'static str, &'static str)> {
        match self {
            Combinator::JoinAll => Some(("error_of", "join_all_same")),
            Combinator::Race => Some(("output_of", "race_same")),
            Combinator::Any => Some(("output_of", "any_same")),
            Combinator::Settle => None,
        }
    }

    /// What turns a spread `..iter` into the dynamic combinator over `iter`, standing as one
    /// argument: the traits that check it, and the method that picks between them.
    fn spread(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Combinator::JoinAll => (
                "JoinAllSpreadKind",
                "JoinAllSpreadFallback",
                "join_all_spread_kind",
            ),
            Combinator::Race => ("RaceSpreadKind", "RaceSpreadFallback", "race_spread_kind"),
            Combinator::Any => ("AnySpreadKind", "AnySpreadFallback", "any_spread_kind"),
            Combinator::Settle => (
                "SettleSpreadKind",
                "SettleSpreadFallback",
                "settle_spread_kind",
            ),
        }
    }

    /// What no arguments at all means, as in JavaScript: `Promise.all([])` fulfils at once,
    /// `Promise.race([])` never settles and `Promise.any([])` always rejects.
    fn empty(self, krate: &TokenStream) -> syn::Result<TokenStream> {
        match self {
            Combinator::JoinAll => Ok(quote!(#krate::__private::join_all_empty())),
            Combinator::Settle => Ok(quote!(#krate::__private::settle_empty())),
            Combinator::Race => Err(syn::Error::new(
                Span::call_site(),
                "`race!` needs at least one future: with none it would never finish, \
                 like `Promise.race([])`; pass the futures to race, as in `race!(a, b)`",
            )),
            Combinator::Any => Err(syn::Error::new(
                Span::call_site(),
                "`any!` needs at least one future: with none it could only fail, \
                 like `Promise.any([])`; pass the futures to try, as in `any!(a, b)`",
            )),
        }
    }
}

pub(crate) fn expand(combinator: Combinator, input: TokenStream) -> syn::Result<TokenStream> {
    let name = combinator.name();
    let invocation = parse::invocation(input, name)?;
    let krate = TokenStream::from(invocation.krate);
    let args = invocation.args;
    if args.is_empty() {
        return combinator.empty(&krate);
    }
    if let Some(extra) = args.get(MAX_ARITY) {
        return Err(syn::Error::new_spanned(
            &extra.expr,
            format!(
                "`{name}` takes at most {MAX_ARITY} futures, and this is future number {}: \
                 group some of them in a nested `{name}`",
                MAX_ARITY + 1
            ),
        ));
    }

    let ty = format_ident!("{}{}", combinator.type_prefix(), args.len());
    let spreads = args.iter().any(|arg| arg.spread);
    let exprs = args.iter().map(|arg| &arg.expr);
    let (_, _, kind_method) = combinator.argument();
    let (_, _, spread_method) = combinator.spread();
    let imports = imports(combinator, &krate, spreads);
    // The bindings are hygienic, so no local of the user's can clash with them; a unit struct
    // or `const` would still be matched by a pattern of the same name, hence the unlikely
    // names. Where rustc may blame a binding, it is wrapped in a block spanned at its
    // argument, so that the error points there (rustc sees through parentheses).
    let bindings: Vec<_> = (0..args.len())
        .map(|i| format_ident!("__promisify_future{}", i, span = Span::mixed_site()))
        .collect();
    let blamed: Vec<_> = args
        .iter()
        .zip(&bindings)
        .map(|(arg, binding)| quote_spanned!(arg.expr.span()=> { #binding }))
        .collect();
    // Generated names that rustc may point at carry their argument's span too. A spread
    // becomes the dynamic combinator over its iterator, one argument of the fixed one.
    let conversions = args
        .iter()
        .zip(&bindings)
        .zip(&blamed)
        .map(|((arg, binding), blamed)| {
            let method = if arg.spread {
                spread_method
            } else {
                kind_method
            };
            let method = Ident::new(method, arg.expr.span());
            let into = Ident::new(
                if arg.spread {
                    "into_spread"
                } else {
                    "into_argument"
                },
                arg.expr.span(),
            );
            quote_spanned!(arg.expr.span()=>
                let #binding = (&#binding).#method().#into(#blamed);
            )
        });
    let mut futures: Vec<TokenStream> = bindings.iter().map(|b| quote!(#b)).collect();
    let mut witness = TokenStream::new();
    // `any!` with spreads: each element of a spread is held to the first argument (or to the
    // first spread's elements), and every error is flattened in argument order at the end.
    let flat_any = matches!(combinator, Combinator::Any) && spreads;
    if let Some((witness_fn, same)) = combinator.sameness() {
        let first = &bindings[0];
        let witness_fn = if flat_any && args[0].spread {
            "output_of_spread"
        } else {
            witness_fn
        };
        let witness_fn = format_ident!("{}", witness_fn);
        let first_type = format_ident!("__promisify_first", span = Span::mixed_site());
        witness = quote!(let #first_type = #krate::__private::#witness_fn(&#first););
        for ((future, arg), blamed) in futures.iter_mut().zip(&args).zip(&blamed).skip(1) {
            let same = if flat_any && arg.spread {
                "any_same_spread"
            } else {
                same
            };
            let same = Ident::new(same, arg.expr.span());
            *future = quote_spanned!(arg.expr.span()=>
                #krate::__private::#same(#first_type, #blamed)
            );
        }
    }
    let (combined, all_spreads_check) =
        combine(combinator, &krate, &ty, &args, &bindings, futures, flat_any);

    // The arguments are evaluated in the `match` scrutinee, not in `let`s: its temporaries live
    // to the end of the user's statement, so `race!(f(&x.clone())).await` works.
    Ok(quote! {
        match (#(#exprs,)*) {
            #[allow(unused_braces)]
            (#(#bindings,)*) => {
                #imports
                #(#conversions)*
                #all_spreads_check
                #witness
                #combined
            }
        }
    })
}

/// The fixed combinator over the checked `futures`, and, for `race!` of spreads alone, the
/// check that they are not all empty.
fn combine(
    combinator: Combinator,
    krate: &TokenStream,
    ty: &Ident,
    args: &[Arg],
    bindings: &[Ident],
    mut futures: Vec<TokenStream>,
    flat_any: bool,
) -> (TokenStream, Option<TokenStream>) {
    if flat_any {
        for (future, arg) in futures.iter_mut().zip(args) {
            if !arg.spread {
                *future = quote_spanned!(arg.expr.span()=> #krate::__private::any_one(#future));
            }
        }
    }
    let mut combined = quote!(#krate::__private::#ty::new(#(#futures),*));
    if flat_any {
        combined = quote!(#krate::__private::any_flat(#combined));
    }
    // `race!` of spreads alone: as `race(iter)`, nothing to race is a panic, not a hang.
    let all_spreads = matches!(combinator, Combinator::Race) && args.iter().all(|arg| arg.spread);
    let check = all_spreads.then(|| {
        quote!(#krate::__private::race_spreads_not_all_empty([
            #(#krate::__private::race_spread_is_empty(&#bindings)),*
        ]);)
    });
    (combined, check)
}

/// The traits whose methods turn each argument into a future. Only an invocation with a spread
/// names the spread glue, which needs the `alloc` feature.
fn imports(combinator: Combinator, krate: &TokenStream, spreads: bool) -> TokenStream {
    let (kind, fallback, _) = combinator.argument();
    let (kind, fallback) = (format_ident!("{}", kind), format_ident!("{}", fallback));
    let mut imports = quote!(use #krate::__private::{#kind as _, #fallback as _};);
    if spreads {
        let (kind, fallback, _) = combinator.spread();
        let (kind, fallback) = (format_ident!("{}", kind), format_ident!("{}", fallback));
        imports.extend(quote!(use #krate::__private::{#kind as _, #fallback as _};));
    }
    imports
}
