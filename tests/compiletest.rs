//! Misuse of the macros is a compile error that points at the user's token and says how to
//! fix it. Each `tests/ui/**/*.rs` holds one mistake; its `.stderr` is what rustc prints.

use std::fs;
use std::path::{Path, PathBuf};

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*/*.rs");
}

/// What every `.stderr` must keep to, whoever adds the case: one error per mistake, and
/// nothing of the crate's internals in sight.
#[test]
fn diagnostics_show_the_mistake_alone() {
    let mut cases = Vec::new();
    collect(Path::new("tests/ui"), &mut cases);
    assert!(cases.len() >= 30, "found only {} UI cases", cases.len());
    let mut failures = Vec::new();
    for stderr in &cases {
        let text = fs::read_to_string(stderr).unwrap();
        let source = fs::read_to_string(stderr.with_extension("rs")).unwrap();
        failures.extend(
            problems(&text, &source)
                .into_iter()
                .map(|problem| format!("{}: {problem}", stderr.display())),
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every `.stderr` under `dir`.
fn collect(dir: &Path, cases: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, cases);
        } else if path.extension().is_some_and(|ext| ext == "stderr") {
            cases.push(path);
        }
    }
}

/// What is wrong with one case's output `text`, given its source: internal paths or files, a
/// snippet of a file other than the case's own, or more errors than the source announces with
/// a line `// expect N errors: <why>`.
fn problems(text: &str, source: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for internal in ["__private", "private.rs"] {
        if text.contains(internal) {
            problems.push(format!("names `{internal}`"));
        }
    }
    for line in text.lines() {
        if let Some(file) = line.trim_start().strip_prefix("--> ") {
            if !file.starts_with("tests/ui/") {
                problems.push(format!("shows source outside the case: {file}"));
            }
        }
    }
    let errors = text
        .lines()
        .filter(|line| line.starts_with("error:") || line.starts_with("error["))
        .count();
    let expected = source.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("// expect ")?;
        let (count, reason) = rest.split_once(" errors: ")?;
        (!reason.trim().is_empty()).then(|| count.parse::<usize>().ok())?
    });
    match (errors, expected) {
        (0, _) => problems.push("has no error".to_owned()),
        (1, None) => {}
        (n, None) => problems.push(format!(
            "has {n} errors, but its source gives no reason (`// expect {n} errors: <why>`)"
        )),
        (n, Some(expected)) if n != expected => {
            problems.push(format!("has {n} errors, but its source expects {expected}"));
        }
        (_, Some(_)) => {}
    }
    problems
}

/// The scan catches each thing it looks for; a scan that could not fail would prove nothing.
#[test]
fn the_scan_finds_what_it_forbids() {
    let one = "error[E0277]: x\n --> tests/ui/a/b.rs:1:1\n";
    assert!(problems(one, "").is_empty());
    assert_eq!(problems("", ""), ["has no error"]);
    let private = "error: x\n = help: `promisify::__private::X`\n";
    assert_eq!(problems(private, ""), ["names `__private`"]);
    let snippet = "error: x\nnote: required by a bound\n --> promise-core/src/checks.rs\n";
    assert_eq!(
        problems(snippet, ""),
        ["shows source outside the case: promise-core/src/checks.rs"]
    );
    let two = "error[E0277]: x\n\nerror[E0271]: y\n";
    assert_eq!(
        problems(two, ""),
        ["has 2 errors, but its source gives no reason (`// expect 2 errors: <why>`)"]
    );
    assert!(problems(two, "// expect 2 errors: two mistakes").is_empty());
    assert_eq!(
        problems(two, "// expect 3 errors: three mistakes"),
        ["has 2 errors, but its source expects 3"]
    );
    assert!(!problems(two, "// expect 2 errors: ").is_empty());
}
