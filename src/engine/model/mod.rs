//! The API model: everything a downstream crate can reach, independent of rustdoc's JSON format.
//!
//! A model is a sorted list of [`ApiItem`]s. Each item has a unique [`ApiItem::key`], a one-line
//! Rust-like [`ApiItem::signature`] (the listing line, for people) and a [`Detail`] that holds the
//! parts the diff compares (parameter types, bounds, fields, qualifiers...) as normalized
//! structure ([`ty`]): equivalent spellings of one API give equal details and identical listing
//! lines, and a model saved by one toolchain compares equal to the model another toolchain builds
//! from the same code.
//!
//! Models are built from rustdoc JSON by [`ApiModel::from_rustdoc`] and saved as JSON (see
//! [`MODEL_SCHEMA`]).

mod build;
pub mod macro_rules;
mod normalize;
pub mod ty;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the saved-model JSON schema. Bumped whenever a saved model would be read
/// differently; a model with another schema is rejected with a message, never misread.
pub const MODEL_SCHEMA: u32 = 2;

/// The public API of one crate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiModel {
    /// Always [`MODEL_SCHEMA`]; also how a saved model is told apart from rustdoc JSON.
    pub apicheck_model: u32,
    /// The crate name as used in paths (`core_utils`).
    pub crate_name: String,
    /// The crate version rustdoc recorded, if any.
    pub crate_version: Option<String>,
    /// The rustdoc JSON format the model was built from (informative only: models compare
    /// across formats).
    pub rustdoc_format: u32,
    /// The crates (other than std, core and alloc) whose items appear in the API: in
    /// signatures, as implemented traits, or re-exported. `None` in models saved before apicheck
    /// recorded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_dependencies: Option<Vec<String>>,
    /// Every reachable item, sorted by key.
    pub items: Vec<ApiItem>,
    /// The glob re-exports (`pub use m::*`) of the public modules, sorted: what they bring in is
    /// in `items`, that it came through a glob is here (the surface rules want exports named).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub glob_reexports: Vec<GlobReexport>,
}

/// A `pub use SOURCE::*` in a public module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GlobReexport {
    /// The public path of the module that re-exports.
    pub module: String,
    /// What it re-exports, as written (`crate::detail`, `serde`).
    pub source: String,
    /// `#[doc(hidden)]` on the `use` or on its module.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// One item of the public API, at one public path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiItem {
    /// Unique within a model: the kind keyword and the path (`fn core_utils::slug::slugify`), or
    /// the impl header for impls (`impl core::clone::Clone for core_utils::Config`).
    pub key: String,
    /// What kind of item this is.
    pub kind: ItemKind,
    /// The public path the item is reachable at; for impls, the path of the implementing type
    /// (or of the trait, for impls of a local trait for a foreign type).
    pub path: String,
    /// The listing line: a Rust-like, fully qualified declaration.
    pub signature: String,
    /// `#[doc(hidden)]` on the item or on anything on its path.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// For an item reachable at several paths: the canonical path, when this entry is another.
    /// Members (fields, methods, impls) are listed under the canonical path only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
    /// A type users cannot name (declared `pub` in a private module, reached through a public
    /// signature), or a member of one: its own declaration (parameters, bounds) is not API, what
    /// users can do with its values (methods, impls, auto traits) is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unnameable: bool,
    /// Where the item is defined, relative to the directory rustdoc ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The parts of the declaration the diff compares.
    pub detail: Detail,
}

/// A source location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Span {
    pub file: String,
    pub line: u32,
}

/// The kinds of item the model distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Module,
    Function,
    /// A method of an inherent impl.
    Method,
    /// A method declared by a trait.
    TraitMethod,
    Struct,
    /// A public field of a struct or union.
    Field,
    Enum,
    Variant,
    Union,
    Trait,
    /// An associated type declared by a trait.
    AssocType,
    /// An associated const declared by a trait or an inherent impl.
    AssocConst,
    /// A trait implementation (explicit, derived, synthesized auto trait or blanket).
    Impl,
    Const,
    Static,
    TypeAlias,
    Macro,
    /// A `pub use` of an item of another crate (its own items are not in this crate's docs).
    ExternReexport,
}

