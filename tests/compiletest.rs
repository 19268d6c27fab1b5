//! Misuse of the macros is a compile error that points at the user's token and says how to
//! fix it. Each `tests/ui/**/*.rs` holds one mistake; its `.stderr` is what rustc prints.
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}
