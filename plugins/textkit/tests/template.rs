//! The outlet-plugin scaffold in `template/`: the files `ingestd new-plugin` renders, and the
//! only placeholders they use. (Building a rendered copy is checked by hand, see PLUGINS.md.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // A panic is the failure report here.

const FILES: &[&str] = &[
    "Cargo.toml.tmpl",
    "README.md.tmpl",
    "src/lib.rs.tmpl",
    "tests/plugin.rs.tmpl",
];
const PLACEHOLDERS: &[&str] = &["{{name}}", "{{crate_ident}}"];

#[test]
fn template_files_use_only_known_placeholders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("template");
    for file in FILES {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let mut rest = text.as_str();
        while let Some(start) = rest.find("{{") {
            let end = rest[start..]
                .find("}}")
                .map(|e| start + e + 2)
                .unwrap_or_else(|| panic!("{file}: unclosed {{{{"));
            let placeholder = &rest[start..end];
            assert!(
                PLACEHOLDERS.contains(&placeholder),
                "{file}: unknown placeholder {placeholder}"
            );
            rest = &rest[end..];
        }
        assert!(
            text.contains("{{name}}") || text.contains("{{crate_ident}}"),
            "{file}: no placeholder"
        );
    }
    assert!(
        !root.join("Cargo.toml").exists(),
        "the template must not be a crate itself"
    );
}