impl ItemKind {
    /// A lower-case noun for messages ("function", "struct field"...).
    pub fn noun(self) -> &'static str {
        match self {
            ItemKind::Module => "module",
            ItemKind::Function => "function",
            ItemKind::Method => "method",
            ItemKind::TraitMethod => "trait method",
            ItemKind::Struct => "struct",
            ItemKind::Field => "field",
            ItemKind::Enum => "enum",
            ItemKind::Variant => "enum variant",
            ItemKind::Union => "union",
            ItemKind::Trait => "trait",
            ItemKind::AssocType => "associated type",
            ItemKind::AssocConst => "associated const",
            ItemKind::Impl => "trait impl",
            ItemKind::Const => "const",
            ItemKind::Static => "static",
            ItemKind::TypeAlias => "type alias",
            ItemKind::Macro => "macro",
            ItemKind::ExternReexport => "re-export",
        }
    }

    /// The snake_case name used in finding ids (`function`, `struct_field`...).
    pub fn id_part(self) -> &'static str {
        match self {
            ItemKind::Module => "module",
            ItemKind::Function => "function",
            ItemKind::Method => "method",
            ItemKind::TraitMethod => "trait_method",
            ItemKind::Struct => "struct",
            ItemKind::Field => "field",
            ItemKind::Enum => "enum",
            ItemKind::Variant => "enum_variant",
            ItemKind::Union => "union",
            ItemKind::Trait => "trait",
            ItemKind::AssocType => "trait_associated_type",
            ItemKind::AssocConst => "associated_const",
            ItemKind::Impl => "trait_impl",
            ItemKind::Const => "const",
            ItemKind::Static => "static",
            ItemKind::TypeAlias => "type_alias",
            ItemKind::Macro => "macro",
            ItemKind::ExternReexport => "reexport",
        }
    }
}

/// Generic parameters and every bound on them, normalized so that equal constraints compare
/// equal however they are written (`<T: Clone>` and `where T: Clone` give the same predicates;
/// parameters carry canonical names).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generics {
    /// Declared parameters in order. A function's lifetimes are not listed (they are late-bound:
    /// callers never name them), nor the parameters rustdoc synthesises for `impl Trait`
    /// arguments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<ty::GenericParam>,
    /// One predicate per bound, sorted and deduplicated.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub predicates: Vec<ty::Predicate>,
}

/// Function qualifiers.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Qualifiers {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_const: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_async: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_unsafe: bool,
    /// `None` for the Rust ABI, else the ABI string (`"C"`, `"C-unwind"`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abi: Option<String>,
}

