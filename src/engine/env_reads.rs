//! Reads of environment variables in a library's sources (the governance document's §9:
//! packages receive their configuration, they do not read the environment). Found on the syntax
//! tree (syn), by path, never by text:
//!
//! - at run time: `std::env::var`, `var_os`, `vars` and `vars_os`, called or named as values
//!   (`.map(std::env::var)`), under any spelling the file's `use` declarations give them
//!   (`use std::env;` then `env::var`, `use std::env::var as get;`, `use std::env::*;`, `use std
//!   as s;`), in the scope where the `use` applies (a block, a module; an inline module sees its
//!   parent's only through `use super::*`);
//! - at compile time: `env!` and `option_env!` of any variable but Cargo's own (`CARGO*`,
//!   `OUT_DIR`: the package's metadata, set by Cargo for every build, not configuration).
//!
//! Inside macro invocations (`println!`, `format!`, `macro_rules!` bodies), which syn leaves as
//! tokens, the same paths are followed token by token. The walk starts at the library's root
//! file and follows `mod` declarations (`#[path]` included); test-only code (`#[cfg(test)]`,
//! `#[test]`) is left out. Build scripts are not the library: it never reads `build.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::visit::Visit;

/// The functions of `std::env` that read environment variables.
const RUNTIME_READERS: [&str; 4] = ["var", "var_os", "vars", "vars_os"];

/// One read of the environment in a crate's code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvRead {
    /// The source file.
    pub file: PathBuf,
    /// Its line (1-based).
    pub line: u32,
    /// What reads: `std::env::var` (and the others), `env!` or `option_env!`.
    pub reader: String,
    /// The variable, when the code names it with a string literal.
    pub variable: Option<String>,
}

impl EnvRead {
    /// Whether the value is read when the crate is compiled (`env!`, `option_env!`), not when it
    /// runs.
    pub fn at_compile_time(&self) -> bool {
        self.reader.ends_with('!')
    }
}

/// The reads of environment variables in the crate whose root file is `root` (a library's
/// `src/lib.rs`), in the order of its files and lines. A file that cannot be read or parsed, or
/// a module whose file is missing, is an error.
pub fn env_reads(root: &Path) -> Result<Vec<EnvRead>> {
    let root_dir = root.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut pending = vec![(root.to_path_buf(), root_dir)];
    let mut reads = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    while let Some((file, module_dir)) = pending.pop() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let text = crate::input::read_text(&file, "Rust source file")?;
        let syntax = syn::parse_file(&text).map_err(|error| {
            let start = error.span().start();
            anyhow::anyhow!("cannot parse {} at line {}, column {}: {error}", file.display(), start.line, start.column + 1)
        })?;
        let mut visitor = Visitor { file: &file, module_dir: &module_dir, scopes: Vec::new(), inline: Vec::new(), reads: Vec::new(), modules: Vec::new(), error: None };
        visitor.visit_file(&syntax);
        if let Some(error) = visitor.error {
            return Err(error);
        }
        reads.extend(visitor.reads);
        // Visited in declaration order: the stack pops the last first.
        pending.extend(visitor.modules.into_iter().rev());
    }
    Ok(reads)
}

/// The names `use` declarations bring into one scope: name → full path; and glob imports.
#[derive(Default)]
struct Scope {
    names: BTreeMap<String, Vec<String>>,
    globs: Vec<Vec<String>>,
}

