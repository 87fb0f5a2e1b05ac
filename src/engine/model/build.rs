//! Builds an [`ApiModel`] from rustdoc JSON: finds every public path of every reachable item,
//! then emits each item once per path, with its members under its canonical path.

use std::collections::{BTreeSet, HashMap, HashSet};

use rustdoc_types::{
    Attribute, Crate, Function, Id, Impl, Item, ItemEnum, MacroKind as RustdocMacroKind, StructKind, Type,
    VariantKind, Visibility,
};

use super::normalize::{Elision, Normalizer, Scope, elision_positions, qualifier_prefix, qualifiers};
use super::ty::{GenericArg, GenericArgs, JoinBounds, Output, ParamKind, Predicate, Ty, TyPath};
use super::{ApiItem, ApiModel, Detail, Generics, GlobReexport, ItemKind, MODEL_SCHEMA, MacroKind, Span, StructShape, VariantField};

pub(super) fn build(krate: &Crate) -> ApiModel {
    let crate_name = krate
        .index
        .get(&krate.root)
        .and_then(|root| root.name.clone())
        .unwrap_or_else(|| "crate".to_string());

    let mut reach = Reach { krate, paths: HashMap::new(), extern_reexports: Vec::new(), anonymous: Vec::new(), globs: BTreeSet::new(), stack: Vec::new() };
    reach.visit(&krate.root, crate_name.clone(), false, false);
    reach.unnameable_types();

    let canonical: HashMap<Id, String> = reach
        .paths
        .iter()
        .filter_map(|(id, paths)| {
            // Prefer a path that is not hidden, then one not reached through a glob, then the
            // shortest, then the first in order.
            let best = paths.iter().min_by_key(|reached| {
                (reached.unnameable, reached.hidden, reached.via_glob, reached.path.matches("::").count(), reached.path.as_str())
            })?;
            Some((*id, best.path.clone()))
        })
        .collect();

    let mut emitter = Emitter {
        krate,
        norm: Normalizer::new(krate, &canonical),
        canonical: &canonical,
        sealed: HashMap::new(),
        items: Vec::new(),
    };
    // Sorted by path, then explicit before glob-imported, so that where a glob import is shadowed
    // by an explicit item the explicit one comes first and is kept (as Rust resolves it); the id
    // breaks the remaining ties, so the same JSON always gives the same model.
    let mut entries: Vec<(&Id, &Reached)> =
        reach.paths.iter().flat_map(|(id, paths)| paths.iter().map(move |reached| (id, reached))).collect();
    entries.sort_by(|a, b| (&a.1.path, a.1.via_glob, a.1.hidden, a.0.0).cmp(&(&b.1.path, b.1.via_glob, b.1.hidden, b.0.0)));
    for (id, reached) in entries {
        let before = emitter.items.len();
        emitter.item(id, &reached.path, reached.hidden);
        if reached.unnameable {
            emitter.items[before..].iter_mut().for_each(|item| item.unnameable = true);
        }
    }
    emitter.impls_of_foreign_traits_for_foreign_types();
    for reexport in &reach.extern_reexports {
        if let Some(crate_id) = reexport.crate_id {
            emitter.norm.note_crate(crate_id);
        }
        emitter.items.push(ApiItem {
            key: format!("reexport {}", reexport.path),
            kind: ItemKind::ExternReexport,
            path: reexport.path.clone(),
            signature: format!("{}pub use {} = {}", hidden_attr(reexport.hidden), reexport.path, reexport.target),
            hidden: reexport.hidden,
            alias_of: None,
            unnameable: false,
            span: reexport.span.clone(),
            detail: Detail::ExternReexport { target: reexport.target.clone() },
        });
    }
    // `pub use Trait as _`: brings the trait into scope for glob importers without a name; each
    // is its own item, keyed by what it imports, so several never collide on `prefix::_`.
    for anonymous in &reach.anonymous {
        let target = emitter.norm.item_path(&anonymous.id, &anonymous.source);
        let path = format!("{}::_", anonymous.prefix);
        emitter.items.push(ApiItem {
            key: format!("reexport {path} = {target}"),
            kind: ItemKind::ExternReexport,
            path: path.clone(),
            signature: format!("{}pub use {target} as {path}", hidden_attr(anonymous.hidden)),
            hidden: anonymous.hidden,
            alias_of: None,
            unnameable: false,
            span: anonymous.span.clone(),
            detail: Detail::ExternReexport { target },
        });
    }

    let public_dependencies = Some(emitter.norm.external_crates());
    let mut items = emitter.items;
    items.sort_by(|a, b| a.key.cmp(&b.key));
    // Two entries can claim one key only when a glob import is shadowed by an explicit item;
    // the explicit one was emitted first (a stable sort keeps it first) and is the one Rust
    // resolves.
    items.dedup_by(|later, earlier| later.key == earlier.key);

    ApiModel {
        apicheck_model: MODEL_SCHEMA,
        crate_name,
        crate_version: krate.crate_version.clone(),
        rustdoc_format: krate.format_version,
        public_dependencies,
        items,
        glob_reexports: reach.globs.into_iter().collect(),
    }
}

struct ExternReexport {
    path: String,
    target: String,
    hidden: bool,
    span: Option<Span>,
    /// The crate the re-exported item comes from, when rustdoc knows it.
    crate_id: Option<u32>,
}

/// A `pub use path as _` in module `prefix`.
struct AnonymousReexport {
    prefix: String,
    id: Id,
    source: String,
    hidden: bool,
    span: Option<Span>,
}

/// One public path an item is reachable at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Reached {
    path: String,
    hidden: bool,
    /// Reached through a glob import (`pub use m::*`), which an explicit item shadows.
    via_glob: bool,
    /// Not a public path: the definition path of a type users cannot name.
    unnameable: bool,
}

/// Pass one: which public paths reach which items.
struct Reach<'a> {
    krate: &'a Crate,
    /// Every public path of every reachable local item.
    paths: HashMap<Id, BTreeSet<Reached>>,
    extern_reexports: Vec<ExternReexport>,
    anonymous: Vec<AnonymousReexport>,
    /// `pub use m::*` in reachable modules (a module reached at several paths, at each).
    globs: BTreeSet<GlobReexport>,
    /// Modules being walked, to stop at re-export cycles (`pub use crate as alias`).
    stack: Vec<Id>,
}