/// What the diff compares for each kind of item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Detail {
    Module,
    Function {
        qualifiers: Qualifiers,
        /// The function's own parameters, and every predicate on it and on its impl or trait.
        generics: Generics,
        /// Parameter types in order, the receiver first when there is one. Parameter names are
        /// not compared.
        inputs: Vec<ty::Ty>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        has_receiver: bool,
        /// The return type, `()` when there is none.
        output: ty::Ty,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        variadic: bool,
        /// For trait methods: whether the trait provides a default body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        has_default: Option<bool>,
        /// For methods of inherent impls: the impl's self type (`W<String>` for `impl W<String>`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        impl_self: Option<ty::Ty>,
    },
    Struct {
        shape: StructShape,
        generics: Generics,
        /// Fields that downstream code cannot name (private, or hidden by rustdoc).
        private_fields: bool,
        non_exhaustive: bool,
    },
    Field {
        ty: ty::Ty,
    },
    Enum {
        generics: Generics,
        non_exhaustive: bool,
    },
    Variant {
        shape: StructShape,
        /// The fields, by name (`0`, `1`... for tuple variants); struct variants' sorted by name.
        fields: Vec<VariantField>,
        non_exhaustive: bool,
    },
    Union {
        generics: Generics,
        private_fields: bool,
    },
    Trait {
        generics: Generics,
        /// Supertrait bounds and `where Self: ...` predicates, as one sorted set.
        supertraits: Vec<ty::Bound>,
        is_unsafe: bool,
        /// Downstream crates cannot implement it: it requires a trait they cannot name, directly
        /// or through a supertrait chain.
        sealed: bool,
        dyn_compatible: bool,
    },
    AssocType {
        bounds: Vec<ty::Bound>,
        default: Option<ty::Ty>,
    },
    AssocConst {
        ty: ty::Ty,
        has_default: bool,
    },
    Impl {
        /// The implemented trait with its generic arguments.
        trait_path: ty::TyPath,
        /// The implementing type.
        self_ty: ty::Ty,
        generics: Generics,
        negative: bool,
        is_unsafe: bool,
        /// Synthesised by rustdoc for an auto trait (Send, Sync, Unpin, UnwindSafe,
        /// RefUnwindSafe).
        auto: bool,
        /// A blanket impl (`impl<T: Bound> Trait for T`) that applies to this type. Kept in the
        /// model, hidden from listings by default, not diffed: it follows from the type's other
        /// impls, which are.
        blanket: bool,
    },
    Const {
        ty: ty::Ty,
    },
    Static {
        ty: ty::Ty,
        mutable: bool,
        is_unsafe: bool,
    },
    TypeAlias {
        generics: Generics,
        /// The aliased type, itself with every alias expanded.
        target: ty::Ty,
        /// The target is a type users cannot name: the alias is that type's public name, and
        /// only its parameters are compared (the type's items are diffed at its own path).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        opaque_target: bool,
    },
    Macro {
        macro_kind: MacroKind,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        helpers: Vec<String>,
        /// For `macro_rules!`: each arm's matcher in canonical form ([`macro_rules::canonical`]),
        /// sorted.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        arms: Vec<String>,
    },
    ExternReexport {
        target: String,
    },
}

/// A field of an enum variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct VariantField {
    pub name: String,
    pub ty: ty::Ty,
}

/// The shape of a struct or enum variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StructShape {
    Unit,
    Tuple,
    Plain,
}

/// The kinds of macro.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MacroKind {
    /// `macro_rules!` with `#[macro_export]`.
    Declarative,
    /// `#[proc_macro]`
    FunctionLike,
    /// `#[proc_macro_attribute]`
    Attribute,
    /// `#[proc_macro_derive]`
    Derive,
}

/// Options for [`ApiModel::listing`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ListingOptions {
    /// Also list blanket impls (`impl<T> From<T> for T`...), hidden by default.
    pub blanket_impls: bool,
    /// Also list the synthesised auto trait impls (Send, Sync...). Listed by default.
    pub hide_auto_traits: bool,
}

/// A path of another crate that a public item shows its users.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExternalUse {
    /// The item that shows it (its public path; for impls, the implementing type's).
    pub item: String,
    /// The other crate's path, as the item's signature names it (`ring::digest::Digest`).
    pub external: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A public module of a package's API that is not hidden, where it is declared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PublicModule {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// What the governance rules read of a model, small enough to keep beside its fingerprint in
/// the cache, so that a package whose findings are cached is checked without its model.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiOutline {
    /// See [`ApiModel::public_modules`].
    pub public_modules: Vec<PublicModule>,
    /// See [`ApiModel::external_uses`].
    pub external_uses: Vec<ExternalUse>,
    /// See [`ApiModel::glob_reexports`].
    pub glob_reexports: Vec<GlobReexport>,
}

impl ApiModel {
    /// The model's [`ApiOutline`].
    pub fn outline(&self) -> ApiOutline {
        ApiOutline { public_modules: self.public_modules(), external_uses: self.external_uses(), glob_reexports: self.glob_reexports.clone() }
    }

