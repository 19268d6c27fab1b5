use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::parse::{self, Arg};

/// The most arguments a combinator takes: `promise-core` has types of arity 1 to 16.
const MAX_ARITY: usize = 16;

/// How the later arguments are held to the first: `witness` reads the first's type, `pair`
/// reads a later one's beside it, for `check`; `kind` is the conversion's method.
struct Sameness {
    witness: &'static str,
    pair: &'static str,
    check: &'static str,
    kind: &'static str,
}

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

    /// The checks of an argument (see `promise_core::__private`): that it is a future, that a
    /// spread is of futures, and, for `join_all!` and `any!`, that their outputs are `Result`s.
    fn checks(self) -> (&'static str, &'static str, Option<&'static str>) {
        match self {
            Combinator::JoinAll => ("JoinAllArgument", "JoinAllSpread", Some("JoinAllResult")),
            Combinator::Race => ("RaceArgument", "RaceSpread", None),
            Combinator::Any => ("AnyArgument", "AnySpreadItems", Some("AnyResult")),
            Combinator::Settle => ("SettleArgument", "SettleSpread", None),
        }
    }

    /// How the later arguments are held to the first.
    fn sameness(self, flat_any: bool) -> Option<Sameness> {
        let (witness, pair, check, kind) = match self {
            Combinator::JoinAll => (
                "error_of",
                "error_pair",
                "JoinAllSameError",
                "same_error_kind",
            ),
            Combinator::Race => ("output_of", "output_pair", "RaceSameOutput", "same_kind"),
            Combinator::Any if flat_any => (
                "part_output_of",
                "part_pair",
                "AnySameOutput",
                "part_same_kind",
            ),
            Combinator::Any => ("output_of", "output_pair", "AnySameOutput", "same_kind"),
            Combinator::Settle => return None,
        };
        Some(Sameness {
            witness,
            pair,
            check,
            kind,
        })
    }

    /// What turns a checked spread into the dynamic combinator, one argument of the fixed one.
    fn spread(self) -> &'static str {
        match self {
            Combinator::JoinAll => "spread_join_all",
            Combinator::Race => "spread_race",
            Combinator::Any => "spread_any",
            Combinator::Settle => "spread_settle",
        }
    }

    /// What no arguments at all means, as in JavaScript: `Promise.all([])` fulfils at once,
    /// `Promise.race([])` never settles and `Promise.any([])` always rejects (a compile error).
    fn empty(self, krate: &TokenStream) -> syn::Result<TokenStream> {
        match self {
            Combinator::JoinAll => Ok(quote!(#krate::__private::join_all_empty())),
            Combinator::Settle => Ok(quote!(#krate::__private::settle_empty())),
            // The facade's `race!()` and `any!()` never get here: they report it themselves.
            Combinator::Race | Combinator::Any => Err(syn::Error::new(
                Span::call_site(),
                format!("`{}` needs at least one future", self.name()),
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
    // `any!` with spreads: each argument becomes a part, one future or a spread's, held to the
    // first's outputs, and every error is flattened in argument order at the end.
    let flat_any = matches!(combinator, Combinator::Any) && spreads;
    let exprs = args.iter().map(|arg| &arg.expr);
    let private = quote!(#krate::__private);
    // The bindings are hygienic, so no local of the user's can clash with them, and no lint of
    // the user's (`shadow_unrelated`...) sees them; a unit struct or `const` would still be
    // matched by a pattern of the same name, hence the unlikely names. What a check is called
    // with, and its name, sit at the argument instead (a binding inside a block spanned there):
    // a check that fails is reported at the user's token, not as coming from inside a macro.
    let bindings: Vec<_> = (0..args.len())
        .map(|i| format_ident!("__promisify_future{}", i, span = Span::mixed_site()))
        .collect();
    let mut stages: Vec<TokenStream> = args
        .iter()
        .zip(&bindings)
        .map(|(arg, b)| first_stages(combinator, &private, arg, b, flat_any))
        .collect();
    // `race!` of spreads alone: as `race(iter)`, nothing to race is a panic, not a hang.
    if matches!(combinator, Combinator::Race) && args.iter().all(|arg| arg.spread) {
        stages.push(quote!(#private::race_spreads_not_all_empty([
            #(#private::race_spread_is_empty(&#bindings)),*
        ]);));
    }
    if let Some(same) = combinator.sameness(flat_any) {
        let first = format_ident!("__promisify_first", span = Span::mixed_site());
        let witness = format_ident!("{}", same.witness);
        let b0 = &bindings[0];
        stages.push(quote!(let #first = #private::#witness(&#b0);));
        for (arg, b) in args.iter().zip(&bindings).skip(1) {
            let span = arg.expr.span();
            let [pair, check, kind] =
                [same.pair, same.check, same.kind].map(|name| Ident::new(name, span));
            stages.push(quote_spanned!(span=>
                let #b = (#first, #b);
                #check::check(#pair(&#b));
                let #b = (&#b).#kind().into_same(#b);
            ));
        }
    }
    let mut combined = quote!(#private::#ty::new(#(#bindings),*));
    if flat_any {
        combined = quote!(#private::any_with_spreads(#combined));
    }
    let imports = imports(combinator, &krate, spreads, flat_any);

    // The arguments are evaluated in the `match` scrutinee, not in `let`s: its temporaries live
    // to the end of the user's statement, so `race!(f(&x.clone())).await` works.
    Ok(quote! {
        match (#(#exprs,)*) {
            #[allow(unused_braces)]
            (#(#bindings,)*) => {
                #imports
                #(#stages)*
                #combined
            }
        }
    })
}

/// Stages 1 and 2 of one argument (see `promise_core::__private`), each a check and then a
/// conversion, and what makes the argument one of the fixed combinator.
fn first_stages(
    combinator: Combinator,
    private: &TokenStream,
    arg: &Arg,
    b: &Ident,
    flat_any: bool,
) -> TokenStream {
    let span = arg.expr.span();
    let at = |name: &str| Ident::new(name, span);
    let (argument, spread, result) = combinator.checks();
    let (check, kind, into, read, result_kind) = if arg.spread {
        let read = "item_output_of";
        (
            spread,
            "spread_kind",
            "into_futures",
            read,
            "items_result_kind",
        )
    } else {
        let read = "output_of";
        (
            argument,
            "argument_kind",
            "into_argument",
            read,
            "result_kind",
        )
    };
    let [check, kind, into] = [check, kind, into].map(at);
    let mut stages = quote_spanned!(span=>
        let #b = #check::check({ #b });
        let #b = (&#b).#kind().#into(#b);
    );
    if let Some(result) = result {
        let [result, read, result_kind] = [result, read, result_kind].map(at);
        stages.extend(quote_spanned!(span=>
            #result::check(#read(&#b));
            let #b = (&#b).#result_kind().into_result(#b);
        ));
    }
    if arg.spread {
        let build = at(combinator.spread());
        stages.extend(quote_spanned!(span=> let #b = #private::#build(#b);));
    } else if flat_any {
        stages.extend(quote_spanned!(span=> let #b = #private::any_one(#b);));
    }
    stages
}

/// The traits whose methods convert each argument, and the checks and what they read, by the
/// names the expansion calls them (see `promise_core::__private`). Only an invocation with a
/// spread names the spread glue, which needs the `alloc` feature.
fn imports(
    combinator: Combinator,
    krate: &TokenStream,
    spreads: bool,
    flat_any: bool,
) -> TokenStream {
    let (argument, spread, result) = combinator.checks();
    let mut methods = vec!["argument_kind"];
    let mut checks = vec![argument];
    let mut readers = vec![];
    if let Some(result) = result {
        methods.push("result_kind");
        checks.push(result);
        readers.push("output_of");
    }
    if spreads {
        methods.push("spread_kind");
        checks.push(spread);
        if result.is_some() {
            methods.push("items_result_kind");
            readers.push("item_output_of");
        }
    }
    if let Some(same) = combinator.sameness(flat_any) {
        methods.push(same.kind);
        checks.push(same.check);
        readers.push(same.pair);
    }
    let traits = methods.into_iter().flat_map(kind_traits);
    let [checks, readers] = [checks, readers].map(|names| {
        names
            .into_iter()
            .map(|name| Ident::new(name, Span::mixed_site()))
    });
    quote! {
        use #krate::__private::{#(#traits as _,)* #(#readers),*};
        use #krate::checks::{#(#checks),*};
    }
}

/// The two traits whose methods are the conversion `method` (see `autoref!` in
/// `promise_core::__private`): `same_error_kind` is `SameErrorKind` or `SameErrorFallback`.
fn kind_traits(method: &str) -> [Ident; 2] {
    let stem: String = method
        .trim_end_matches("_kind")
        .split('_')
        .map(|word| word[..1].to_uppercase() + &word[1..])
        .collect();
    [format_ident!("{stem}Kind"), format_ident!("{stem}Fallback")]
}