impl Scope {
    /// The `use` declarations among `items` that are not test-only.
    fn of<'a>(items: impl Iterator<Item = &'a syn::Item>) -> Scope {
        let mut scope = Scope::default();
        for item in items {
            if let syn::Item::Use(declaration) = item
                && !test_only(&declaration.attrs)
            {
                scope.add(&mut Vec::new(), &declaration.tree);
            }
        }
        scope
    }

    fn add(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(name_of(&path.ident));
                self.add(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) if name.ident == "self" => {
                if let Some(last) = prefix.last() {
                    self.names.insert(last.clone(), prefix.clone());
                }
            }
            syn::UseTree::Name(name) => {
                let full = [prefix.as_slice(), &[name_of(&name.ident)]].concat();
                self.names.insert(name_of(&name.ident), full);
            }
            syn::UseTree::Rename(rename) => {
                let full = if rename.ident == "self" { prefix.clone() } else { [prefix.as_slice(), &[name_of(&rename.ident)]].concat() };
                if rename.rename != "_" {
                    self.names.insert(name_of(&rename.rename), full);
                }
            }
            syn::UseTree::Glob(_) => self.globs.push(prefix.clone()),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add(prefix, tree);
                }
            }
        }
    }

    /// Whether this scope brings `super::*` in: an inline module that does sees its parent's
    /// names.
    fn imports_parent(&self) -> bool {
        self.globs.iter().any(|glob| glob.len() == 1 && glob[0] == "super")
    }
}

struct Visitor<'a> {
    file: &'a Path,
    /// Where `mod name;` of this file's top level looks for `name.rs` and `name/mod.rs`.
    module_dir: &'a Path,
    /// The scopes around the code being visited, outermost first.
    scopes: Vec<Scope>,
    /// The inline modules (`mod a { ... }`) around it, for the files of `mod` declarations in them.
    inline: Vec<String>,
    reads: Vec<EnvRead>,
    /// The files of the `mod` declarations met, each with its own module directory.
    modules: Vec<(PathBuf, PathBuf)>,
    error: Option<anyhow::Error>,
}