    /// The public modules that are not hidden (the crate root left out).
    pub fn public_modules(&self) -> Vec<PublicModule> {
        self.items
            .iter()
            .filter(|item| item.kind == ItemKind::Module && !item.hidden && item.alias_of.is_none() && item.path.contains("::"))
            .map(|item| PublicModule { path: item.path.clone(), span: item.span.clone() })
            .collect()
    }

    /// Every path of a public dependency (a crate in [`ApiModel::public_dependencies`]: not std,
    /// core or alloc) that a public item that is not hidden names: in its signature, fields,
    /// bounds, associated types, the trait it implements, or as what it re-exports; not in
    /// blanket impls, which other crates' code applies. Sorted.
    pub fn external_uses(&self) -> Vec<ExternalUse> {
        let crates: std::collections::BTreeSet<&str> = self.public_dependencies.iter().flatten().map(String::as_str).collect();
        let external = |path: &str| crates.contains(path.split("::").next().unwrap_or_default());
        let mut uses = std::collections::BTreeSet::new();
        for item in self.items.iter().filter(|item| !item.hidden) {
            let mut paths = Vec::new();
            match &item.detail {
                Detail::ExternReexport { target } => paths.push(target.clone()),
                // Another crate's blanket impl that applies to the type (thiserror's
                // `AsDynError` for every error type): the package wrote nothing that shows it.
                Detail::Impl { blanket: true, .. } => {}
                detail => {
                    // Every `TyPath` in the detail, wherever it nests (types, bounds, trait refs).
                    if let Ok(value) = serde_json::to_value(detail) {
                        collect_paths(&value, &mut paths);
                    }
                }
            }
            for path in paths.into_iter().filter(|path| external(path)) {
                uses.insert(ExternalUse { item: item.path.clone(), external: path, span: item.span.clone() });
            }
        }
        uses.into_iter().collect()
    }

    /// Builds the model of a crate from its rustdoc JSON.
    ///
    /// The JSON should have been generated with private and hidden items
    /// (`--document-private-items --document-hidden-items`), as the workspace layer generates it,
    /// so that private fields and sealing supertraits are seen.
    pub fn from_rustdoc(krate: &rustdoc_types::Crate) -> ApiModel {
        build::build(krate)
    }

    /// The item with this key.
    pub fn get(&self, key: &str) -> Option<&ApiItem> {
        self.items
            .binary_search_by(|item| item.key.as_str().cmp(key))
            .ok()
            .map(|index| &self.items[index])
    }

    /// The items by key.
    pub fn by_key(&self) -> BTreeMap<&str, &ApiItem> {
        self.items.iter().map(|item| (item.key.as_str(), item)).collect()
    }

    /// The listing: one line per item, sorted, deterministic.
    pub fn listing(&self, options: ListingOptions) -> String {
        // Sorted by path first, so that a type, its fields, methods and impls stand together.
        let mut lines: Vec<(&str, ItemKind, &str)> = self
            .items
            .iter()
            .filter(|item| match item.detail {
                Detail::Impl { blanket: true, .. } => options.blanket_impls,
                Detail::Impl { auto: true, .. } => !options.hide_auto_traits,
                _ => true,
            })
            .map(|item| (item.path.as_str(), item.kind, item.signature.as_str()))
            .collect();
        lines.sort_unstable();
        let mut text = String::new();
        for (_, _, signature) in lines {
            text.push_str(signature);
            text.push('\n');
        }
        text
    }
}

/// The `path` of every serialised `TyPath` in `value`.
fn collect_paths(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(path)) = map.get("path") {
                out.push(path.clone());
            }
            map.values().for_each(|nested| collect_paths(nested, out));
        }
        serde_json::Value::Array(values) => values.iter().for_each(|nested| collect_paths(nested, out)),
        _ => {}
    }
}
