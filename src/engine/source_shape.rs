//! The *shape* of a Rust source file: a digest of its tokens without what cannot be public API
//! (function bodies, items that are not `pub` in a module or an inherent impl). Two versions of
//! a file with the same shape differ only in code no other crate sees, most likely.
//!
//! A prediction, never a verdict: the cache decides from API fingerprints what a change costs
//! (`store::cache`), and the shape only decides whether to document a changed package's
//! dependents in the same cargo run as the package (a public change: one run, as if by hand)
//! or after its fingerprint is known (a private change: the dependents are most likely not
//! documented at all). A wrong guess costs time, never a result. So it works on tokens, which
//! are cheap (a file is lexed, not parsed), and errs towards "public" where it cannot tell:
//! a private struct's fields, a macro invocation, a `const`'s value all count.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use sha2::{Digest, Sha256};

/// The shape of a file's text, as a hex SHA-256; `None` when it does not lex as Rust.
pub fn shape_digest(text: &str) -> Option<String> {
    let stream: TokenStream = text.parse().ok()?;
    let mut hasher = Sha256::new();
    items(stream, Context::Module, &mut hasher);
    Some(hasher.finalize().iter().map(|byte| format!("{byte:02x}")).collect())
}

/// What holds a list of items, which decides which of them count.
#[derive(Clone, Copy, PartialEq)]
enum Context {
    /// A file or a `mod { }`: a `pub` item counts, and so does every item of a module.
    Module,
    /// `impl Type { }`: a `pub` item counts.
    InherentImpl,
    /// `impl Trait for Type { }` or `trait Trait { }`: every item counts (none has a visibility
    /// of its own), without its functions' bodies.
    Trait,
}

/// Hashes the items of `stream` that count in `context`.
fn items(stream: TokenStream, context: Context, hasher: &mut Sha256) {
    let mut item: Vec<TokenTree> = Vec::new();
    for token in stream {
        let ends_item = match &token {
            TokenTree::Punct(punct) => punct.as_char() == ';',
            // A block ends the item: a function's body, a type's fields, an impl, a module,
            // a macro's braces. (A brace in an initialiser ends it early: the rest makes an
            // item of its own, as it would in the other version of the file.)
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            _ => false,
        };
        item.push(token);
        if ends_item || is_inner_attribute(&item) {
            hash_item(std::mem::take(&mut item), context, hasher);
        }
    }
    if !item.is_empty() {
        hash_item(item, context, hasher);
    }
}

/// Whether the tokens are an inner attribute (`#![...]`, `//!` docs): one of the module's, an
/// item of its own that counts.
fn is_inner_attribute(item: &[TokenTree]) -> bool {
    matches!(item, [TokenTree::Punct(hash), TokenTree::Punct(bang), TokenTree::Group(group)]
        if hash.as_char() == '#' && bang.as_char() == '!' && group.delimiter() == Delimiter::Bracket)
}

/// Hashes one item if it counts in `context`: its tokens, with a function's body left out and
/// the items of a module, an impl or a trait hashed by the same rules.
fn hash_item(item: Vec<TokenTree>, context: Context, hasher: &mut Sha256) {
    let keywords: Vec<String> = item
        .iter()
        .filter_map(|token| match token {
            TokenTree::Ident(ident) => Some(ident.to_string()),
            _ => None,
        })
        .collect();
    let has = |keyword: &str| keywords.iter().any(|word| word == keyword);
    let public = visibility_is_pub(&item);
    let is_impl = has("impl") && !has("fn");
    let is_trait = has("trait") && !has("fn");
    let is_module = has("mod") && !has("fn") && !is_impl && !is_trait;
    let is_fn = has("fn") && !is_impl && !is_trait;
    let counts = match context {
        Context::Trait => true,
        // A module's items count through its own `pub` ones (a private module's public items can
        // be re-exported); an impl has no visibility; a macro invocation or `macro_rules!` can
        // make public items.
        Context::Module => public || is_module || is_impl || is_macro(&item) || is_inner_attribute(&item),
        Context::InherentImpl => public || is_macro(&item) || is_inner_attribute(&item),
    };
    if !counts {
        return;
    }
    hasher.update(b"\x1e");
    let last = item.len().saturating_sub(1);
    for (index, token) in item.into_iter().enumerate() {
        match token {
            TokenTree::Group(group) if index == last && group.delimiter() == Delimiter::Brace => {
                hasher.update(b"{");
                if is_fn {
                    // A body: no other crate sees it.
                } else if is_impl {
                    let of_trait = keywords.iter().any(|word| word == "for");
                    items(group.stream(), if of_trait { Context::Trait } else { Context::InherentImpl }, hasher);
                } else if is_trait {
                    items(group.stream(), Context::Trait, hasher);
                } else if is_module {
                    items(group.stream(), Context::Module, hasher);
                } else {
                    tokens(group.stream(), hasher);
                }
                hasher.update(b"}");
            }
            token => token_tree(token, hasher),
        }
    }
}

