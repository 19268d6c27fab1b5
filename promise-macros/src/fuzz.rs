//! The expanders never panic: generated inputs, from plausible to hostile, each give an
//! expansion or a `compile_error!`. A panic in a proc macro is a compiler error that blames
//! the macro, not the user's code.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

use proc_macro2::TokenStream;
use proptest::prelude::*;

use crate::combinator::{self, Combinator};
use crate::promisify;

/// A token or a few, of every kind a user might write, and some nobody would.
fn token() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a",
        "fut",
        "x.await",
        "1",
        "2u8",
        "\"s\"",
        "'c'",
        "1.5",
        ",",
        ",,",
        "..",
        "..=",
        "...",
        ";",
        ":",
        "::",
        "!",
        "#",
        "@",
        "&",
        "*",
        "=>",
        "$",
        "$x",
        "?",
        "-",
        "+",
        "'a",
        "_",
        "|x| x",
        "move || 1",
        "async { 1 }",
        "async move {}",
        "ready(1)",
        "f()",
        "race!(a, b)",
        "join_all![x]",
        "any!{}",
        "settle!()",
        "#[cfg(x)] a",
        "#[doc = \"d\"]",
        "crate",
        "self",
        "Self",
        "super",
        "r#try",
        "..rest",
        ".. rest",
        "...a",
        "a..b",
        "..=b",
        "(..)",
        "[..x]",
        "{ ..x }",
        "let",
        "if a { b } else { c }",
        "match x { _ => 1 }",
        "return",
        "loop {}",
        "x as u8",
        "&mut y",
        "<T>",
        "::std::future::ready(1)",
        "fetch",
        "fetch(1)",
        "async fn f() {}",
        "struct S;",
        "'static",
        "dyn",
        "impl Trait",
        "|| async {}",
    ])
    .prop_map(str::to_owned)
}

/// Balanced token trees of those: sequences, and groups in each delimiter, nested.
fn tokens() -> impl Strategy<Value = String> {
    token().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| v.join(" ")),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("({})", v.join(" "))),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(" "))),
            prop::collection::vec(inner, 0..4).prop_map(|v| format!("{{{}}}", v.join(" "))),
        ]
    })
}

/// What a macro's parentheses hold: 0 to 40 arguments, mostly separated by one comma, some by
/// none or two, some spreads, some with a trailing comma.
fn arguments() -> impl Strategy<Value = String> {
    let argument = prop_oneof![
        4 => prop::sample::select(vec!["ready(1)", "async { 2 }", "fetch(3)", "a", "..xs", "..", "(x, y)"])
            .prop_map(str::to_owned),
        1 => tokens(),
    ];
    let separator = prop::sample::select(vec![", ", ", ", ", ", ", ", " ", ",, ", "; "]);
    (
        prop::collection::vec((argument, separator), 0..=40),
        any::<bool>(),
    )
        .prop_map(|(arguments, trailing)| {
            let mut text = String::new();
            let count = arguments.len();
            for (i, (argument, separator)) in arguments.into_iter().enumerate() {
                text.push_str(&argument);
                if i + 1 < count || trailing {
                    text.push_str(separator);
                }
            }
            text
        })
}

/// The tokens of `text`, which the generators keep balanced.
fn parse(text: &str) -> TokenStream {
    TokenStream::from_str(text).unwrap_or_else(|error| panic!("generated {text:?}: {error}"))
}

/// An expansion that rustc can parse: a `compile_error!` or an expression.
fn expands_or_errs(combinator: Combinator, input: &str) {
    let expanded = catch_unwind(AssertUnwindSafe(|| {
        combinator::expand(combinator, parse(input))
    }))
    .unwrap_or_else(|_| panic!("the expander panicked on {input:?}"));
    match expanded {
        Ok(expansion) => {
            if let Err(error) = syn::parse2::<syn::Expr>(expansion.clone()) {
                panic!("{input:?} expanded to what is not an expression ({error}): {expansion}");
            }
        }
        Err(error) => {
            syn::parse2::<syn::Expr>(error.into_compile_error()).unwrap();
        }
    }
}