impl Visitor<'_> {
    /// The full path `segments` stands for where the visitor is: its first segment replaced by
    /// what a `use` in scope names (followed through `use` chains), or a glob import of
    /// `std::env` supplying a reader's name.
    fn resolve(&self, segments: &[String], absolute: bool) -> Vec<String> {
        let mut path = segments.to_vec();
        if absolute || path.is_empty() {
            return path;
        }
        // `use std::env; use env::var;` chains; a bound on the chain keeps `use a as b; use b as a;` finite.
        for _ in 0..8 {
            let Some(full) = self.scopes.iter().rev().find_map(|scope| scope.names.get(&path[0])) else { break };
            if full.len() == 1 && full[0] == path[0] {
                break;
            }
            path = [full.as_slice(), &path[1..]].concat();
        }
        if path.len() == 1 && RUNTIME_READERS.contains(&path[0].as_str()) && self.scopes.iter().any(|scope| scope.globs.iter().any(|glob| is_std_env(glob))) {
            return vec!["std".into(), "env".into(), path[0].clone()];
        }
        path
    }

    fn record(&mut self, span: Span, reader: String, variable: Option<String>) {
        self.reads.push(EnvRead { file: self.file.to_path_buf(), line: span.start().line as u32, reader, variable });
    }

    /// `env!(...)` or `option_env!(...)`, whose arguments are `tokens`: a read unless it names
    /// one of Cargo's own variables.
    fn compile_time(&mut self, span: Span, reader: &str, tokens: TokenStream) {
        let variable = tokens.into_iter().next().and_then(|first| string_literal(&first));
        if variable.as_deref().is_some_and(set_by_cargo) {
            return;
        }
        self.record(span, format!("{reader}!"), variable);
    }

    /// Reads inside a macro invocation's tokens, which syn does not parse: paths (`::`-joined
    /// identifiers) resolved as in code, and `env!`/`option_env!` invocations.
    fn scan_tokens(&mut self, tokens: TokenStream) {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut index = 0;
        while index < trees.len() {
            if let TokenTree::Group(group) = &trees[index] {
                self.scan_tokens(group.stream());
                index += 1;
                continue;
            }
            let after_dot = index > 0 && matches!(&trees[index - 1], TokenTree::Punct(punct) if punct.as_char() == '.');
            let Some((segments, absolute, span, next)) = path_at(&trees, index).filter(|_| !after_dot) else {
                index += 1;
                continue;
            };
            let resolved = self.resolve(&segments, absolute);
            let bang = matches!(trees.get(next), Some(TokenTree::Punct(punct)) if punct.as_char() == '!');
            if bang && let Some(TokenTree::Group(arguments)) = trees.get(next + 1) {
                match compile_time_reader(&resolved) {
                    Some(reader) => self.compile_time(span, reader, arguments.stream()),
                    None => self.scan_tokens(arguments.stream()),
                }
                index = next + 2;
                continue;
            }
            if let Some(reader) = runtime_reader(&resolved) {
                let call = match trees.get(next) {
                    Some(TokenTree::Group(arguments)) if arguments.delimiter() == Delimiter::Parenthesis => Some(arguments),
                    _ => None,
                };
                // A lone identifier counts only when called: `var` alone may be a local binding.
                if segments.len() > 1 || call.is_some() {
                    let variable = call.and_then(|arguments| arguments.stream().into_iter().next()).and_then(|first| string_literal(&first));
                    self.record(span, reader, variable);
                }
            }
            index = next;
        }
    }

    /// Visits the items of a module (the file's, or an inline module's), in a scope of their own.
    fn in_module_scope(&mut self, items: &[syn::Item], visit: impl FnOnce(&mut Self)) {
        let scope = Scope::of(items.iter());
        let outer = if scope.imports_parent() { None } else { Some(std::mem::take(&mut self.scopes)) };
        self.scopes.push(scope);
        visit(self);
        self.scopes.pop();
        if let Some(outer) = outer {
            self.scopes = outer;
        }
    }

    /// Schedules the file of `mod name;` declared with `attrs`.
    fn declared_module(&mut self, name: &str, attrs: &[syn::Attribute], span: Span) {
        let dir = self.inline.iter().fold(self.module_dir.to_path_buf(), |dir, module| dir.join(module));
        // Each candidate file with the directory of the modules it declares. A `#[path]` file
        // owns its directory, like a `mod.rs`.
        let candidates: Vec<(PathBuf, PathBuf)> = match path_attribute(attrs) {
            Some(path) => {
                let base = if self.inline.is_empty() { self.file.parent().map(Path::to_path_buf).unwrap_or_default() } else { dir };
                let file = base.join(path);
                let module_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
                vec![(file, module_dir)]
            }
            None => vec![(dir.join(format!("{name}.rs")), dir.join(name)), (dir.join(name).join("mod.rs"), dir.join(name))],
        };
        if let Some(found) = candidates.iter().find(|(file, _)| file.is_file()) {
            self.modules.push(found.clone());
            return;
        }
        // A module compiled only on some configuration may have no file where this one looks
        // (`#[cfg_attr(..., path = ...)]`, a file left out of the published package); any other
        // missing file would not compile.
        if !attrs.iter().any(|attr| attr.path().is_ident("cfg") || attr.path().is_ident("cfg_attr")) && self.error.is_none() {
            let looked: Vec<String> = candidates.iter().map(|(file, _)| file.display().to_string()).collect();
            self.error = Some(anyhow::anyhow!("{}:{}: the file of `mod {name};` is not there ({})", self.file.display(), span.start().line, looked.join(" or ")));
        }
    }
}