impl Reach<'_> {
    fn visit(&mut self, id: &Id, path: String, hidden: bool, via_glob: bool) {
        let Some(item) = self.krate.index.get(id) else { return };
        let hidden = hidden || is_doc_hidden(item);
        self.paths.entry(*id).or_default().insert(Reached { path: path.clone(), hidden, via_glob, unnameable: false });
        if matches!(item.inner, ItemEnum::Module(_)) {
            self.module_items(id, &path, hidden, via_glob);
        }
    }

    /// Walks the public items of module `id` as if they were declared at `prefix`.
    fn module_items(&mut self, id: &Id, prefix: &str, hidden: bool, via_glob: bool) {
        if self.stack.contains(id) {
            return;
        }
        let Some(ItemEnum::Module(module)) = self.krate.index.get(id).map(|item| &item.inner) else {
            return;
        };
        self.stack.push(*id);
        for child_id in &module.items {
            let Some(child) = self.krate.index.get(child_id) else { continue };
            if child.visibility != Visibility::Public {
                continue;
            }
            let child_hidden = hidden || is_doc_hidden(child);
            match &child.inner {
                ItemEnum::Use(import) => self.import(child, import, prefix, child_hidden, via_glob),
                ItemEnum::ExternCrate { name, rename } => {
                    let local = rename.as_deref().unwrap_or(name);
                    self.extern_reexports.push(ExternReexport {
                        path: format!("{prefix}::{local}"),
                        target: format!("extern crate {name}"),
                        hidden: child_hidden,
                        span: span(child),
                        crate_id: None,
                    });
                }
                ItemEnum::Impl(_) => {}
                _ => {
                    if let Some(name) = &child.name {
                        self.visit(child_id, format!("{prefix}::{name}"), child_hidden, via_glob);
                    }
                }
            }
        }
        self.stack.pop();
    }

    /// Types declared `pub` in a private module and reached through a public signature (a
    /// function's return type, a field...): users hold values of them, so their methods, trait
    /// impls and auto traits are API too. They get their definition path, repeatedly, as their
    /// own members may reach more of them.
    fn unnameable_types(&mut self) {
        let mut frontier: Vec<Id> = self.paths.keys().copied().collect();
        while !frontier.is_empty() {
            let mut found = Vec::new();
            for id in &frontier {
                let Some(item) = self.krate.index.get(id) else { continue };
                for ty in signature_types(self.krate, item) {
                    type_ids(ty, &mut found);
                }
            }
            found.sort_by_key(|id| id.0);
            found.dedup();
            frontier.clear();
            for id in found {
                if self.paths.contains_key(&id) {
                    continue;
                }
                let Some(item) = self.krate.index.get(&id) else { continue };
                if item.crate_id != 0 || item.visibility != Visibility::Public {
                    continue;
                }
                if !matches!(item.inner, ItemEnum::Struct(_) | ItemEnum::Enum(_) | ItemEnum::Union(_) | ItemEnum::Trait(_)) {
                    continue;
                }
                let Some(summary) = self.krate.paths.get(&id) else { continue };
                let path = summary.path.join("::");
                self.paths.entry(id).or_default().insert(Reached { path, hidden: is_doc_hidden(item), via_glob: false, unnameable: true });
                frontier.push(id);
            }
        }
    }

    fn import(&mut self, item: &Item, import: &rustdoc_types::Use, prefix: &str, hidden: bool, via_glob: bool) {
        if !import.is_glob
            && import.name == "_"
            && let Some(id) = import.id
        {
            self.anonymous.push(AnonymousReexport { prefix: prefix.to_string(), id, source: import.source.clone(), hidden, span: span(item) });
            return;
        }
        if import.is_glob {
            self.globs.insert(GlobReexport { module: prefix.to_string(), source: import.source.clone(), hidden, span: span(item) });
        }
        let target = import.id.as_ref().and_then(|id| self.krate.index.get(id).map(|t| (id, t)));
        match (import.is_glob, target) {
            (true, Some((id, target))) => match &target.inner {
                ItemEnum::Module(_) => self.module_items(id, prefix, hidden || is_doc_hidden(target), true),
                ItemEnum::Enum(enumeration) => {
                    for variant_id in &enumeration.variants {
                        if let Some(name) = self.krate.index.get(variant_id).and_then(|v| v.name.as_ref()) {
                            self.visit(variant_id, format!("{prefix}::{name}"), hidden, true);
                        }
                    }
                }
                _ => {}
            },
            (false, Some((id, _))) => self.visit(id, format!("{prefix}::{}", import.name), hidden, via_glob),
            (is_glob, None) => {
                // An item of another crate: its API is that crate's, so only the re-export
                // itself is part of ours.
                let summary = import.id.as_ref().and_then(|id| self.krate.paths.get(id));
                let target = summary.map(|summary| summary.path.join("::")).unwrap_or_else(|| import.source.clone());
                let (path, target) = if is_glob {
                    (format!("{prefix}::*"), format!("{target}::*"))
                } else {
                    (format!("{prefix}::{}", import.name), target)
                };
                let crate_id = summary.map(|summary| summary.crate_id);
                self.extern_reexports.push(ExternReexport { path, target, hidden, span: span(item), crate_id });
            }
        }
    }
}

/// Pass two: model items.
struct Emitter<'a> {
    krate: &'a Crate,
    norm: Normalizer<'a>,
    canonical: &'a HashMap<Id, String>,
    /// Whether each trait met so far is sealed (memoized through supertrait chains).
    sealed: HashMap<Id, bool>,
    items: Vec<ApiItem>,
}

/// A function's normalized signature, ready for the listing and the diff.
struct Signature {
    detail: Detail,
    /// `<'a, T>` as the listing shows it.
    declared: String,
    /// `x: T, &self`... as the listing shows it.
    parameters: Vec<String>,
    output: Ty,
    where_clause: String,
}