/// Whether the item, past its attributes, starts with `pub` (not `pub(crate)` and the like,
/// which no other crate sees).
fn visibility_is_pub(item: &[TokenTree]) -> bool {
    let mut tokens = item.iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(punct) if punct.as_char() == '#' => {
                // `#[...]` or `#![...]`.
                if matches!(tokens.peek(), Some(TokenTree::Punct(bang)) if bang.as_char() == '!') {
                    tokens.next();
                }
                tokens.next();
            }
            TokenTree::Ident(ident) if ident == "pub" => {
                return !matches!(tokens.peek(), Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis);
            }
            _ => return false,
        }
    }
    false
}

/// Whether the item is a macro invocation or definition (`name! ...`, `macro_rules! name`).
fn is_macro(item: &[TokenTree]) -> bool {
    item.windows(2).any(|pair| matches!(pair, [TokenTree::Ident(_), TokenTree::Punct(bang)] if bang.as_char() == '!'))
}

fn tokens(stream: TokenStream, hasher: &mut Sha256) {
    for token in stream {
        token_tree(token, hasher);
    }
}

/// Hashes a token by kind and text, a group by its delimiter and contents.
fn token_tree(token: TokenTree, hasher: &mut Sha256) {
    match token {
        TokenTree::Group(group) => {
            let (open, close): (&[u8], &[u8]) = match group.delimiter() {
                Delimiter::Parenthesis => (b"(", b")"),
                Delimiter::Brace => (b"{", b"}"),
                Delimiter::Bracket => (b"[", b"]"),
                Delimiter::None => (b"\x02", b"\x03"),
            };
            hasher.update(open);
            tokens(group.stream(), hasher);
            hasher.update(close);
        }
        TokenTree::Ident(ident) => {
            hasher.update(b"\x1fi");
            hasher.update(ident.to_string().as_bytes());
        }
        TokenTree::Punct(punct) => {
            hasher.update(b"\x1fp");
            hasher.update(punct.as_char().to_string().as_bytes());
        }
        TokenTree::Literal(literal) => {
            hasher.update(b"\x1fl");
            hasher.update(literal.to_string().as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::shape_digest;

    const BASE: &str = r#"
//! A crate.
use std::fmt;

/// A type.
pub struct Meta { name: &'static str }

impl Meta {
    pub fn name(&self) -> &str { self.name }
    fn helper(&self) -> usize { 1 }
}

impl fmt::Debug for Meta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.name) }
}

pub trait Visit { fn visit(&mut self) {} }

mod imp { pub fn hidden() {} fn private() {} }

fn private_helper() -> u32 { 0 }
"#;

    fn changed(from: &str, to: &str) -> bool {
        let with = BASE.replacen(from, to, 1);
        assert_ne!(with, BASE, "`{from}` is not in the base file");
        shape_digest(BASE).unwrap() != shape_digest(&with).unwrap()
    }

    #[test]
    fn private_code_and_bodies_keep_the_shape() {
        // A body, a private function, a private method, a comment, a trait method's default body,
        // a private module's private function.
        assert!(!changed("{ self.name }", "{ let n = self.name; n }"));
        assert!(!changed("fn private_helper() -> u32 { 0 }", "fn private_helper() -> u32 { 0 }\nfn added() {}"));
        assert!(!changed("fn helper(&self) -> usize { 1 }", "fn helper(&self) -> u64 { 1 }"));
        assert!(!changed("//! A crate.", "//! A crate.\n// A note."));
        assert!(!changed("fn visit(&mut self) {}", "fn visit(&mut self) { let _ = 1; }"));
        assert!(!changed("fn private() {}", "fn private() -> u8 { 0 }"));
        assert!(!changed("fn private_helper", "pub(crate) fn added() {}\nfn private_helper"));
    }

    #[test]
    fn what_another_crate_can_see_changes_the_shape() {
        assert!(changed("fn private_helper", "pub fn added() {}\nfn private_helper"));
        assert!(changed("pub fn name(&self) -> &str", "pub fn name(&self) -> &'static str"));
        assert!(changed("/// A type.", "/// A type, documented."));
        assert!(changed("//! A crate.", "//! A crate, documented."));
        assert!(changed("name: &'static str", "name: String"));
        assert!(changed("fn visit(&mut self) {}", "fn visit(&mut self) {} fn added(&self);"));
        assert!(changed("pub fn hidden() {}", "pub fn hidden(x: u8) {}"));
        assert!(changed("fn private_helper", "macro_rules! m { () => {} }\nfn private_helper"));
        assert!(changed("use std::fmt;", "use std::fmt;\npub use std::fmt::Display;"));
        // A trait impl's method has no `pub`: all of it counts but its body.
        assert!(changed("fmt::Result { f", "std::fmt::Result { f"));
    }

    #[test]
    fn text_that_does_not_lex_has_no_shape() {
        assert_eq!(shape_digest("fn f() { \"unterminated }"), None);
    }
}