/// A function signature and body put together from parts, of every kind `#[promisify]` may
/// meet: qualifiers, generics, receivers, patterns, return types, bodies or none.
fn function() -> impl Strategy<Value = String> {
    let pick = |options: &[&'static str]| prop::sample::select(options.to_vec());
    (
        pick(&[
            "",
            "#[inline]",
            "#[doc = \"d\"]",
            "#[deprecated]",
            "#[cfg(test)]",
            "#[must_use]",
        ]),
        pick(&["", "pub", "pub(crate)"]),
        prop::sample::subsequence(vec!["const", "async", "unsafe", "extern \"C\""], 0..=4),
        pick(&["f", "r#async", "fetch"]),
        pick(&[
            "",
            "<T>",
            "<'a>",
            "<T: Send>",
            "<const N: usize>",
            "<'a, T: 'a>",
            "<F: Fn()>",
        ]),
        prop::collection::vec(
            pick(&[
                "x: u8",
                "self",
                "&self",
                "&mut self",
                "mut self",
                "self: Arc<Self>",
                "(a, b): (u8, u8)",
                "_: u8",
                "x: &str",
                "x: &'static str",
                "x: Vec<&'a str>",
                "x: impl Fn()",
                "mut x: String",
                "T { a }: T",
                "x: [u8; N]",
                "x: &'a T",
            ]),
            0..4,
        ),
        pick(&[
            "",
            "-> u8",
            "-> Result<u8, E>",
            "-> impl Future<Output = u8>",
            "-> Self",
            "-> &'static str",
            "-> !",
        ]),
        pick(&["", "where T: Clone"]),
        pick(&[
            "{ 1 }",
            "{ x.await }",
            ";",
            "{ return 1; }",
            "{}",
            "{ async { 1 }.await }",
            "{ self }",
        ]),
    )
        .prop_map(
            |(attr, vis, qualifiers, name, generics, params, ret, bounds, body)| {
                format!(
                    "{attr} {vis} {} fn {name}{generics}({}) {ret} {bounds} {body}",
                    qualifiers.join(" "),
                    params.join(", ")
                )
            },
        )
}

/// Anything `#[promisify]` may be put on: a function, another item, or stray tokens.
fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => function(),
        1 => prop::sample::select(vec![
            "struct S;", "enum E { A }", "mod m {}", "impl S { fn f() {} }",
            "trait T { async fn f(); }", "async fn f();", "const X: u8 = 1;", "",
            "static S: u8 = 1;", "type T = u8;", "use a::b;", "macro_rules! m { () => {} }",
        ])
        .prop_map(str::to_owned),
        1 => tokens(),
    ]
}

fn attribute_arguments() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "", "crate = ::promisify", "crate = my::path", "lazy", "crate", "crate =",
            "crate = 1", "crate = a::b, x", "crate = a, crate = b",
        ])
        .prop_map(str::to_owned),
        1 => tokens(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4_000))]

    /// 4 × 4,000 invocations of the combinator macros, as the facade passes them on.
    #[test]
    fn the_combinator_expanders_never_panic(arguments in arguments(), hostile in tokens()) {
        for combinator in [Combinator::JoinAll, Combinator::Race, Combinator::Any, Combinator::Settle] {
            expands_or_errs(combinator, &format!("promisify; {arguments}"));
        }
        // And what the facade never passes: no crate path, or anything at all.
        expands_or_errs(Combinator::Race, &arguments);
        expands_or_errs(Combinator::JoinAll, &hostile);
    }

    /// 4,000 items under as many attribute arguments.
    #[test]
    fn the_promisify_expander_never_panics(args in attribute_arguments(), item in item()) {
        let expanded = catch_unwind(AssertUnwindSafe(|| promisify::expand(parse(&args), parse(&item))))
            .unwrap_or_else(|_| panic!("#[promisify({args})] panicked on {item:?}"));
        // A function the attribute takes expands to items rustc can parse.
        if syn::parse_str::<syn::ItemFn>(&item).is_ok() {
            if let Err(error) = syn::parse2::<syn::File>(expanded.clone()) {
                panic!("#[promisify({args})] {item} expanded to what is not items ({error}): {expanded}");
            }
        }
    }
}
