//! Builds an [`ApiModel`] from rustdoc JSON: finds every public path of every reachable item,
//! then emits each item once per path, with its members under its canonical path.

use std::collections::{BTreeSet, HashMap};

use rustdoc_types::{
    Attribute, Crate, Function, GenericBound, Id, Impl, Item, ItemEnum, MacroKind as RustdocMacroKind,
    StructKind, Type, VariantKind, Visibility,
};

use super::render::{Renderer, qualifier_prefix, qualifiers};
use super::{ApiItem, ApiModel, Detail, ItemKind, MODEL_SCHEMA, MacroKind, Span, StructShape};

pub(super) fn build(krate: &Crate) -> ApiModel {
    let crate_name = krate
        .index
        .get(&krate.root)
        .and_then(|root| root.name.clone())
        .unwrap_or_else(|| "crate".to_string());

    let mut reach = Reach { krate, paths: HashMap::new(), extern_reexports: Vec::new(), stack: Vec::new() };
    reach.visit(&krate.root, crate_name.clone(), false);

    let canonical: HashMap<Id, String> = reach
        .paths
        .iter()
        .filter_map(|(id, paths)| {
            // Prefer a path that is not hidden, then the shortest, then the first in order.
            let best = paths.iter().min_by_key(|(path, hidden)| {
                (*hidden, path.matches("::").count(), path.as_str())
            })?;
            Some((*id, best.0.clone()))
        })
        .collect();

    let mut emitter = Emitter {
        krate,
        render: Renderer::new(krate, &canonical),
        canonical: &canonical,
        items: Vec::new(),
    };
    let mut entries: Vec<(&Id, &String, bool)> = reach
        .paths
        .iter()
        .flat_map(|(id, paths)| paths.iter().map(move |(path, hidden)| (id, path, *hidden)))
        .collect();
    entries.sort_by(|a, b| a.1.cmp(b.1));
    for (id, path, hidden) in entries {
        emitter.item(id, path, hidden);
    }
    for reexport in &reach.extern_reexports {
        if let Some(crate_id) = reexport.crate_id {
            emitter.render.note_crate(crate_id);
        }
        emitter.items.push(ApiItem {
            key: format!("reexport {}", reexport.path),
            kind: ItemKind::ExternReexport,
            path: reexport.path.clone(),
            signature: format!("{}pub use {} = {}", hidden_attr(reexport.hidden), reexport.path, reexport.target),
            hidden: reexport.hidden,
            alias_of: None,
            span: reexport.span.clone(),
            detail: Detail::ExternReexport { target: reexport.target.clone() },
        });
    }

    let public_dependencies = Some(emitter.render.external_crates());
    let mut items = emitter.items;
    items.sort_by(|a, b| a.key.cmp(&b.key));
    // Two entries can claim one key only when a glob import is shadowed by an explicit item;
    // the explicit one comes first in path order and is the one Rust resolves.
    items.dedup_by(|later, earlier| later.key == earlier.key);

    ApiModel {
        apicheck_model: MODEL_SCHEMA,
        crate_name,
        crate_version: krate.crate_version.clone(),
        rustdoc_format: krate.format_version,
        public_dependencies,
        items,
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

/// Pass one: which public paths reach which items.
struct Reach<'a> {
    krate: &'a Crate,
    /// Every public path of every reachable local item, and whether that path is hidden.
    paths: HashMap<Id, BTreeSet<(String, bool)>>,
    extern_reexports: Vec<ExternReexport>,
    /// Modules being walked, to stop at re-export cycles (`pub use crate as alias`).
    stack: Vec<Id>,
}

impl Reach<'_> {
    fn visit(&mut self, id: &Id, path: String, hidden: bool) {
        let Some(item) = self.krate.index.get(id) else { return };
        let hidden = hidden || is_doc_hidden(item);
        self.paths.entry(*id).or_default().insert((path.clone(), hidden));
        if matches!(item.inner, ItemEnum::Module(_)) {
            self.module_items(id, &path, hidden);
        }
    }

    /// Walks the public items of module `id` as if they were declared at `prefix`.
    fn module_items(&mut self, id: &Id, prefix: &str, hidden: bool) {
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
                ItemEnum::Use(import) => self.import(child, import, prefix, child_hidden),
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
                        self.visit(child_id, format!("{prefix}::{name}"), child_hidden);
                    }
                }
            }
        }
        self.stack.pop();
    }

    fn import(&mut self, item: &Item, import: &rustdoc_types::Use, prefix: &str, hidden: bool) {
        let target = import.id.as_ref().and_then(|id| self.krate.index.get(id).map(|t| (id, t)));
        match (import.is_glob, target) {
            (true, Some((id, target))) => match &target.inner {
                ItemEnum::Module(_) => self.module_items(id, prefix, hidden || is_doc_hidden(target)),
                ItemEnum::Enum(enumeration) => {
                    for variant_id in &enumeration.variants {
                        if let Some(name) = self.krate.index.get(variant_id).and_then(|v| v.name.as_ref()) {
                            self.visit(variant_id, format!("{prefix}::{name}"), hidden);
                        }
                    }
                }
                _ => {}
            },
            (false, Some((id, _))) => self.visit(id, format!("{prefix}::{}", import.name), hidden),
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
    render: Renderer<'a>,
    canonical: &'a HashMap<Id, String>,
    items: Vec<ApiItem>,
}

impl Emitter<'_> {
    fn push(&mut self, kind: ItemKind, key_path: &str, path: &str, signature: String, hidden: bool, item: &Item, detail: Detail) {
        self.items.push(ApiItem {
            key: format!("{} {key_path}", kind.id_part()),
            kind,
            path: path.to_string(),
            signature: format!("{}{signature}", hidden_attr(hidden)),
            hidden,
            alias_of: None,
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
                let (signature, detail) = self.function(path, function, &[], None);
                self.push(ItemKind::Function, path, path, signature, hidden, item, detail);
            }
            ItemEnum::Struct(structure) => self.structure(item, structure, path, hidden, members_at),
            ItemEnum::Enum(enumeration) => self.enumeration(item, enumeration, path, hidden, members_at),
            ItemEnum::Union(union) => self.union(item, union, path, hidden, members_at),
            ItemEnum::Trait(trait_) => self.trait_(item, trait_, path, hidden, members_at),
            ItemEnum::Variant(_) => {
                // Reached through `pub use Enum::*`: the variant is emitted with its enum; this
                // path is an alias of it.
                self.variant(item, path, hidden);
            }
            ItemEnum::Constant { type_, .. } => {
                let ty = self.render.ty(type_);
                self.push(ItemKind::Const, path, path, format!("pub const {path}: {ty}"), hidden, item, Detail::Const { ty });
            }
            ItemEnum::Static(statik) => {
                let ty = self.render.ty(&statik.type_);
                let mutable = if statik.is_mutable { "mut " } else { "" };
                let signature = format!("pub static {mutable}{path}: {ty}");
                let detail = Detail::Static { ty, mutable: statik.is_mutable, is_unsafe: statik.is_unsafe };
                self.push(ItemKind::Static, path, path, signature, hidden, item, detail);
            }
            ItemEnum::TypeAlias(alias) => {
                let target = self.render.ty(&alias.type_);
                let signature = format!(
                    "pub type {path}{} = {target}{}",
                    self.render.params_decl(&alias.generics),
                    self.render.where_clause(&alias.generics)
                );
                let detail = Detail::TypeAlias { generics: self.render.generics(&[&alias.generics]), target };
                self.push(ItemKind::TypeAlias, path, path, signature, hidden, item, detail);
            }
            ItemEnum::Macro(_) => {
                let detail = Detail::Macro { macro_kind: MacroKind::Declarative, helpers: Vec::new() };
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
                let detail = Detail::Macro { macro_kind, helpers: proc_macro.helpers.clone() };
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

    fn function(
        &self,
        path: &str,
        function: &Function,
        outer: &[&rustdoc_types::Generics],
        has_default: Option<bool>,
    ) -> (String, Detail) {
        let qualifiers = qualifiers(&function.header);
        let inputs: Vec<(String, String)> = function
            .sig
            .inputs
            .iter()
            .map(|(name, ty)| (name.clone(), self.parameter(name, ty)))
            .collect();
        let mut parameters: Vec<String> = inputs
            .iter()
            .map(|(name, ty)| if name == "self" { ty.clone() } else { format!("{name}: {ty}") })
            .collect();
        if function.sig.is_c_variadic {
            parameters.push("...".to_string());
        }
        let body = if has_default == Some(true) { " { .. }" } else { "" };
        let signature = format!(
            "pub {}fn {path}{}({}){}{}{body}",
            qualifier_prefix(&qualifiers),
            self.render.params_decl(&function.generics),
            parameters.join(", "),
            self.render.output(function.sig.output.as_ref()),
            self.render.where_clause(&function.generics),
        );
        let mut scopes = outer.to_vec();
        scopes.push(&function.generics);
        let detail = Detail::Function {
            qualifiers,
            generics: self.render.generics(&scopes),
            inputs: inputs.into_iter().map(|(_, ty)| ty).collect(),
            output: function.sig.output.as_ref().map(|t| self.render.ty(t)).unwrap_or_else(|| "()".to_string()),
            variadic: function.sig.is_c_variadic,
            has_default,
        };
        (signature, detail)
    }

    /// A parameter's type; a receiver as it is written (`&self`, `self: Box<Self>`).
    fn parameter(&self, name: &str, ty: &Type) -> String {
        if name == "self" {
            match ty {
                Type::Generic(g) if g == "Self" => return "self".to_string(),
                Type::BorrowedRef { lifetime, is_mutable, type_ } if matches!(&**type_, Type::Generic(g) if g == "Self") => {
                    let lifetime = lifetime.as_ref().map(|l| format!("{l} ")).unwrap_or_default();
                    let mutable = if *is_mutable { "mut " } else { "" };
                    return format!("&{lifetime}{mutable}self");
                }
                _ => return format!("self: {}", self.render.ty(ty)),
            }
        }
        self.render.ty(ty)
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
        let signature = format!(
            "{}pub struct {path}{}{}",
            non_exhaustive_attr(non_exhaustive),
            self.render.params_decl(&structure.generics),
            self.render.where_clause(&structure.generics)
        );
        let detail = Detail::Struct {
            shape,
            generics: self.render.generics(&[&structure.generics]),
            private_fields,
            non_exhaustive,
        };
        self.push(ItemKind::Struct, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for (position, field) in fields {
            self.field(owner, position, field, hidden);
        }
        self.impls(owner, &structure.impls, hidden);
    }

    fn field(&mut self, owner: &str, position: usize, field: &Item, hidden: bool) {
        let ItemEnum::StructField(ty) = &field.inner else { return };
        let name = match &field.name {
            Some(name) if !name.chars().all(|c| c.is_ascii_digit()) => name.clone(),
            _ => position.to_string(),
        };
        let path = format!("{owner}::{name}");
        let ty = self.render.ty(ty);
        let hidden = hidden || is_doc_hidden(field);
        self.push(ItemKind::Field, &path, &path, format!("pub {path}: {ty}"), hidden, field, Detail::Field { ty });
    }

    fn enumeration(&mut self, item: &Item, enumeration: &rustdoc_types::Enum, path: &str, hidden: bool, members_at: Option<&str>) {
        let non_exhaustive = is_non_exhaustive(item);
        let signature = format!(
            "{}pub enum {path}{}{}",
            non_exhaustive_attr(non_exhaustive),
            self.render.params_decl(&enumeration.generics),
            self.render.where_clause(&enumeration.generics)
        );
        let detail = Detail::Enum { generics: self.render.generics(&[&enumeration.generics]), non_exhaustive };
        self.push(ItemKind::Enum, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for variant_id in &enumeration.variants {
            if let Some(variant) = self.krate.index.get(variant_id) {
                let name = variant.name.clone().unwrap_or_default();
                self.variant(variant, &format!("{owner}::{name}"), hidden);
            }
        }
        self.impls(owner, &enumeration.impls, hidden);
    }

    fn variant(&mut self, variant: &Item, path: &str, hidden: bool) {
        let ItemEnum::Variant(inner) = &variant.inner else { return };
        let field_type = |id: &Id| match self.krate.index.get(id).map(|f| (&f.name, &f.inner)) {
            Some((name, ItemEnum::StructField(ty))) => Some((name.clone(), self.render.ty(ty))),
            _ => None,
        };
        let (shape, fields, rendered) = match &inner.kind {
            VariantKind::Plain => (StructShape::Unit, Vec::new(), String::new()),
            VariantKind::Tuple(ids) => {
                let fields: Vec<String> = ids
                    .iter()
                    .map(|id| id.as_ref().and_then(field_type).map(|(_, ty)| ty).unwrap_or_else(|| "_".to_string()))
                    .collect();
                let rendered = format!("({})", fields.join(", "));
                (StructShape::Tuple, fields, rendered)
            }
            VariantKind::Struct { fields: ids, has_stripped_fields } => {
                let mut fields: Vec<String> = ids
                    .iter()
                    .filter_map(field_type)
                    .map(|(name, ty)| format!("{}: {ty}", name.unwrap_or_default()))
                    .collect();
                let mut shown = fields.clone();
                if *has_stripped_fields {
                    shown.push("..".to_string());
                }
                let rendered = format!(" {{ {} }}", shown.join(", "));
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
        let signature = format!(
            "pub union {path}{}{}",
            self.render.params_decl(&union.generics),
            self.render.where_clause(&union.generics)
        );
        let detail = Detail::Union { generics: self.render.generics(&[&union.generics]), private_fields };
        self.push(ItemKind::Union, path, path, signature, hidden, item, detail);
        let Some(owner) = members_at else { return };
        for (position, field) in fields {
            self.field(owner, position, field, hidden);
        }
        self.impls(owner, &union.impls, hidden);
    }

    fn impls(&mut self, owner: &str, impl_ids: &[Id], hidden: bool) {
        for impl_id in impl_ids {
            let Some(impl_item) = self.krate.index.get(impl_id) else { continue };
            let ItemEnum::Impl(imp) = &impl_item.inner else { continue };
            if imp.trait_.as_ref().is_some_and(|t| is_internal_trait(self.krate, t, imp.is_synthetic)) {
                continue;
            }
            if imp.trait_.is_none() {
                self.inherent_impl(owner, imp, hidden);
            } else {
                self.trait_impl(owner, impl_item, imp, hidden);
            }
        }
    }

    fn inherent_impl(&mut self, owner: &str, imp: &Impl, hidden: bool) {
        for member_id in &imp.items {
            let Some(member) = self.krate.index.get(member_id) else { continue };
            if member.visibility != Visibility::Public {
                continue;
            }
            let Some(name) = &member.name else { continue };
            let path = format!("{owner}::{name}");
            let hidden = hidden || is_doc_hidden(member);
            match &member.inner {
                ItemEnum::Function(function) => {
                    let (signature, detail) = self.function(&path, function, &[&imp.generics], None);
                    self.push(ItemKind::Method, &path, &path, signature, hidden, member, detail);
                }
                ItemEnum::AssocConst { type_, .. } => {
                    let ty = self.render.ty(type_);
                    let detail = Detail::AssocConst { ty: ty.clone(), has_default: true };
                    self.push(ItemKind::AssocConst, &path, &path, format!("pub const {path}: {ty}"), hidden, member, detail);
                }
                _ => {}
            }
        }
    }

    /// A trait impl, listed under `owner` (the implementing type, or the trait for impls on
    /// foreign types).
    fn trait_impl(&mut self, owner: &str, impl_item: &Item, imp: &Impl, hidden: bool) {
        let Some(trait_) = &imp.trait_ else { return };
        let trait_path = self.render.path(trait_);
        let for_type = self.render.ty(&imp.for_);
        let negative = if imp.is_negative { "!" } else { "" };
        let is_unsafe = if imp.is_unsafe { "unsafe " } else { "" };
        let signature = format!(
            "{is_unsafe}impl{} {negative}{trait_path} for {for_type}{}",
            self.render.params_decl(&imp.generics),
            self.render.where_clause(&imp.generics)
        );
        let key = format!("impl {trait_path} for {}", self.impl_key_type(&imp.for_, &imp.generics));
        let detail = Detail::Impl {
            trait_path,
            generics: self.render.generics(&[&imp.generics]),
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
            span: span(impl_item),
            detail,
        });
    }

    fn trait_(&mut self, item: &Item, trait_: &rustdoc_types::Trait, path: &str, hidden: bool, members_at: Option<&str>) {
        let mut supertraits: Vec<String> = trait_.bounds.iter().map(|b| self.render.bound(b)).collect();
        supertraits.sort();
        let sealed = trait_.bounds.iter().any(|bound| match bound {
            GenericBound::TraitBound { trait_, .. } => {
                !self.canonical.contains_key(&trait_.id)
                    && self.krate.paths.get(&trait_.id).is_none_or(|summary| summary.crate_id == 0)
            }
            _ => false,
        });
        let bounds = if trait_.bounds.is_empty() { String::new() } else { format!(": {}", self.render.bounds(&trait_.bounds)) };
        let signature = format!(
            "pub {}trait {path}{}{bounds}{}",
            if trait_.is_unsafe { "unsafe " } else { "" },
            self.render.params_decl(&trait_.generics),
            self.render.where_clause(&trait_.generics)
        );
        let detail = Detail::Trait {
            generics: self.render.generics(&[&trait_.generics]),
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
                    let (signature, detail) = self.function(&member_path, function, &[], Some(function.has_body));
                    self.push(ItemKind::TraitMethod, &member_path, &member_path, signature, hidden, member, detail);
                }
                ItemEnum::AssocType { bounds, type_, .. } => {
                    let mut rendered_bounds: Vec<String> = bounds.iter().map(|b| self.render.bound(b)).collect();
                    rendered_bounds.sort();
                    let default = type_.as_ref().map(|t| self.render.ty(t));
                    let mut signature = format!("pub type {member_path}");
                    if !bounds.is_empty() {
                        signature.push_str(&format!(": {}", self.render.bounds(bounds)));
                    }
                    if let Some(default) = &default {
                        signature.push_str(&format!(" = {default}"));
                    }
                    let detail = Detail::AssocType { bounds: rendered_bounds, default };
                    self.push(ItemKind::AssocType, &member_path, &member_path, signature, hidden, member, detail);
                }
                ItemEnum::AssocConst { type_, value, .. } => {
                    let ty = self.render.ty(type_);
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
            if imp.blanket_impl.is_some() || self.is_public_local_type(&imp.for_) {
                continue;
            }
            if self.is_private_local_type(&imp.for_) {
                continue;
            }
            self.trait_impl(owner, impl_item, imp, hidden);
        }
    }

    /// The implementing type as it stands in an impl's key: without its generic arguments when
    /// they are just the impl's own parameters (`Cache<K>` → `Cache`), so that adding a
    /// parameter to a type does not turn each of its impls into a removal and an addition.
    fn impl_key_type(&self, for_: &Type, generics: &rustdoc_types::Generics) -> String {
        if let Type::ResolvedPath(path) = for_ {
            let only_params = match path.args.as_deref() {
                None => true,
                Some(rustdoc_types::GenericArgs::AngleBracketed { args, constraints }) => {
                    constraints.is_empty()
                        && args.iter().all(|arg| match arg {
                            rustdoc_types::GenericArg::Lifetime(_) => true,
                            rustdoc_types::GenericArg::Type(Type::Generic(name)) => generics.params.iter().any(|p| &p.name == name),
                            _ => false,
                        })
                }
                Some(_) => false,
            };
            if only_params {
                return self.render.item_path(&path.id, &path.path);
            }
        }
        self.render.ty(for_)
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