impl Emitter<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(&mut self, kind: ItemKind, key_path: &str, path: &str, signature: String, hidden: bool, item: &Item, detail: Detail) {
        self.items.push(ApiItem {
            key: format!("{} {key_path}", kind.id_part()),
            kind,
            path: path.to_string(),
            signature: format!("{}{signature}", hidden_attr(hidden)),
            hidden,
            alias_of: None,
            unnameable: false,
            span: span(item),
            detail,
        });
    }

    /// Emits the item `id` at `path`, and its members when `path` is its canonical path.
    fn item(&mut self, id: &Id, path: &str, hidden: bool) {
        let Some(item) = self.krate.index.get(id) else { return };
        let is_canonical = self.canonical.get(id).is_some_and(|c| c == path);
        let before = self.items.len();
        let members_at = is_canonical.then_some(path);
        match &item.inner {
            ItemEnum::Module(_) => {
                self.push(ItemKind::Module, path, path, format!("pub mod {path}"), hidden, item, Detail::Module)
            }
            ItemEnum::Function(function) => {
                let signature = self.function(function, &Scope::default(), None, None);
                let line = fn_line(path, &signature, false);
                self.push(ItemKind::Function, path, path, line, hidden, item, signature.detail);
            }
            ItemEnum::Struct(structure) => self.structure(item, structure, path, hidden, members_at),
            ItemEnum::Enum(enumeration) => self.enumeration(item, enumeration, path, hidden, members_at),
            ItemEnum::Union(union) => self.union(item, union, path, hidden, members_at),
            ItemEnum::Trait(trait_) => self.trait_(id, item, trait_, path, hidden, members_at),
            ItemEnum::Variant(_) => {
                // Reached through `pub use Enum::*`: the variant is emitted with its enum; this
                // path is an alias of it.
                self.variant(item, path, hidden, &Scope::default());
            }
            ItemEnum::Constant { type_, .. } => {
                let ty = self.norm.ty(type_, &mut Scope::default(), &Elision::Static);
                self.push(ItemKind::Const, path, path, format!("pub const {path}: {ty}"), hidden, item, Detail::Const { ty });
            }
            ItemEnum::Static(statik) => {
                let ty = self.norm.ty(&statik.type_, &mut Scope::default(), &Elision::Static);
                let mutable = if statik.is_mutable { "mut " } else { "" };
                let signature = format!("pub static {mutable}{path}: {ty}");
                let detail = Detail::Static { ty, mutable: statik.is_mutable, is_unsafe: statik.is_unsafe };
                self.push(ItemKind::Static, path, path, signature, hidden, item, detail);
            }
            ItemEnum::TypeAlias(alias) => {
                let mut scope = Scope::default();
                self.norm.declare_item_params(&alias.generics, &mut scope);
                let generics = self.norm.generics(&alias.generics, &mut scope, true, false);
                let target = self.norm.ty(&alias.type_, &mut scope, &Elision::Fresh);
                let signature = format!("pub type {path}{} = {target}{}", declared(&generics, &[]), where_clause(&generics));
                let opaque_target = self.norm.names_unnameable_type(&alias.type_);
                let detail = Detail::TypeAlias { generics, target, opaque_target };
                self.push(ItemKind::TypeAlias, path, path, signature, hidden, item, detail);
            }
            ItemEnum::Macro(source) => {
                let detail = Detail::Macro { macro_kind: MacroKind::Declarative, helpers: Vec::new(), arms: super::macro_rules::arms(source) };
                self.push(ItemKind::Macro, path, path, format!("pub macro {path}!"), hidden, item, detail);
            }
            ItemEnum::ProcMacro(proc_macro) => {
                let (macro_kind, signature) = match proc_macro.kind {
                    RustdocMacroKind::Bang => (MacroKind::FunctionLike, format!("#[proc_macro] pub macro {path}!")),
                    RustdocMacroKind::Attr => {
                        (MacroKind::Attribute, format!("#[proc_macro_attribute] pub macro {path}"))
                    }
                    RustdocMacroKind::Derive if proc_macro.helpers.is_empty() => {
                        (MacroKind::Derive, format!("#[proc_macro_derive] pub macro {path}"))
                    }
                    RustdocMacroKind::Derive => (
                        MacroKind::Derive,
                        format!(
                            "#[proc_macro_derive(attributes({}))] pub macro {path}",
                            proc_macro.helpers.join(", ")
                        ),
                    ),
                };
                let detail = Detail::Macro { macro_kind, helpers: proc_macro.helpers.clone(), arms: Vec::new() };
                self.push(ItemKind::Macro, path, path, signature, hidden, item, detail);
            }
            _ => {}
        }
        if !is_canonical {
            let canonical = self.canonical.get(id).cloned();
            for emitted in &mut self.items[before..] {
                emitted.alias_of = canonical.clone();
            }
        }
    }

    /// A function's signature in `outer` (the scope of its impl or trait, whose predicates
    /// `outer_generics` are merged into the function's).
    fn function(&self, function: &Function, outer: &Scope, outer_generics: Option<&Generics>, has_default: Option<bool>) -> Signature {
        let norm = &self.norm;
        let mut scope = outer.clone();
        norm.declare_fn_params(&function.generics, &mut scope);
        scope.begin_function();
        let has_receiver = function.sig.inputs.first().is_some_and(|(name, _)| name == "self");
        let inputs: Vec<Ty> = function.sig.inputs.iter().map(|(_, ty)| norm.ty(ty, &mut scope, &Elision::Fresh)).collect();
        // The lifetime elided output lifetimes stand for: the receiver's when it is a
        // reference, else the only lifetime of the inputs.
        let target = match inputs.first() {
            Some(Ty::Ref { lifetime, .. }) if has_receiver => Some(lifetime.clone()),
            _ => {
                let mut positions = Vec::new();
                inputs.iter().for_each(|t| elision_positions(t, &mut positions));
                if positions.len() == 1 { positions.pop() } else { None }
            }
        };
        let output = function
            .sig
            .output
            .as_ref()
            .map(|t| norm.ty(t, &mut scope, &Elision::Output(target.clone())))
            .unwrap_or_else(Ty::unit);
        let mut generics = norm.generics(&function.generics, &mut scope, false, false);
        if let Some(outer) = outer_generics {
            generics.predicates.extend(outer.predicates.iter().cloned());
            generics.predicates.sort();
            generics.predicates.dedup();
        }

        // The listing writes lifetimes as a person would: elided where elision gives them.
        let fn_lifetimes = scope.fn_lifetimes.clone();
        let elided = elidable_lifetimes(&fn_lifetimes, &inputs, &output, &generics, target.as_deref());
        let show = |ty: &Ty| elide(ty, &elided);
        let self_ty = outer.self_ty.clone().unwrap_or_else(|| Ty::Param("Self".to_string()));
        let parameters: Vec<String> = function
            .sig
            .inputs
            .iter()
            .zip(&inputs)
            .enumerate()
            .map(|(position, ((name, _), ty))| {
                if position == 0 && has_receiver {
                    receiver(&show(ty), &self_ty)
                } else {
                    format!("{name}: {}", show(ty))
                }
            })
            .chain(function.sig.is_c_variadic.then(|| "...".to_string()))
            .collect();
        let shown_lifetimes: Vec<String> = fn_lifetimes.iter().filter(|l| !elided.contains(*l)).cloned().collect();
        Signature {
            // The parameters are the function's own (an impl's or trait's are merged into the
            // predicates only).
            declared: declared(&generics, &shown_lifetimes),
            parameters,
            output: show(&output),
            where_clause: where_clause(&Generics { params: Vec::new(), predicates: generics.predicates.clone() }),
            detail: Detail::Function {
                qualifiers: qualifiers(&function.header),
                generics,
                inputs,
                has_receiver,
                output,
                variadic: function.sig.is_c_variadic,
                has_default,
                impl_self: None,
            },
        }
    }

    /// The scope of a struct, enum or union: its parameters, and `Self` as the type itself.
    fn type_scope(&self, path: &str, generics: &rustdoc_types::Generics) -> (Scope, Generics) {
        let mut scope = Scope::default();
        self.norm.declare_item_params(generics, &mut scope);
        let normalized = self.norm.generics(generics, &mut scope, true, false);
        let args: Vec<GenericArg> = normalized
            .params
            .iter()
            .map(|param| match param.kind {
                ParamKind::Lifetime => GenericArg::Lifetime(param.name.clone()),
                ParamKind::Type { .. } => GenericArg::Type(Ty::Param(param.name.clone())),
                ParamKind::Const { .. } => GenericArg::Const(param.name.clone()),
            })
            .collect();
        let args = (!args.is_empty()).then(|| Box::new(GenericArgs::Angle { args, constraints: Vec::new() }));
        scope.self_ty = Some(Ty::Path(TyPath { path: path.to_string(), args }));
        (scope, normalized)
    }

    fn structure(&mut self, item: &Item, structure: &rustdoc_types::Struct, path: &str, hidden: bool, members_at: Option<&str>) {
        let (shape, field_ids, mut private_fields): (StructShape, Vec<Option<Id>>, bool) = match &structure.kind {
            StructKind::Unit => (StructShape::Unit, Vec::new(), false),
            StructKind::Tuple(fields) => (StructShape::Tuple, fields.clone(), false),
            StructKind::Plain { fields, has_stripped_fields } => {
                (StructShape::Plain, fields.iter().map(|f| Some(*f)).collect(), *has_stripped_fields)
            }
        };
        let mut fields = Vec::new();
        for (position, field_id) in field_ids.iter().enumerate() {
            match field_id.as_ref().and_then(|id| self.krate.index.get(id)) {
                Some(field) if field.visibility == Visibility::Public => fields.push((position, field)),
                _ => private_fields = true,
            }
        }
        let non_exhaustive = is_non_exhaustive(item);
        let (scope, generics) = self.type_scope(path, &structure.generics);
        let signature = format!(
            "{}pub struct {path}{}{}",
            non_exhaustive_attr(non_exhaustive),
            declared(&generics, &[]),
            where_clause(&generics)
        );
        let detail = Detail::Struct { shape, generics, private_fields, non_exhaustive };
        self.push(ItemKind::Struct, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for (position, field) in fields {
            self.field(owner, position, field, hidden, &scope);
        }
        self.impls(owner, &structure.impls, hidden);
    }

    fn field(&mut self, owner: &str, position: usize, field: &Item, hidden: bool, scope: &Scope) {
        let ItemEnum::StructField(ty) = &field.inner else { return };
        let name = field_name(field, position);
        let path = format!("{owner}::{name}");
        let ty = self.norm.ty(ty, &mut scope.clone(), &Elision::Fresh);
        let hidden = hidden || is_doc_hidden(field);
        self.push(ItemKind::Field, &path, &path, format!("pub {path}: {ty}"), hidden, field, Detail::Field { ty });
    }

    fn enumeration(&mut self, item: &Item, enumeration: &rustdoc_types::Enum, path: &str, hidden: bool, members_at: Option<&str>) {
        let non_exhaustive = is_non_exhaustive(item);
        let (scope, generics) = self.type_scope(path, &enumeration.generics);
        let signature = format!(
            "{}pub enum {path}{}{}",
            non_exhaustive_attr(non_exhaustive),
            declared(&generics, &[]),
            where_clause(&generics)
        );
        let detail = Detail::Enum { generics, non_exhaustive };
        self.push(ItemKind::Enum, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for variant_id in &enumeration.variants {
            if let Some(variant) = self.krate.index.get(variant_id) {
                let name = variant.name.clone().unwrap_or_default();
                self.variant(variant, &format!("{owner}::{name}"), hidden, &scope);
            }
        }
        self.impls(owner, &enumeration.impls, hidden);
    }

    fn variant(&mut self, variant: &Item, path: &str, hidden: bool, scope: &Scope) {
        let ItemEnum::Variant(inner) = &variant.inner else { return };
        let field = |position: usize, id: &Id| match self.krate.index.get(id) {
            Some(field @ Item { inner: ItemEnum::StructField(ty), .. }) => {
                Some(VariantField { name: field_name(field, position), ty: self.norm.ty(ty, &mut scope.clone(), &Elision::Fresh) })
            }
            _ => None,
        };
        let (shape, fields, rendered) = match &inner.kind {
            VariantKind::Plain => (StructShape::Unit, Vec::new(), String::new()),
            VariantKind::Tuple(ids) => {
                let fields: Vec<VariantField> = ids
                    .iter()
                    .enumerate()
                    .map(|(position, id)| {
                        id.as_ref()
                            .and_then(|id| field(position, id))
                            .unwrap_or(VariantField { name: position.to_string(), ty: Ty::Infer })
                    })
                    .collect();
                let shown: Vec<String> = fields.iter().map(|f| f.ty.to_string()).collect();
                let rendered = format!("({})", shown.join(", "));
                (StructShape::Tuple, fields, rendered)
            }
            VariantKind::Struct { fields: ids, has_stripped_fields } => {
                let fields: Vec<VariantField> = ids.iter().enumerate().filter_map(|(position, id)| field(position, id)).collect();
                let mut shown: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.name, f.ty)).collect();
                if *has_stripped_fields {
                    shown.push("..".to_string());
                }
                let rendered = format!(" {{ {} }}", shown.join(", "));
                let mut fields = fields;
                fields.sort();
                (StructShape::Plain, fields, rendered)
            }
        };
        let non_exhaustive = is_non_exhaustive(variant);
        let signature = format!("{}pub {path}{rendered}", non_exhaustive_attr(non_exhaustive));
        let hidden = hidden || is_doc_hidden(variant);
        let detail = Detail::Variant { shape, fields, non_exhaustive };
        self.push(ItemKind::Variant, path, path, signature, hidden, variant, detail);
    }

    fn union(&mut self, item: &Item, union: &rustdoc_types::Union, path: &str, hidden: bool, members_at: Option<&str>) {
        let mut private_fields = union.has_stripped_fields;
        let mut fields = Vec::new();
        for (position, field_id) in union.fields.iter().enumerate() {
            match self.krate.index.get(field_id) {
                Some(field) if field.visibility == Visibility::Public => fields.push((position, field)),
                _ => private_fields = true,
            }
        }
        let (scope, generics) = self.type_scope(path, &union.generics);
        let signature = format!("pub union {path}{}{}", declared(&generics, &[]), where_clause(&generics));
        let detail = Detail::Union { generics, private_fields };
        self.push(ItemKind::Union, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for (position, field) in fields {
            self.field(owner, position, field, hidden, &scope);
        }
        self.impls(owner, &union.impls, hidden);
    }

    fn impls(&mut self, owner: &str, impl_ids: &[Id], hidden: bool) {
        for impl_id in impl_ids {
            let Some(impl_item) = self.krate.index.get(impl_id) else { continue };
            let ItemEnum::Impl(imp) = &impl_item.inner else { continue };
            if imp.trait_.as_ref().is_some_and(|t| is_internal_trait(self.krate, t, imp.is_synthetic) || self.is_unnameable_local_trait(t)) {
                continue;
            }
            // An impl for a type of this crate that nobody outside can name or hold.
            if self.is_private_local_type(&imp.for_) {
                continue;
            }
            // A `#[doc(hidden)]` impl block hides everything in it.
            let hidden = hidden || is_doc_hidden(impl_item);
            if imp.trait_.is_none() {
                self.inherent_impl(owner, imp, hidden);
            } else {
                self.trait_impl(owner, impl_item, imp, hidden);
            }
        }
    }

    /// The scope of an impl block: its parameters named where they first appear (in the self
    /// type, then the trait), `Self` as the self type; with its normalized generics.
    fn impl_scope(&self, imp: &Impl) -> (Scope, Ty, Option<TyPath>, Generics) {
        let mut scope = Scope::default();
        self.norm.declare_impl_params(&imp.generics, &mut scope);
        let self_ty = self.norm.ty(&imp.for_, &mut scope, &Elision::Fresh);
        let trait_path = imp.trait_.as_ref().map(|t| self.norm.path(t, &mut scope, &Elision::Fresh));
        scope.self_ty = Some(self_ty.clone());
        // Lifetimes are not listed as parameters: `impl<'a> T for &'a X` and `impl T for &X`
        // are one impl; the listing declares the lifetimes the header uses.
        let mut generics = self.norm.generics(&imp.generics, &mut scope, false, false);
        // Named by appearance: list them in that order.
        generics.params.sort_by(|a, b| (a.name.len(), &a.name).cmp(&(b.name.len(), &b.name)));
        (scope, self_ty, trait_path, generics)
    }

    fn inherent_impl(&mut self, owner: &str, imp: &Impl, hidden: bool) {
        let (scope, self_ty, _, impl_generics) = self.impl_scope(imp);
        // An impl for one instantiation of a generic type (`impl W<String>`) is part of its
        // members' identity: the same method name on `W<Vec<u8>>` is another method.
        let specific = !is_own_params(&self_ty);
        for member_id in &imp.items {
            let Some(member) = self.krate.index.get(member_id) else { continue };
            if member.visibility != Visibility::Public {
                continue;
            }
            let Some(name) = &member.name else { continue };
            let path = format!("{owner}::{name}");
            let key_path = if specific { format!("{path} for {self_ty}") } else { path.clone() };
            let hidden = hidden || is_doc_hidden(member);
            match &member.inner {
                ItemEnum::Function(function) => {
                    let mut signature = self.function(function, &scope, Some(&impl_generics), None);
                    if let Detail::Function { impl_self, .. } = &mut signature.detail {
                        *impl_self = Some(self_ty.clone());
                    }
                    let mut line = fn_line(&path, &signature, false);
                    if specific {
                        line = format!("impl {self_ty} {{ {line} }}");
                    }
                    self.push(ItemKind::Method, &key_path, &path, line, hidden, member, signature.detail);
                }
                ItemEnum::AssocConst { type_, .. } => {
                    let ty = self.norm.ty(type_, &mut scope.clone(), &Elision::Static);
                    let signature = format!("pub const {path}: {ty}");
                    let detail = Detail::AssocConst { ty, has_default: true };
                    self.push(ItemKind::AssocConst, &key_path, &path, signature, hidden, member, detail);
                }
                _ => {}
            }
        }
    }

    /// A trait impl, listed under `owner` (the implementing type, or the trait for impls on
    /// foreign types).
    fn trait_impl(&mut self, owner: &str, impl_item: &Item, imp: &Impl, hidden: bool) {
        if imp.trait_.is_none() {
            return;
        }
        let (_, self_ty, Some(trait_path), generics) = self.impl_scope(imp) else { return };
        let negative = if imp.is_negative { "!" } else { "" };
        let is_unsafe = if imp.is_unsafe { "unsafe " } else { "" };
        let mut header_lifetimes = Vec::new();
        count_lifetimes(&self_ty, &mut header_lifetimes);
        count_lifetimes(&Ty::Path(trait_path.clone()), &mut header_lifetimes);
        header_lifetimes.retain(|l| l != "'static");
        header_lifetimes.sort();
        header_lifetimes.dedup();
        let signature = format!(
            "{is_unsafe}impl{} {negative}{trait_path} for {self_ty}{}",
            declared(&generics, &header_lifetimes),
            where_clause(&generics)
        );
        // The implementing type stands in the key without its arguments when they are just the
        // impl's own parameters (`Cache<K>` → `Cache`), so that adding a parameter to a type
        // does not turn each of its impls into a removal and an addition.
        let key_type = match &self_ty {
            Ty::Path(path) if is_own_params(&self_ty) => path.path.clone(),
            other => other.to_string(),
        };
        let key = format!("impl {trait_path} for {key_type}");
        let detail = Detail::Impl {
            trait_path,
            self_ty,
            generics,
            negative: imp.is_negative,
            is_unsafe: imp.is_unsafe,
            auto: imp.is_synthetic,
            blanket: imp.blanket_impl.is_some(),
        };
        self.items.push(ApiItem {
            key,
            kind: ItemKind::Impl,
            path: owner.to_string(),
            signature,
            hidden: hidden || is_doc_hidden(impl_item),
            alias_of: None,
            unnameable: false,
            span: span(impl_item),
            detail,
        });
    }

    /// Whether downstream crates cannot implement the trait `id`: it requires, directly or
    /// through a chain of supertraits, a trait of this crate they cannot name.
    fn is_sealed(&mut self, id: &Id) -> bool {
        if let Some(sealed) = self.sealed.get(id) {
            return *sealed;
        }
        // Provisionally open, against supertrait cycles.
        self.sealed.insert(*id, false);
        let Some(ItemEnum::Trait(trait_)) = self.krate.index.get(id).map(|item| &item.inner) else { return false };
        let sealed = Normalizer::supertrait_ids(trait_).iter().any(|super_id| {
            let local = self.krate.paths.get(super_id).is_none_or(|summary| summary.crate_id == 0);
            if !local {
                return false;
            }
            if !self.canonical.contains_key(super_id) {
                return true;
            }
            self.is_sealed(super_id)
        });
        self.sealed.insert(*id, sealed);
        sealed
    }

    fn trait_(&mut self, id: &Id, item: &Item, trait_: &rustdoc_types::Trait, path: &str, hidden: bool, members_at: Option<&str>) {
        let mut scope = Scope::default();
        self.norm.declare_item_params(&trait_.generics, &mut scope);
        let generics = self.norm.generics(&trait_.generics, &mut scope, true, true);
        let supertraits = self.norm.supertraits(trait_, &mut scope);
        let sealed = self.is_sealed(id);
        let bounds = if supertraits.is_empty() { String::new() } else { format!(": {}", JoinBounds(&supertraits)) };
        let signature = format!(
            "pub {}trait {path}{}{bounds}{}",
            if trait_.is_unsafe { "unsafe " } else { "" },
            declared(&generics, &[]),
            where_clause(&generics)
        );
        let detail = Detail::Trait {
            generics: generics.clone(),
            supertraits,
            is_unsafe: trait_.is_unsafe,
            sealed,
            dyn_compatible: trait_.is_dyn_compatible,
        };
        self.push(ItemKind::Trait, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for member_id in &trait_.items {
            let Some(member) = self.krate.index.get(member_id) else { continue };
            let Some(name) = &member.name else { continue };
            let member_path = format!("{owner}::{name}");
            let hidden = hidden || is_doc_hidden(member);
            match &member.inner {
                ItemEnum::Function(function) => {
                    let signature = self.function(function, &scope, Some(&generics), Some(function.has_body));
                    let line = fn_line(&member_path, &signature, function.has_body);
                    self.push(ItemKind::TraitMethod, &member_path, &member_path, line, hidden, member, signature.detail);
                }
                ItemEnum::AssocType { bounds, type_, .. } => {
                    let mut member_scope = scope.clone();
                    let bounds = self.norm.bounds(bounds, &mut member_scope, &Elision::Fresh);
                    let default = type_.as_ref().map(|t| self.norm.ty(t, &mut member_scope, &Elision::Fresh));
                    let mut signature = format!("pub type {member_path}");
                    if !bounds.is_empty() {
                        signature.push_str(&format!(": {}", JoinBounds(&bounds)));
                    }
                    if let Some(default) = &default {
                        signature.push_str(&format!(" = {default}"));
                    }
                    let detail = Detail::AssocType { bounds, default };
                    self.push(ItemKind::AssocType, &member_path, &member_path, signature, hidden, member, detail);
                }
                ItemEnum::AssocConst { type_, value, .. } => {
                    let ty = self.norm.ty(type_, &mut scope.clone(), &Elision::Static);
                    let default = if value.is_some() { " = .." } else { "" };
                    let signature = format!("pub const {member_path}: {ty}{default}");
                    let detail = Detail::AssocConst { ty, has_default: value.is_some() };
                    self.push(ItemKind::AssocConst, &member_path, &member_path, signature, hidden, member, detail);
                }
                _ => {}
            }
        }
        // Impls of this trait for types that are not ours (or for every `T`): they are part of
        // the trait's API. Impls for our own public types are listed with those types.
        for impl_id in &trait_.implementations {
            let Some(impl_item) = self.krate.index.get(impl_id) else { continue };
            let ItemEnum::Impl(imp) = &impl_item.inner else { continue };
            if imp.blanket_impl.is_some() || self.is_public_local_type(&imp.for_) || self.is_private_local_type(&imp.for_) {
                continue;
            }
            let hidden = hidden || is_doc_hidden(impl_item);
            self.trait_impl(owner, impl_item, imp, hidden);
        }
    }

    /// Impls of another crate's trait for another crate's type that name one of this crate's
    /// public types in the trait's arguments (`impl From<my::Duration> for std::time::Duration`):
    /// they are API of that type (`std::time::Duration::from(d)`, `d.into()`), listed with it.
    fn impls_of_foreign_traits_for_foreign_types(&mut self) {
        let mut found: Vec<(&Id, &Item, &Impl, String)> = Vec::new();
        for (id, item) in &self.krate.index {
            let ItemEnum::Impl(imp) = &item.inner else { continue };
            let Some(trait_) = &imp.trait_ else { continue };
            if imp.is_synthetic || imp.blanket_impl.is_some() || self.krate.index.get(&trait_.id).is_some_and(|t| t.crate_id == 0) {
                continue;
            }
            let local_self = match &imp.for_ {
                Type::ResolvedPath(path) => self.krate.index.get(&path.id).is_some_and(|t| t.crate_id == 0),
                _ => false,
            };
            if local_self {
                continue;
            }
            let mut mentioned = Vec::new();
            type_ids(&Type::ResolvedPath(trait_.clone()), &mut mentioned);
            let owner = mentioned.iter().skip(1).find_map(|id| self.canonical.get(id).cloned());
            if let Some(owner) = owner {
                found.push((id, item, imp, owner));
            }
        }
        found.sort_by_key(|(id, ..)| id.0);
        for (_, item, imp, owner) in found {
            let hidden = is_doc_hidden(item);
            self.trait_impl(&owner, item, imp, hidden);
        }
    }

    /// A trait of this crate that no other crate can name (a seal): its impls are nothing
    /// users can rely on.
    fn is_unnameable_local_trait(&self, trait_: &rustdoc_types::Path) -> bool {
        !self.canonical.contains_key(&trait_.id) && self.krate.index.get(&trait_.id).is_some_and(|item| item.crate_id == 0)
    }

    fn is_public_local_type(&self, ty: &Type) -> bool {
        matches!(ty, Type::ResolvedPath(path) if self.canonical.contains_key(&path.id))
    }

    fn is_private_local_type(&self, ty: &Type) -> bool {
        matches!(ty, Type::ResolvedPath(path)
            if !self.canonical.contains_key(&path.id)
                && self.krate.index.get(&path.id).is_some_and(|item| item.crate_id == 0))
    }
}

/// The types a user of the item meets: parameters and return types of functions and of public
/// methods, types of public fields and variants, of consts, statics and aliases.
fn signature_types<'k>(krate: &'k Crate, item: &'k Item) -> Vec<&'k Type> {
    fn function_types(function: &Function) -> Vec<&Type> {
        function.sig.inputs.iter().map(|(_, ty)| ty).chain(function.sig.output.as_ref()).collect()
    }
    fn field_types<'k>(krate: &'k Crate, ids: impl Iterator<Item = &'k Id>, public_only: bool) -> Vec<&'k Type> {
        ids.filter_map(|id| krate.index.get(id))
            .filter(|field| !public_only || field.visibility == Visibility::Public)
            .filter_map(|field| match &field.inner {
                ItemEnum::StructField(ty) => Some(ty),
                _ => None,
            })
            .collect()
    }
    fn public_methods<'k>(krate: &'k Crate, impls: &'k [Id]) -> Vec<&'k Type> {
        impls
            .iter()
            .filter_map(|id| match krate.index.get(id).map(|i| &i.inner) {
                Some(ItemEnum::Impl(imp)) if imp.trait_.is_none() => Some(imp),
                _ => None,
            })
            .flat_map(|imp| imp.items.iter())
            .filter_map(|id| krate.index.get(id))
            .filter(|member| member.visibility == Visibility::Public)
            .flat_map(|member| match &member.inner {
                ItemEnum::Function(function) => function_types(function),
                _ => Vec::new(),
            })
            .collect()
    }
    match &item.inner {
        ItemEnum::Function(function) => function_types(function),
        ItemEnum::Constant { type_, .. } => vec![type_],
        ItemEnum::Static(statik) => vec![&statik.type_],
        ItemEnum::TypeAlias(alias) => vec![&alias.type_],
        ItemEnum::Struct(structure) => {
            let mut types = match &structure.kind {
                StructKind::Tuple(fields) => field_types(krate, fields.iter().flatten(), true),
                StructKind::Plain { fields, .. } => field_types(krate, fields.iter(), true),
                StructKind::Unit => Vec::new(),
            };
            types.extend(public_methods(krate, &structure.impls));
            types
        }
        ItemEnum::Enum(enumeration) => {
            let mut types = Vec::new();
            for variant in enumeration.variants.iter().filter_map(|id| krate.index.get(id)) {
                match &variant.inner {
                    ItemEnum::Variant(rustdoc_types::Variant { kind: VariantKind::Tuple(ids), .. }) => {
                        types.extend(field_types(krate, ids.iter().flatten(), false));
                    }
                    ItemEnum::Variant(rustdoc_types::Variant { kind: VariantKind::Struct { fields, .. }, .. }) => {
                        types.extend(field_types(krate, fields.iter(), false));
                    }
                    _ => {}
                }
            }
            types.extend(public_methods(krate, &enumeration.impls));
            types
        }
        ItemEnum::Union(union) => public_methods(krate, &union.impls),
        ItemEnum::Trait(trait_) => trait_
            .items
            .iter()
            .filter_map(|id| krate.index.get(id))
            .flat_map(|member| match &member.inner {
                ItemEnum::Function(function) => function_types(function),
                _ => Vec::new(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The ids of the named types a type mentions, generic arguments included.
fn type_ids(ty: &Type, out: &mut Vec<Id>) {
    let path_ids = |path: &rustdoc_types::Path, out: &mut Vec<Id>| {
        out.push(path.id);
        if let Some(rustdoc_types::GenericArgs::AngleBracketed { args, .. }) = path.args.as_deref() {
            for arg in args {
                if let rustdoc_types::GenericArg::Type(ty) = arg {
                    type_ids(ty, out);
                }
            }
        }
    };
    match ty {
        Type::ResolvedPath(path) => path_ids(path, out),
        Type::DynTrait(dyn_trait) => dyn_trait.traits.iter().for_each(|poly| path_ids(&poly.trait_, out)),
        Type::ImplTrait(bounds) => {
            for bound in bounds {
                if let rustdoc_types::GenericBound::TraitBound { trait_, .. } = bound {
                    path_ids(trait_, out);
                }
            }
        }
        Type::Tuple(types) => types.iter().for_each(|t| type_ids(t, out)),
        Type::Slice(inner) | Type::Array { type_: inner, .. } | Type::Pat { type_: inner, .. } => type_ids(inner, out),
        Type::RawPointer { type_, .. } | Type::BorrowedRef { type_, .. } => type_ids(type_, out),
        Type::QualifiedPath { self_type, .. } => type_ids(self_type, out),
        Type::FunctionPointer(_) | Type::Generic(_) | Type::Primitive(_) | Type::Infer => {}
    }
}

/// Whether a self type is a type applied to nothing but parameters (`Cache<K>`, `W<'a, T>`):
/// an impl for every instantiation.
fn is_own_params(ty: &Ty) -> bool {
    match ty {
        Ty::Path(path) => match path.args.as_deref() {
            None => true,
            Some(GenericArgs::Angle { args, constraints }) => {
                constraints.is_empty()
                    && args.iter().all(|arg| matches!(arg, GenericArg::Lifetime(_) | GenericArg::Type(Ty::Param(_))))
            }
            Some(_) => false,
        },
        _ => false,
    }
}

fn field_name(field: &Item, position: usize) -> String {
    match &field.name {
        Some(name) if !name.chars().all(|c| c.is_ascii_digit()) => name.clone(),
        _ => position.to_string(),
    }
}

/// `pub fn path<..>(..) -> T where ..` (with ` { .. }` for a trait method with a default body).
fn fn_line(path: &str, signature: &Signature, has_body: bool) -> String {
    let Detail::Function { qualifiers: q, .. } = &signature.detail else { return String::new() };
    format!(
        "pub {}fn {path}{}({}){}{}{}",
        qualifier_prefix(q),
        signature.declared,
        signature.parameters.join(", "),
        Output(&signature.output),
        signature.where_clause,
        if has_body { " { .. }" } else { "" },
    )
}

/// `<'a, T = u8, const N: usize>`, or nothing.
fn declared(generics: &Generics, extra_lifetimes: &[String]) -> String {
    let params: Vec<String> =
        extra_lifetimes.iter().cloned().chain(generics.params.iter().map(|p| p.to_string())).collect();
    if params.is_empty() { String::new() } else { format!("<{}>", params.join(", ")) }
}

/// ` where T: Clone, ...`, or nothing.
fn where_clause(generics: &Generics) -> String {
    if generics.predicates.is_empty() {
        return String::new();
    }
    // Bounds on one subject stand together (`T: Clone + Debug`), in the predicates' order.
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for predicate in &generics.predicates {
        let (subject, bound) = match predicate {
            Predicate::Bound { binder, ty, bound } => {
                let binder = if binder.is_empty() { String::new() } else { format!("for<{}> ", binder.join(", ")) };
                (format!("{binder}{ty}"), bound.to_string())
            }
            other => (other.to_string(), String::new()),
        };
        match grouped.iter_mut().find(|(s, bounds)| *s == subject && !bounds.is_empty() && !bound.is_empty()) {
            Some((_, bounds)) => bounds.push(bound),
            None => grouped.push((subject, if bound.is_empty() { Vec::new() } else { vec![bound] })),
        }
    }
    let predicates: Vec<String> = grouped
        .into_iter()
        .map(|(subject, bounds)| if bounds.is_empty() { subject } else { format!("{subject}: {}", bounds.join(" + ")) })
        .collect();
    format!(" where {}", predicates.join(", "))
}

/// `self`, `&self`, `&mut self` or `self: T`.
fn receiver(ty: &Ty, self_ty: &Ty) -> String {
    match ty {
        ty if ty == self_ty => "self".to_string(),
        Ty::Ref { lifetime, mutable, inner } if **inner == *self_ty => {
            let lifetime = if lifetime == "'_" { String::new() } else { format!("{lifetime} ") };
            format!("&{lifetime}{}self", if *mutable { "mut " } else { "" })
        }
        other => format!("self: {other}"),
    }
}

/// The function's own lifetimes that the listing can leave out, as elision would give them
/// back: used once in the inputs, not in any bound, and in the output only where elision
/// resolves to them.
fn elidable_lifetimes(own: &[String], inputs: &[Ty], output: &Ty, generics: &Generics, target: Option<&str>) -> HashSet<String> {
    let mut in_inputs = Vec::new();
    inputs.iter().for_each(|t| count_lifetimes(t, &mut in_inputs));
    let mut in_output = Vec::new();
    count_lifetimes(output, &mut in_output);
    let in_bounds = generics.predicates.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(" ");
    own.iter()
        .filter(|lifetime| {
            let uses = in_inputs.iter().filter(|l| l == lifetime).count();
            let in_out = in_output.iter().any(|l| l == *lifetime);
            uses == 1 && !mentions_lifetime(&in_bounds, lifetime) && (!in_out || target == Some(lifetime.as_str()))
        })
        .cloned()
        .collect()
}

fn mentions_lifetime(text: &str, lifetime: &str) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '_')).any(|word| word == lifetime)
}

/// Every lifetime written in a type (references, arguments, object lifetimes), in order.
fn count_lifetimes(ty: &Ty, out: &mut Vec<String>) {
    let mut copy = ty.clone();
    visit_lifetimes(&mut copy, &mut |lifetime| out.push(lifetime.clone()));
}

/// The type as the listing shows it: `elided` lifetimes written `'_` (and `&T` for references).
fn elide(ty: &Ty, elided: &HashSet<String>) -> Ty {
    let mut copy = ty.clone();
    visit_lifetimes(&mut copy, &mut |lifetime| {
        if elided.contains(lifetime.as_str()) {
            *lifetime = "'_".to_string();
        }
    });
    copy
}

fn visit_lifetimes(ty: &mut Ty, f: &mut dyn FnMut(&mut String)) {
    match ty {
        Ty::Ref { lifetime, inner, .. } => {
            f(lifetime);
            visit_lifetimes(inner, f);
        }
        Ty::Path(path) => visit_path_lifetimes(path, f),
        Ty::Ptr { inner, .. } | Ty::Slice(inner) | Ty::Array { inner, .. } => visit_lifetimes(inner, f),
        Ty::Tuple(elements) => elements.iter_mut().for_each(|t| visit_lifetimes(t, f)),
        Ty::Dyn { bounds, lifetime } => {
            bounds.iter_mut().for_each(|b| visit_bound_lifetimes(b, f));
            f(lifetime);
        }
        Ty::Impl(bounds) => bounds.iter_mut().for_each(|b| visit_bound_lifetimes(b, f)),
        Ty::Assoc { self_ty, trait_, .. } => {
            visit_lifetimes(self_ty, f);
            if let Some(trait_) = trait_ {
                visit_path_lifetimes(trait_, f);
            }
        }
        Ty::FnPtr(_) | Ty::Param(_) | Ty::Primitive(_) | Ty::Infer => {}
    }
}

fn visit_path_lifetimes(path: &mut TyPath, f: &mut dyn FnMut(&mut String)) {
    if let Some(args) = path.args.as_deref_mut()
        && let GenericArgs::Angle { args, .. } = args
    {
        for arg in args {
            match arg {
                GenericArg::Lifetime(lifetime) => f(lifetime),
                GenericArg::Type(ty) => visit_lifetimes(ty, f),
                _ => {}
            }
        }
    }
}

fn visit_bound_lifetimes(bound: &mut super::ty::Bound, f: &mut dyn FnMut(&mut String)) {
    match bound {
        super::ty::Bound::Trait { trait_, .. } => visit_path_lifetimes(trait_, f),
        super::ty::Bound::Outlives(lifetime) => f(lifetime),
        super::ty::Bound::Use(_) => {}
    }
}

/// Traits of the standard library that stable Rust cannot name, whose impls rustdoc lists anyway:
/// synthesised auto traits other than the five stable ones (`Freeze`, `UnsafeUnpin`...) and
/// marker traits that derives implement (`StructuralPartialEq`, `TrivialClone`). Their set
/// changes between toolchains, so keeping them would make models toolchain-dependent.
fn is_internal_trait(krate: &Crate, trait_: &rustdoc_types::Path, synthetic: bool) -> bool {
    let Some(summary) = krate.paths.get(&trait_.id) else { return false };
    let name = summary.path.last().map(String::as_str).unwrap_or_default();
    let from_std = matches!(summary.path.first().map(String::as_str), Some("core" | "alloc" | "std"));
    if synthetic {
        return !matches!(name, "Send" | "Sync" | "Unpin" | "UnwindSafe" | "RefUnwindSafe");
    }
    from_std && matches!(name, "StructuralPartialEq" | "StructuralEq" | "TrivialClone")
}

fn span(item: &Item) -> Option<Span> {
    item.span.as_ref().map(|span| Span {
        file: span.filename.to_string_lossy().replace('\\', "/"),
        line: u32::try_from(span.begin.0).unwrap_or(u32::MAX),
    })
}

fn is_doc_hidden(item: &Item) -> bool {
    item.attrs.iter().any(|attr| match attr {
        Attribute::Other(text) => {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains("doc(hidden)")
        }
        _ => false,
    })
}

fn is_non_exhaustive(item: &Item) -> bool {
    item.attrs.iter().any(|attr| matches!(attr, Attribute::NonExhaustive))
}

fn hidden_attr(hidden: bool) -> &'static str {
    if hidden { "#[doc(hidden)] " } else { "" }
}

fn non_exhaustive_attr(non_exhaustive: bool) -> &'static str {
    if non_exhaustive { "#[non_exhaustive] " } else { "" }
}