impl<'ast> Visit<'ast> for Visitor<'_> {
    fn visit_file(&mut self, file: &'ast syn::File) {
        if test_only(&file.attrs) {
            return;
        }
        self.in_module_scope(&file.items, |visitor| syn::visit::visit_file(visitor, file));
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        if test_only(item_attrs(item)) {
            return;
        }
        let syn::Item::Mod(module) = item else {
            return syn::visit::visit_item(self, item);
        };
        match &module.content {
            Some((_, items)) => {
                self.inline.push(name_of(&module.ident));
                self.in_module_scope(items, |visitor| {
                    for item in items {
                        visitor.visit_item(item);
                    }
                });
                self.inline.pop();
            }
            None => self.declared_module(&name_of(&module.ident), &module.attrs, module.ident.span()),
        }
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        let attrs = match item {
            syn::ImplItem::Const(item) => &item.attrs,
            syn::ImplItem::Fn(item) => &item.attrs,
            syn::ImplItem::Type(item) => &item.attrs,
            syn::ImplItem::Macro(item) => &item.attrs,
            _ => return syn::visit::visit_impl_item(self, item),
        };
        if !test_only(attrs) {
            syn::visit::visit_impl_item(self, item);
        }
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        let attrs = match item {
            syn::TraitItem::Const(item) => &item.attrs,
            syn::TraitItem::Fn(item) => &item.attrs,
            syn::TraitItem::Type(item) => &item.attrs,
            syn::TraitItem::Macro(item) => &item.attrs,
            _ => return syn::visit::visit_trait_item(self, item),
        };
        if !test_only(attrs) {
            syn::visit::visit_trait_item(self, item);
        }
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|stmt| match stmt {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        self.scopes.push(Scope::of(items));
        syn::visit::visit_block(self, block);
        self.scopes.pop();
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let syn::Expr::Path(function) = &*call.func
            && let Some(reader) = self.path_reader(function)
        {
            let variable = match call.args.first() {
                Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) => Some(text.value()),
                _ => None,
            };
            self.record(path_span(&function.path), reader, variable);
            for argument in &call.args {
                self.visit_expr(argument);
            }
            return;
        }
        syn::visit::visit_expr_call(self, call);
    }

    fn visit_expr_path(&mut self, path: &'ast syn::ExprPath) {
        // A reader named as a value: `.map(std::env::var)`.
        if let Some(reader) = self.path_reader(path) {
            self.record(path_span(&path.path), reader, None);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let (segments, absolute) = segments(&mac.path);
        match compile_time_reader(&self.resolve(&segments, absolute)) {
            Some(reader) => self.compile_time(path_span(&mac.path), reader, mac.tokens.clone()),
            None => self.scan_tokens(mac.tokens.clone()),
        }
    }
}

impl Visitor<'_> {
    /// The reader an expression path names, if it names one.
    fn path_reader(&self, path: &syn::ExprPath) -> Option<String> {
        if path.qself.is_some() {
            return None;
        }
        let (segments, absolute) = segments(&path.path);
        runtime_reader(&self.resolve(&segments, absolute))
    }
}

fn segments(path: &syn::Path) -> (Vec<String>, bool) {
    (path.segments.iter().map(|segment| name_of(&segment.ident)).collect(), path.leading_colon.is_some())
}

/// An identifier as a name: `r#impl` is `impl` (a module `r#impl` is the file `impl.rs`).
fn name_of(ident: &proc_macro2::Ident) -> String {
    ident.unraw().to_string()
}

fn path_span(path: &syn::Path) -> Span {
    path.segments.first().map(|segment| segment.ident.span()).unwrap_or_else(Span::call_site)
}

fn is_std_env(path: &[String]) -> bool {
    path.len() == 2 && path[0] == "std" && path[1] == "env"
}

/// `std::env::var` and the others, as reports name them.
fn runtime_reader(path: &[String]) -> Option<String> {
    match path {
        [std, env, function] if std == "std" && env == "env" && RUNTIME_READERS.contains(&function.as_str()) => Some(format!("std::env::{function}")),
        _ => None,
    }
}

/// `env` or `option_env` when `path` names one of those macros (bare, as the prelude gives
/// them, or through `std`/`core`).
fn compile_time_reader(path: &[String]) -> Option<&'static str> {
    let name = match path {
        [name] => name,
        [krate, name] if krate == "std" || krate == "core" => name,
        _ => return None,
    };
    match name.as_str() {
        "env" => Some("env"),
        "option_env" => Some("option_env"),
        _ => None,
    }
}

/// Variables Cargo sets when it compiles a package: its metadata, the same on every machine.
fn set_by_cargo(variable: &str) -> bool {
    variable.starts_with("CARGO") || variable == "OUT_DIR"
}

/// The path that starts at `trees[index]` (`a::b::c`, `::a::b`): its segments, whether it is
/// absolute, the span of its first identifier and the index after it.
fn path_at(trees: &[TokenTree], index: usize) -> Option<(Vec<String>, bool, Span, usize)> {
    let colons = |at: usize| {
        matches!((trees.get(at), trees.get(at + 1)), (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b))) if a.as_char() == ':' && b.as_char() == ':')
    };
    let absolute = colons(index);
    let mut at = if absolute { index + 2 } else { index };
    let Some(TokenTree::Ident(first)) = trees.get(at) else { return None };
    let span = first.span();
    let mut segments = vec![name_of(first)];
    at += 1;
    while colons(at)
        && let Some(TokenTree::Ident(next)) = trees.get(at + 2)
    {
        segments.push(name_of(next));
        at += 3;
    }
    Some((segments, absolute, span, at))
}

