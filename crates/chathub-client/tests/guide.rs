//! docs/guides/operator-console.md shows parts of the operator console
//! example; every Rust block there must be a verbatim part of the program
//! CI compiles, so the guide cannot drift from working code.

use std::path::Path;

/// The Rust code blocks of a Markdown text.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap_or_default().join("\n")),
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    assert!(current.is_none(), "an unclosed code block");
    blocks
}

#[test]
fn every_rust_block_of_the_guide_is_part_of_the_example() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("../../docs/guides/operator-console.md")).unwrap();
    let program = ["examples/operator_console.rs", "examples/support/env.rs"]
        .map(|file| std::fs::read_to_string(root.join(file)).unwrap())
        .join("\n");
    let blocks = rust_blocks(&guide);
    assert!(blocks.len() >= 8, "the guide shows the program step by step ({} blocks)", blocks.len());
    for block in blocks {
        assert!(program.contains(&block), "not in examples/operator_console.rs:\n{block}");
    }
}

#[test]
fn blocks_are_read_exactly() {
    let text = "a\n```rust\nfn x() {}\n    y();\n```\n```sh\nls\n```\n```rust\nz\n```\n";
    assert_eq!(rust_blocks(text), ["fn x() {}\n    y();", "z"]);
}
