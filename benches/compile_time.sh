#!/usr/bin/env bash
# Builds two generated crates, one with 200 invocations of each of our four macros, one with
# as many of tokio's join!/try_join!/select!, and prints their build times (the crate alone,
# dependencies built beforehand), best of three.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/target/compile-time"
mkdir -p "$dir"

generate() { # name, dependency line, body of one invocation group
    local name=$1 dep=$2 body=$3
    mkdir -p "$dir/$name/src"
    cat >"$dir/$name/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
$dep
tokio = { version = "1", features = ["macros", "rt"] }
TOML
    {
        echo "#![allow(unused)]"
        echo "use std::future::ready;"
        for i in $(seq 1 200); do
            echo "pub async fn f$i() -> u64 { $body }"
        done
    } >"$dir/$name/src/lib.rs"
}

generate ours 'promisify = { path = "'"$root"'" }' \
    'let (a, b, c) = promisify::settle!(ready(1u64), ready(2u64), ready(3u64)).await;
     let Ok((d, e)) = promisify::join_all!(ready(Ok::<u64, ()>(4)), ready(Ok(5))).await else { return 0 };
     let f = promisify::race!(ready(6u64), ready(7u64)).await;
     let g = promisify::any!(ready(Err::<u64, ()>(())), ready(Ok(8))).await.unwrap_or(0);
     a + b + c + d + e + f + g'
generate theirs '' \
    'let (a, b, c) = tokio::join!(ready(1u64), ready(2u64), ready(3u64));
     let Ok((d, e)) = tokio::try_join!(ready(Ok::<u64, ()>(4)), ready(Ok(5))) else { return 0 };
     let f = tokio::select! { biased; v = ready(6u64) => v, v = ready(7u64) => v };
     let g = tokio::select! { biased; Ok(v) = ready(Err::<u64, ()>(())) => v, Ok(v) = ready(Ok::<u64, ()>(8)) => v, else => 0 };
     a + b + c + d + e + f + g'

best() { # name -> best of three build times of the crate alone, in seconds
    local name=$1 best=""
    (cd "$dir/$name" && CARGO_TARGET_DIR="$dir/target-$name" cargo build -q 2>/dev/null)
    for _ in 1 2 3; do
        touch "$dir/$name/src/lib.rs"
        local start end
        start=$(date +%s.%N)
        (cd "$dir/$name" && CARGO_TARGET_DIR="$dir/target-$name" cargo build -q)
        end=$(date +%s.%N)
        best=$(python3 -c "t=$end-$start; b='$best'; print(t if not b else min(t, float(b)))")
    done
    echo "$best"
}

ours=$(best ours)
theirs=$(best theirs)
python3 - "$ours" "$theirs" <<'PY'
import sys
ours, theirs = map(float, sys.argv[1:])
print("| crate (200 fns, each with one call of every macro) | build time, best of 3 |")
print("|---|---:|")
print(f"| `settle!` + `join_all!` + `race!` + `any!` | {ours:.2f} s |")
print(f"| tokio `join!` + `try_join!` + `select!` (biased, twice) | {theirs:.2f} s |")
print(f"\nRatio ours / tokio: **{ours / theirs:.2f}** (debug build of the generated crate alone, dependencies already built).")
PY