/// The value of a string literal token.
fn string_literal(token: &TokenTree) -> Option<String> {
    match token {
        TokenTree::Literal(literal) => syn::parse2::<syn::LitStr>(TokenTree::Literal(literal.clone()).into()).ok().map(|text| text.value()),
        _ => None,
    }
}

/// `#[path = "..."]` on a module declaration.
fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find(|attr| attr.path().is_ident("path")).and_then(|attr| match &attr.meta {
        syn::Meta::NameValue(syn::MetaNameValue { value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(path), .. }), .. }) => Some(path.value()),
        _ => None,
    })
}

/// Whether attributes make an item exist only in test builds: `#[test]`, or a `cfg` whose
/// predicate needs `test` (`test`, `all(test, ...)`, `any` of predicates that all need it).
fn test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("test") || (attr.path().is_ident("cfg") && attr.parse_args::<syn::Meta>().is_ok_and(|predicate| needs_test(&predicate)))
    })
}

fn needs_test(predicate: &syn::Meta) -> bool {
    let nested = |list: &syn::MetaList| list.parse_args_with(syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated).map(|items| items.into_iter().collect::<Vec<_>>()).unwrap_or_default();
    match predicate {
        syn::Meta::Path(path) => path.is_ident("test"),
        syn::Meta::List(list) if list.path.is_ident("all") => nested(list).iter().any(needs_test),
        syn::Meta::List(list) if list.path.is_ident("any") => {
            let items = nested(list);
            !items.is_empty() && items.iter().all(needs_test)
        }
        _ => false,
    }
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(item) => &item.attrs,
        syn::Item::Enum(item) => &item.attrs,
        syn::Item::ExternCrate(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::ForeignMod(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Static(item) => &item.attrs,
        syn::Item::Struct(item) => &item.attrs,
        syn::Item::Trait(item) => &item.attrs,
        syn::Item::TraitAlias(item) => &item.attrs,
        syn::Item::Type(item) => &item.attrs,
        syn::Item::Union(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reads in `source`, as the crate root, each `line reader variable`.
    fn reads(source: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lib.rs"), source).unwrap();
        env_reads(&dir.path().join("lib.rs"))
            .unwrap()
            .iter()
            .map(|read| format!("{} {} {}", read.line, read.reader, read.variable.as_deref().unwrap_or("?")))
            .collect()
    }

    #[test]
    fn every_spelling_of_the_readers_is_followed_through_use_declarations() {
        let source = r#"
use std::env;
use std::env::var_os as raw;
use std as s;

pub fn a() -> Option<String> { std::env::var("A").ok() }
pub fn b() -> bool { env::var_os("B").is_some() }
pub fn c() -> bool { raw("C").is_some() }
pub fn d() -> usize { s::env::vars().count() }
pub fn e() -> Vec<Result<String, std::env::VarError>> { ["E"].into_iter().map(std::env::var).collect() }
pub fn f() -> bool { ::std::env::vars_os().next().is_some() }
"#;
        assert_eq!(reads(source), ["6 std::env::var A", "7 std::env::var_os B", "8 std::env::var_os C", "9 std::env::vars ?", "10 std::env::var ?", "11 std::env::vars_os ?"]);
    }

    #[test]
    fn imports_hold_in_their_own_scope_only() {
        let source = r#"
pub fn scoped() -> bool {
    use std::env::var;
    var("IN_BLOCK").is_ok()
}
mod env { pub fn var(_: &str) -> Result<(), ()> { Ok(()) } }
pub fn local() -> bool { env::var("NOT_STD").is_ok() }
pub fn unrelated(var: &str) -> usize { var.len() }
pub mod inner {
    use super::*;
    pub fn glob() -> bool { std::env::var_os("INNER").is_some() }
}
pub mod globbed {
    use std::env::*;
    pub fn glob() -> bool { var("GLOB").is_ok() }
}
"#;
        assert_eq!(reads(source), ["4 std::env::var IN_BLOCK", "11 std::env::var_os INNER", "15 std::env::var GLOB"]);
    }

    #[test]
    fn compile_time_reads_of_other_than_cargos_variables_count() {
        let source = r#"
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/x"));
pub const KEY: Option<&str> = option_env!("API_KEY");
pub const URL: &str = std::env!("SERVICE_URL");
"#;
        assert_eq!(reads(source), ["4 option_env! API_KEY", "5 env! SERVICE_URL"]);
    }

    #[test]
    fn reads_inside_macro_invocations_are_found() {
        let source = r#"
use std::env;
pub fn show() {
    println!("{}", env::var("HOME").unwrap_or_default());
    let _ = format!("{:?}", vec![std::env::vars_os().count()]);
}
macro_rules! read { ($name:expr) => { ::std::env::var($name) } }
pub fn method(x: Thing) { println!("{:?}", x.var("NOT_A_READ")); }
pub struct Thing;
impl Thing { pub fn var(&self, _: &str) {} }
"#;
        assert_eq!(reads(source), ["4 std::env::var HOME", "5 std::env::vars_os ?", "7 std::env::var ?"]);
    }

    #[test]
    fn test_only_code_is_left_out() {
        let source = r#"
pub fn real() -> bool { std::env::var("REAL").is_ok() }
#[cfg(test)]
mod tests { #[test] fn t() { std::env::var("T").ok(); } }
#[test]
fn loose() { std::env::var("LOOSE").ok(); }
#[cfg(all(test, unix))]
fn helper() { std::env::var("HELPER").ok(); }
#[cfg(any(test, feature = "x"))]
fn featured() -> bool { std::env::var("FEATURED").is_ok() }
"#;
        assert_eq!(reads(source), ["2 std::env::var REAL", "10 std::env::var FEATURED"]);
    }

    #[test]
    fn mod_declarations_are_followed_to_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let write = |relative: &str, text: &str| {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("src/lib.rs", "mod config;\nmod nested;\n#[path = \"elsewhere/x.rs\"]\nmod renamed;\nmod r#impl;\n#[cfg(test)]\nmod tests;\n");
        write("src/impl.rs", "//! A raw identifier's module is the file of its name.\n");
        write("src/config.rs", "pub fn port() -> Option<String> {\n    std::env::var(\"PORT\").ok()\n}\n");
        write("src/nested/mod.rs", "mod deeper;\n");
        write("src/nested/deeper.rs", "pub fn home() -> bool { std::env::var_os(\"HOME\").is_some() }\n");
        write("src/elsewhere/x.rs", "pub fn all() -> usize { std::env::vars().count() }\n");
        write("src/tests.rs", "fn t() { std::env::var(\"T\").ok(); }\n");
        let found: Vec<(String, u32, Option<String>)> = env_reads(&dir.path().join("src/lib.rs"))
            .unwrap()
            .into_iter()
            .map(|read| (read.file.strip_prefix(dir.path()).unwrap().display().to_string(), read.line, read.variable))
            .collect();
        assert_eq!(
            found,
            [
                ("src/config.rs".to_string(), 2, Some("PORT".to_string())),
                ("src/nested/deeper.rs".to_string(), 1, Some("HOME".to_string())),
                ("src/elsewhere/x.rs".to_string(), 1, None),
            ]
        );

        write("src/lib.rs", "mod missing;\n");
        let error = env_reads(&dir.path().join("src/lib.rs")).unwrap_err();
        assert!(format!("{error:#}").contains("the file of `mod missing;` is not there"), "{error:#}");
        write("src/lib.rs", "pub fn broken( {\n");
        let error = env_reads(&dir.path().join("src/lib.rs")).unwrap_err();
        assert!(format!("{error:#}").contains("cannot parse"), "{error:#}");
    }
}
