//! apicheck's rules, one entry each:
//!
//! ```text
//! Variant = "id", [bumps it can require], "SemVer chapter anchor", equivalent lints, example,
//!     "summary";
//! ```
//!
//! The example is `pair("NAME")`, the fixture pair `fixtures/pairs/{old,new}/NAME` that shows
//! the rule (its sources are built into the binary for `apicheck explain`, so a pair that does
//! not exist is a compile error); `manifest_pair("NAME")`, the same for a rule about
//! `Cargo.toml` (its manifests are built in); `workspace(FILE, TEST)` for a rule about a whole
//! workspace; or `none`. Adding a rule: an entry here, the code that emits it (through `RuleId`, usually
//! via a family in `families.rs`), and a fixture pair.

use super::{Example, Rule, TYPE_GENERIC_PARAMS_LINTS};
use crate::engine::bump::Bump::{Major, Minor};

macro_rules! example {
    (none) => {
        None
    };
    (pair($name:literal)) => {
        Some(Example::Pair {
            name: $name,
            file: "src/lib.rs",
            old: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pairs/old/", $name, "/src/lib.rs")),
            new: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pairs/new/", $name, "/src/lib.rs")),
        })
    };
    (manifest_pair($name:literal)) => {
        Some(Example::Pair {
            name: $name,
            file: "Cargo.toml",
            old: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pairs/old/", $name, "/Cargo.toml")),
            new: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/pairs/new/", $name, "/Cargo.toml")),
        })
    };
    (workspace($file:literal, $test:literal)) => {
        Some(Example::Workspace { file: $file, test: $test })
    };
}

/// Declares `RuleId`, one variant per rule, and `RULES` in the same order, so that a variant's
/// discriminant is its rule's index.
macro_rules! rules {
    ($($variant:ident = $id:literal, [$($bump:ident),+], $anchor:literal, $lints:expr, $kind:ident $(($($example:tt)*))?, $summary:literal;)*) => {
        /// A rule of the catalog, as the code that emits it names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum RuleId {
            $($variant),*
        }

        /// Every rule of apicheck's own, in declaration order.
        pub static RULES: &[Rule] = &[
            $(Rule {
                id: $id,
                summary: $summary,
                bumps: &[$($bump),+],
                anchor: $anchor,
                equivalent_lints: $lints,
                example: example!($kind $(($($example)*))?),
            }),*
        ];
    };
}

rules! {
    ModuleRemoved = "module_removed", [Major], "item-remove", &["module_missing"], pair("module_removed"),
        "A public module is removed, or no longer reachable at one of its public paths";
    ModuleAdded = "module_added", [Minor], "item-new", &[], pair("module_added"),
        "A public module is added, or becomes reachable at a new public path";
    ModuleNowDocHidden = "module_now_doc_hidden", [Major], "item-remove", &[], pair("module_became_doc_hidden"),
        "A public module becomes #[doc(hidden)]: it is no longer public API";
    FunctionRemoved = "function_removed", [Major], "item-remove", &["function_missing"], pair("fn_removed"),
        "A public function is removed, or no longer reachable at one of its public paths";
    FunctionAdded = "function_added", [Minor], "item-new", &[], pair("fn_added"),
        "A public function is added, or becomes reachable at a new public path";
    FunctionNowDocHidden = "function_now_doc_hidden", [Major], "item-remove", &["function_now_doc_hidden"], pair("item_became_doc_hidden"),
        "A public function becomes #[doc(hidden)]: it is no longer public API";
    MethodRemoved = "method_removed", [Major], "item-remove", &["inherent_method_missing"], pair("inherent_method_removed"),
        "A public inherent method is removed, or no longer reachable at one of its public paths";
    MethodAdded = "method_added", [Minor], "impl-item-new", &[], pair("inherent_method_added"),
        "A public inherent method is added, or becomes reachable at a new public path";
    MethodNowDocHidden = "method_now_doc_hidden", [Major], "item-remove", &["inherent_method_now_doc_hidden"], pair("inherent_method_became_doc_hidden"),
        "A public inherent method becomes #[doc(hidden)]: it is no longer public API";
    TraitMethodRemoved = "trait_method_removed", [Major], "item-remove", &["trait_method_missing"], pair("trait_method_removed"),
        "A trait method is removed, or no longer reachable at one of its public paths";
    TraitMethodAdded = "trait_method_added", [Minor, Major], "trait-new-item-no-default", &["trait_method_added"], pair("trait_required_method_added"),
        "A trait method is added, or becomes reachable at a new public path: minor, major without a default body on a trait downstream crates can implement";
    TraitMethodNowDocHidden = "trait_method_now_doc_hidden", [Major], "item-remove", &["trait_method_now_doc_hidden"], pair("trait_became_doc_hidden"),
        "A trait method becomes #[doc(hidden)]: it is no longer public API";
    StructRemoved = "struct_removed", [Major], "item-remove", &["struct_missing"], pair("struct_removed"),
        "A public struct is removed, or no longer reachable at one of its public paths";
    StructAdded = "struct_added", [Minor], "item-new", &[], pair("struct_added"),
        "A public struct is added, or becomes reachable at a new public path";
    StructNowDocHidden = "struct_now_doc_hidden", [Major], "item-remove", &["struct_now_doc_hidden"], pair("struct_became_doc_hidden"),
        "A public struct becomes #[doc(hidden)]: it is no longer public API";
    StructFieldRemoved = "struct_field_removed", [Major], "item-remove", &["struct_pub_field_missing"], pair("struct_field_removed"),
        "A public struct field is removed, or no longer reachable at one of its public paths";
    StructFieldAdded = "struct_field_added", [Minor, Major], "struct-add-public-field-when-no-private", &["constructible_struct_adds_field"], pair("struct_field_added_constructible"),
        "A public struct field is added, or becomes reachable at a new public path: minor, major when the struct could be built with a literal (no private fields, exhaustive)";
    StructFieldNowDocHidden = "struct_field_now_doc_hidden", [Major], "item-remove", &["struct_pub_field_now_doc_hidden"], pair("struct_became_doc_hidden"),
        "A public struct field becomes #[doc(hidden)]: it is no longer public API";
    UnionFieldRemoved = "union_field_removed", [Major], "item-remove", &["union_field_missing"], pair("union_field_removed"),
        "A public union field is removed, or no longer reachable at one of its public paths";
    UnionFieldAdded = "union_field_added", [Minor, Major], "item-new", &["union_field_added_with_all_pub_fields", "union_field_added_with_non_pub_fields"], pair("union_field_added"),
        "A public union field is added, or becomes reachable at a new public path: minor, major when the union had only public fields";
    UnionFieldNowDocHidden = "union_field_now_doc_hidden", [Major], "item-remove", &["union_pub_field_now_doc_hidden"], none,
        "A public union field becomes #[doc(hidden)]: it is no longer public API";
    EnumRemoved = "enum_removed", [Major], "item-remove", &["enum_missing", "enum_changed_kind"], pair("enum_removed"),
        "A public enum is removed, or no longer reachable at one of its public paths";
    EnumAdded = "enum_added", [Minor], "item-new", &[], pair("enum_added"),
        "A public enum is added, or becomes reachable at a new public path";
    EnumNowDocHidden = "enum_now_doc_hidden", [Major], "item-remove", &["enum_now_doc_hidden"], none,
        "A public enum becomes #[doc(hidden)]: it is no longer public API";
    EnumVariantRemoved = "enum_variant_removed", [Major], "item-remove", &["enum_variant_missing"], pair("enum_variant_removed"),
        "An enum variant is removed, or no longer reachable at one of its public paths";
    EnumVariantAdded = "enum_variant_added", [Minor, Major], "enum-variant-new", &["enum_variant_added"], pair("enum_variant_added_exhaustive"),
        "An enum variant is added, or becomes reachable at a new public path: minor, major when the enum is exhaustive";
    EnumVariantNowDocHidden = "enum_variant_now_doc_hidden", [Major], "item-remove", &[], pair("enum_variant_became_doc_hidden"),
        "An enum variant becomes #[doc(hidden)]: it is no longer public API";
    UnionRemoved = "union_removed", [Major], "item-remove", &["union_missing"], pair("union_removed"),
        "A public union is removed, or no longer reachable at one of its public paths";
    UnionAdded = "union_added", [Minor], "item-new", &[], pair("union_added"),
        "A public union is added, or becomes reachable at a new public path";
    UnionNowDocHidden = "union_now_doc_hidden", [Major], "item-remove", &["union_now_doc_hidden"], none,
        "A public union becomes #[doc(hidden)]: it is no longer public API";
    TraitRemoved = "trait_removed", [Major], "item-remove", &["trait_missing"], pair("trait_removed"),
        "A public trait is removed, or no longer reachable at one of its public paths";
    TraitAdded = "trait_added", [Minor], "item-new", &[], pair("trait_added"),
        "A public trait is added, or becomes reachable at a new public path";
    TraitNowDocHidden = "trait_now_doc_hidden", [Major], "item-remove", &["trait_now_doc_hidden"], pair("trait_became_doc_hidden"),
        "A public trait becomes #[doc(hidden)]: it is no longer public API";
    TraitAssociatedTypeRemoved = "trait_associated_type_removed", [Major], "item-remove", &["trait_removed_associated_type"], pair("trait_assoc_type_removed"),
        "A trait's associated type is removed, or no longer reachable at one of its public paths";
    TraitAssociatedTypeAdded = "trait_associated_type_added", [Minor, Major], "trait-new-item-no-default", &["trait_associated_type_added"], pair("trait_assoc_type_added"),
        "A trait's associated type is added, or becomes reachable at a new public path: minor, major on a trait downstream crates can implement";
    TraitAssociatedTypeNowDocHidden = "trait_associated_type_now_doc_hidden", [Major], "item-remove", &["trait_associated_type_now_doc_hidden"], none,
        "A trait's associated type becomes #[doc(hidden)]: it is no longer public API";
    AssociatedConstRemoved = "associated_const_removed", [Major], "item-remove", &["trait_removed_associated_constant", "inherent_associated_pub_const_missing"], pair("inherent_assoc_const_removed"),
        "An associated const (of a trait or an inherent impl) is removed, or no longer reachable at one of its public paths";
    AssociatedConstAdded = "associated_const_added", [Minor, Major], "trait-new-item-no-default", &["trait_associated_const_added", "inherent_associated_pub_const_added"], pair("trait_assoc_const_with_default_added"),
        "An associated const (of a trait or an inherent impl) is added, or becomes reachable at a new public path: minor, major without a default on a trait downstream crates can implement";
    AssociatedConstNowDocHidden = "associated_const_now_doc_hidden", [Major], "item-remove", &["trait_associated_const_now_doc_hidden", "inherent_associated_const_now_doc_hidden"], none,
        "An associated const (of a trait or an inherent impl) becomes #[doc(hidden)]: it is no longer public API";
    TraitImplRemoved = "trait_impl_removed", [Major], "item-remove", &["derive_trait_impl_removed", "sized_impl_removed"], pair("trait_impl_removed"),
        "A trait impl of a public type no longer holds (removed, or now a negative impl)";
    TraitImplAdded = "trait_impl_added", [Minor], "item-new", &[], pair("trait_impl_added"),
        "A public type implements a trait it did not (a new impl, or a negative impl made positive)";
    TraitImplNowDocHidden = "trait_impl_now_doc_hidden", [Major], "item-remove", &[], none,
        "A trait impl becomes #[doc(hidden)]: it is no longer public API";
    AutoTraitImplRemoved = "auto_trait_impl_removed", [Major], "item-remove", &["auto_trait_impl_removed"], pair("auto_trait_send_lost"),
        "A public type no longer implements an auto trait (Send, Sync, Unpin, UnwindSafe, RefUnwindSafe), usually through a private field's type";
    AutoTraitImplAdded = "auto_trait_impl_added", [Minor], "item-new", &["auto_trait_impl_added"], pair("auto_trait_send_gained"),
        "A public type now implements an auto trait (Send, Sync, Unpin, UnwindSafe, RefUnwindSafe) it did not";
    AutoTraitImplNowDocHidden = "auto_trait_impl_now_doc_hidden", [Major], "item-remove", &[], none,
        "An auto trait impl (Send, Sync, Unpin, UnwindSafe, RefUnwindSafe) becomes #[doc(hidden)]: it is no longer public API";
    ConstRemoved = "const_removed", [Major], "item-remove", &["pub_module_level_const_missing"], pair("const_removed"),
        "A public const is removed, or no longer reachable at one of its public paths";
    ConstAdded = "const_added", [Minor], "item-new", &[], pair("const_added"),
        "A public const is added, or becomes reachable at a new public path";
    ConstNowDocHidden = "const_now_doc_hidden", [Major], "item-remove", &["pub_module_level_const_now_doc_hidden"], pair("const_became_doc_hidden"),
        "A public const becomes #[doc(hidden)]: it is no longer public API";
    StaticRemoved = "static_removed", [Major], "item-remove", &["pub_static_missing"], pair("static_removed"),
        "A public static is removed, or no longer reachable at one of its public paths";
    StaticAdded = "static_added", [Minor], "item-new", &[], pair("static_added"),
        "A public static is added, or becomes reachable at a new public path";
    StaticNowDocHidden = "static_now_doc_hidden", [Major], "item-remove", &["pub_static_now_doc_hidden"], pair("static_became_doc_hidden"),
        "A public static becomes #[doc(hidden)]: it is no longer public API";
    TypeAliasRemoved = "type_alias_removed", [Major], "item-remove", &[], pair("type_alias_removed"),
        "A public type alias is removed, or no longer reachable at one of its public paths";
    TypeAliasAdded = "type_alias_added", [Minor], "item-new", &[], pair("type_alias_added"),
        "A public type alias is added, or becomes reachable at a new public path";
    TypeAliasNowDocHidden = "type_alias_now_doc_hidden", [Major], "item-remove", &[], pair("type_alias_became_doc_hidden"),
        "A public type alias becomes #[doc(hidden)]: it is no longer public API";
    MacroRemoved = "macro_removed", [Major], "item-remove", &["declarative_macro_missing", "function_like_proc_macro_missing", "attribute_proc_macro_missing", "derive_proc_macro_missing", "macro_no_longer_exported"], pair("macro_removed"),
        "An exported macro is removed, or no longer reachable at one of its public paths";
    MacroAdded = "macro_added", [Minor], "item-new", &[], pair("macro_added"),
        "An exported macro is added, or becomes reachable at a new public path";
    MacroNowDocHidden = "macro_now_doc_hidden", [Major], "item-remove", &["macro_now_doc_hidden", "proc_macro_now_doc_hidden"], pair("macro_became_doc_hidden"),
        "An exported macro becomes #[doc(hidden)]: it is no longer public API";
    ReexportRemoved = "reexport_removed", [Major], "item-remove", &[], none,
        "A re-export of another crate's item is removed, or no longer reachable at one of its public paths";
    ReexportAdded = "reexport_added", [Minor], "item-new", &[], none,
        "A re-export of another crate's item is added, or becomes reachable at a new public path";
    ReexportNowDocHidden = "reexport_now_doc_hidden", [Major], "item-remove", &[], none,
        "A re-export of another crate's item becomes #[doc(hidden)]: it is no longer public API";
    FunctionParameterCountChanged = "function_parameter_count_changed", [Major], "fn-change-arity", &["function_parameter_count_changed", "exported_function_parameter_count_changed"], pair("fn_param_added"),
        "A function takes a different number of parameters";
    MethodParameterCountChanged = "method_parameter_count_changed", [Major], "fn-change-arity", &["method_parameter_count_changed"], pair("inherent_method_param_added"),
        "An inherent method takes a different number of parameters";
    TraitMethodParameterCountChanged = "trait_method_parameter_count_changed", [Major], "trait-item-signature", &["trait_method_parameter_count_changed"], pair("trait_method_param_added"),
        "A trait method takes a different number of parameters";
    FunctionParameterTypeChanged = "function_parameter_type_changed", [Major], "api-compatibility", &[], pair("fn_param_type_changed"),
        "A function changed the type of a parameter";
    MethodParameterTypeChanged = "method_parameter_type_changed", [Major], "api-compatibility", &[], pair("inherent_method_param_type_changed"),
        "An inherent method changed the type of a parameter";
    TraitMethodParameterTypeChanged = "trait_method_parameter_type_changed", [Major], "trait-item-signature", &[], pair("trait_method_signature_changed"),
        "A trait method changed the type of a parameter";
    FunctionParameterBoundsLoosened = "function_parameter_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("fn_impl_trait_arg_loosened"),
        "A function's `impl Trait` parameter requires fewer bounds";
    MethodParameterBoundsLoosened = "method_parameter_bounds_loosened", [Minor], "generic-bounds-loosen", &[], none,
        "An inherent method's `impl Trait` parameter requires fewer bounds";
    TraitMethodParameterBoundsLoosened = "trait_method_parameter_bounds_loosened", [Minor, Major], "generic-bounds-loosen", &[], none,
        "A trait method's `impl Trait` parameter requires fewer bounds: minor, major on a trait downstream crates can implement (implementations see the signature)";
    FunctionReceiverChanged = "function_receiver_changed", [Major], "api-compatibility", &[], none,
        "A function changed its receiver (`self`, `&self`, `&mut self`, `self: T`)";
    MethodReceiverChanged = "method_receiver_changed", [Major], "api-compatibility", &["method_receiver_mut_ref_became_owned", "method_receiver_ref_became_mut", "method_receiver_ref_became_owned", "method_receiver_type_changed", "method_no_longer_has_receiver"], pair("inherent_method_receiver_changed"),
        "An inherent method changed its receiver (`self`, `&self`, `&mut self`, `self: T`)";
    TraitMethodReceiverChanged = "trait_method_receiver_changed", [Major], "trait-item-signature", &["trait_method_receiver_added", "trait_method_receiver_mut_ref_became_owned", "trait_method_receiver_mut_ref_became_ref", "trait_method_receiver_owned_became_mut_ref", "trait_method_receiver_owned_became_ref", "trait_method_receiver_ref_became_mut", "trait_method_receiver_ref_became_owned", "trait_method_receiver_type_changed", "trait_method_no_longer_has_receiver"], pair("trait_method_receiver_changed"),
        "A trait method changed its receiver (`self`, `&self`, `&mut self`, `self: T`)";
    FunctionReturnTypeChanged = "function_return_type_changed", [Major], "api-compatibility", &["function_now_returns_unit", "exported_function_now_returns_unit"], pair("fn_return_type_changed"),
        "A function changed its return type";
    MethodReturnTypeChanged = "method_return_type_changed", [Major], "api-compatibility", &["inherent_method_now_returns_unit"], pair("inherent_method_return_type_changed"),
        "An inherent method changed its return type";
    TraitMethodReturnTypeChanged = "trait_method_return_type_changed", [Major], "trait-item-signature", &["trait_method_now_returns_unit", "trait_method_return_value_added"], pair("trait_method_return_type_changed"),
        "A trait method changed its return type";
    FunctionVariadicChanged = "function_variadic_changed", [Major], "api-compatibility", &[], none,
        "A function changed whether it is variadic (`...`)";
    MethodVariadicChanged = "method_variadic_changed", [Major], "api-compatibility", &[], none,
        "An inherent method changed whether it is variadic (`...`)";
    TraitMethodVariadicChanged = "trait_method_variadic_changed", [Major], "trait-item-signature", &[], none,
        "A trait method changed whether it is variadic (`...`)";
    FunctionConstRemoved = "function_const_removed", [Major], "api-compatibility", &["function_const_removed"], pair("fn_const_removed"),
        "A function is no longer `const`: const contexts that call it break";
    MethodConstRemoved = "method_const_removed", [Major], "api-compatibility", &["inherent_method_const_removed"], pair("inherent_method_const_removed"),
        "An inherent method is no longer `const`: const contexts that call it break";
    TraitMethodConstRemoved = "trait_method_const_removed", [Major], "trait-item-signature", &[], none,
        "A trait method is no longer `const`: const contexts that call it break";
    FunctionNowConst = "function_now_const", [Minor], "api-compatibility", &["function_now_const"], pair("fn_made_const"),
        "A function becomes `const`";
    MethodNowConst = "method_now_const", [Minor], "api-compatibility", &["inherent_method_now_const"], pair("inherent_method_made_const"),
        "An inherent method becomes `const`";
    TraitMethodNowConst = "trait_method_now_const", [Minor], "trait-item-signature", &[], none,
        "A trait method becomes `const`";
    FunctionUnsafeAdded = "function_unsafe_added", [Major], "api-compatibility", &["function_unsafe_added"], pair("fn_made_unsafe"),
        "A function becomes `unsafe`: callers need an unsafe block";
    MethodUnsafeAdded = "method_unsafe_added", [Major], "api-compatibility", &["inherent_method_unsafe_added"], pair("inherent_method_made_unsafe"),
        "An inherent method becomes `unsafe`: callers need an unsafe block";
    TraitMethodUnsafeAdded = "trait_method_unsafe_added", [Major], "trait-item-signature", &["trait_method_unsafe_added"], pair("trait_method_made_unsafe"),
        "A trait method becomes `unsafe`: callers need an unsafe block";
    FunctionUnsafeRemoved = "function_unsafe_removed", [Minor], "fn-unsafe-safe", &["function_no_longer_unsafe"], pair("fn_made_safe"),
        "A function is no longer `unsafe`";
    MethodUnsafeRemoved = "method_unsafe_removed", [Minor], "fn-unsafe-safe", &["inherent_method_no_longer_unsafe"], pair("inherent_method_made_safe"),
        "An inherent method is no longer `unsafe`";
    TraitMethodUnsafeRemoved = "trait_method_unsafe_removed", [Minor, Major], "fn-unsafe-safe", &["trait_method_unsafe_removed"], pair("trait_method_made_safe"),
        "A trait method is no longer `unsafe`: minor, major for a trait method (implementations must change)";
    FunctionAsyncChanged = "function_async_changed", [Major], "api-compatibility", &[], pair("fn_made_async"),
        "A function becomes or stops being `async`, which changes its return type";
    MethodAsyncChanged = "method_async_changed", [Major], "api-compatibility", &[], pair("inherent_method_made_async"),
        "An inherent method becomes or stops being `async`, which changes its return type";
    TraitMethodAsyncChanged = "trait_method_async_changed", [Major], "trait-item-signature", &[], none,
        "A trait method becomes or stops being `async`, which changes its return type";
    FunctionAbiChanged = "function_abi_changed", [Major], "api-compatibility", &["function_changed_abi", "exported_function_changed_abi"], pair("fn_abi_changed"),
        "A function changed its ABI (`extern \"C\"`...)";
    MethodAbiChanged = "method_abi_changed", [Major], "api-compatibility", &["inherent_method_changed_abi"], pair("inherent_method_abi_changed"),
        "An inherent method changed its ABI (`extern \"C\"`...)";
    TraitMethodAbiChanged = "trait_method_abi_changed", [Major], "trait-item-signature", &["trait_method_changed_abi"], none,
        "A trait method changed its ABI (`extern \"C\"`...)";
    FunctionGenericParamsChanged = "function_generic_params_changed", [Minor, Major], "fn-generic-new", &["function_requires_different_generic_type_params", "function_requires_different_const_generic_params", "function_generic_type_reordered", "function_const_generic_reordered"], pair("fn_generic_param_added"),
        "A function changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    MethodGenericParamsChanged = "method_generic_params_changed", [Minor, Major], "fn-generic-new", &["method_requires_different_generic_type_params", "method_requires_different_const_generic_params", "inherent_method_generic_type_reordered", "inherent_method_const_generic_reordered"], pair("inherent_method_generic_param_added"),
        "An inherent method changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    TraitMethodGenericParamsChanged = "trait_method_generic_params_changed", [Minor, Major], "trait-item-signature", &["trait_method_requires_different_generic_type_params", "trait_method_requires_different_const_generic_params", "trait_method_generic_type_reordered", "trait_method_const_generic_reordered"], pair("trait_method_generic_param_added"),
        "A trait method changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    StructGenericParamsChanged = "struct_generic_params_changed", [Minor, Major], "generic-new-default", TYPE_GENERIC_PARAMS_LINTS, pair("struct_defaulted_type_param_added"),
        "A struct changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    EnumGenericParamsChanged = "enum_generic_params_changed", [Minor, Major], "generic-new-default", TYPE_GENERIC_PARAMS_LINTS, pair("enum_generic_param_added"),
        "An enum changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    UnionGenericParamsChanged = "union_generic_params_changed", [Minor, Major], "generic-new-default", TYPE_GENERIC_PARAMS_LINTS, none,
        "A union changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    TraitGenericParamsChanged = "trait_generic_params_changed", [Minor, Major], "trait-new-parameter-no-default", &["trait_requires_more_generic_type_params", "trait_allows_fewer_generic_type_params", "trait_requires_more_const_generic_params", "trait_allows_fewer_const_generic_params", "trait_generic_type_reordered", "trait_const_generic_reordered", "trait_mismatched_generic_lifetimes"], pair("trait_defaulted_type_param_added"),
        "A trait changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    TypeAliasGenericParamsChanged = "type_alias_generic_params_changed", [Minor, Major], "generic-new-default", TYPE_GENERIC_PARAMS_LINTS, pair("type_alias_generic_param_added"),
        "A type alias changed its generic parameters: major, minor when only defaulted parameters are added at the end";
    FunctionBoundsTightened = "function_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("fn_generic_bound_tightened"),
        "A function requires more of its generic parameters (a bound added, a `?Sized` removed)";
    MethodBoundsTightened = "method_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("inherent_method_bound_tightened"),
        "An inherent method requires more of its generic parameters (a bound added, a `?Sized` removed)";
    TraitMethodBoundsTightened = "trait_method_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("trait_bound_tightened_with_new_default_param"),
        "A trait method requires more of its generic parameters (a bound added, a `?Sized` removed)";
    StructBoundsTightened = "struct_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("struct_generic_param_bound_tightened"),
        "A struct requires more of its generic parameters (a bound added, a `?Sized` removed)";
    EnumBoundsTightened = "enum_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("enum_bound_tightened"),
        "An enum requires more of its generic parameters (a bound added, a `?Sized` removed)";
    UnionBoundsTightened = "union_bounds_tightened", [Major], "generic-bounds-tighten", &[], none,
        "A union requires more of its generic parameters (a bound added, a `?Sized` removed)";
    TraitBoundsTightened = "trait_bounds_tightened", [Major], "generic-bounds-tighten", &[], pair("trait_bound_tightened_with_new_default_param"),
        "A trait requires more of its generic parameters (a bound added, a `?Sized` removed)";
    TypeAliasBoundsTightened = "type_alias_bounds_tightened", [Major], "generic-bounds-tighten", &[], none,
        "A type alias requires more of its generic parameters (a bound added, a `?Sized` removed)";
    TraitImplBoundsTightened = "trait_impl_bounds_tightened", [Major], "generic-bounds-tighten", &[], none,
        "A trait impl requires more of its generic parameters (a bound added, a `?Sized` removed)";
    AutoTraitImplBoundsTightened = "auto_trait_impl_bounds_tightened", [Major], "generic-bounds-tighten", &[], none,
        "An auto trait impl requires more of its generic parameters (a bound added, a `?Sized` removed)";
    FunctionBoundsLoosened = "function_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("fn_generic_bound_loosened"),
        "A function requires less of its generic parameters";
    MethodBoundsLoosened = "method_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("inherent_method_bound_loosened"),
        "An inherent method requires less of its generic parameters";
    TraitMethodBoundsLoosened = "trait_method_bounds_loosened", [Minor, Major], "generic-bounds-loosen", &[], pair("trait_bound_loosened"),
        "A trait method requires less of its generic parameters: minor, major on a trait downstream crates can implement (implementations see the bounds)";
    StructBoundsLoosened = "struct_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("struct_bound_loosened"),
        "A struct requires less of its generic parameters";
    EnumBoundsLoosened = "enum_bounds_loosened", [Minor], "generic-bounds-loosen", &[], none,
        "An enum requires less of its generic parameters";
    UnionBoundsLoosened = "union_bounds_loosened", [Minor], "generic-bounds-loosen", &[], none,
        "A union requires less of its generic parameters";
    TraitBoundsLoosened = "trait_bounds_loosened", [Minor, Major], "generic-bounds-loosen", &[], pair("trait_bound_loosened"),
        "A trait requires less of its generic parameters: minor, major on a trait downstream crates can implement (implementations see the bounds)";
    TypeAliasBoundsLoosened = "type_alias_bounds_loosened", [Minor], "generic-bounds-loosen", &[], none,
        "A type alias requires less of its generic parameters";
    TraitImplBoundsLoosened = "trait_impl_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("unnameable_type_behind_alias_changed"),
        "A trait impl requires less of its generic parameters";
    AutoTraitImplBoundsLoosened = "auto_trait_impl_bounds_loosened", [Minor], "generic-bounds-loosen", &[], pair("unnameable_type_behind_alias_changed"),
        "An auto trait impl requires less of its generic parameters";
    StructMarkedNonExhaustive = "struct_marked_non_exhaustive", [Major], "attr-adding-non-exhaustive", &["struct_marked_non_exhaustive"], pair("struct_made_non_exhaustive"),
        "A public struct becomes #[non_exhaustive]: other crates can no longer build it or match it exhaustively";
    StructNoLongerNonExhaustive = "struct_no_longer_non_exhaustive", [Minor], "attr-adding-non-exhaustive", &["struct_no_longer_non_exhaustive"], pair("struct_non_exhaustive_removed"),
        "A public struct is no longer #[non_exhaustive]";
    EnumMarkedNonExhaustive = "enum_marked_non_exhaustive", [Major], "attr-adding-non-exhaustive", &["enum_marked_non_exhaustive"], pair("enum_made_non_exhaustive"),
        "A public enum becomes #[non_exhaustive]: other crates' exhaustive matches break";
    EnumNoLongerNonExhaustive = "enum_no_longer_non_exhaustive", [Minor], "attr-adding-non-exhaustive", &["enum_no_longer_non_exhaustive"], pair("enum_non_exhaustive_removed"),
        "A public enum is no longer #[non_exhaustive]";
    EnumVariantMarkedNonExhaustive = "enum_variant_marked_non_exhaustive", [Major], "attr-adding-non-exhaustive", &["enum_variant_marked_non_exhaustive"], pair("enum_variant_made_non_exhaustive"),
        "An enum variant becomes #[non_exhaustive]: other crates can no longer build it or match it exhaustively";
    EnumVariantNoLongerNonExhaustive = "enum_variant_no_longer_non_exhaustive", [Minor], "attr-adding-non-exhaustive", &["enum_variant_no_longer_non_exhaustive"], none,
        "An enum variant is no longer #[non_exhaustive]";
    StructFieldTypeChanged = "struct_field_type_changed", [Major], "api-compatibility", &[], pair("struct_field_type_changed"),
        "A public struct field changed type";
    UnionFieldTypeChanged = "union_field_type_changed", [Major], "api-compatibility", &[], pair("union_field_type_changed"),
        "A public union field changed type";
    MethodImplGeneralized = "method_impl_generalized", [Minor], "generic-more-generic", &[], pair("impl_generalized"),
        "An inherent method moved to an impl that covers its old self type (`impl W<String>` → `impl<T: AsRef<str>> W<T>`)";
    TraitMethodDefaultRemoved = "trait_method_default_removed", [Major], "trait-item-signature", &["trait_method_default_impl_removed"], pair("trait_method_default_removed"),
        "A trait method loses its default body: every implementation must now provide it";
    TraitMethodDefaultAdded = "trait_method_default_added", [Minor], "trait-new-default-item", &[], pair("trait_method_default_added"),
        "A required trait method gains a default body";
    StructKindChanged = "struct_kind_changed", [Minor, Major], "struct-tuple-normal-with-private", &["unit_struct_changed_kind", "tuple_struct_to_plain_struct", "constructible_struct_changed_type"], pair("unit_struct_to_plain"),
        "A struct changes between unit, tuple and plain: major, minor when it has private fields before and after and is not a tuple struct";
    StructNowHasPrivateFields = "struct_now_has_private_fields", [Minor, Major], "struct-add-private-field-when-public", &["constructible_struct_adds_private_field"], pair("struct_private_field_added"),
        "A struct gains a private field: major when it could be built with a literal before";
    StructNoLongerHasPrivateFields = "struct_no_longer_has_private_fields", [Minor], "struct-private-fields-with-private", &["struct_no_longer_has_non_pub_fields"], pair("struct_private_fields_gone"),
        "A struct's last private field is removed or made public";
    EnumVariantChangedKind = "enum_variant_changed_kind", [Major], "enum-fields-new", &["enum_tuple_variant_changed_kind", "enum_struct_variant_changed_kind", "enum_unit_variant_changed_kind"], pair("enum_variant_changed_kind"),
        "An enum variant changes between unit, tuple and struct-like";
    EnumVariantFieldsChanged = "enum_variant_fields_changed", [Minor, Major], "enum-fields-new", &["enum_struct_variant_field_added", "enum_tuple_variant_field_added", "enum_struct_variant_field_missing", "enum_tuple_variant_field_missing", "enum_non_exhaustive_struct_variant_field_added", "enum_non_exhaustive_tuple_variant_field_added"], pair("enum_struct_variant_field_added"),
        "An enum variant's fields change: major, minor when fields are only added to a #[non_exhaustive] variant";
    UnionNowHasPrivateFields = "union_now_has_private_fields", [Major], "struct-add-private-field-when-public", &[], none,
        "A union whose fields were all public gains a private field";
    TraitSupertraitAdded = "trait_supertrait_added", [Minor, Major], "api-compatibility", &["trait_added_supertrait"], pair("trait_supertrait_added"),
        "A trait gains a supertrait: major, minor on a sealed trait";
    TraitSupertraitRemoved = "trait_supertrait_removed", [Major], "api-compatibility", &["trait_removed_supertrait"], pair("trait_supertrait_removed"),
        "A trait loses a supertrait users can name: code that relied on it breaks";
    TraitUnsafeAdded = "trait_unsafe_added", [Major], "api-compatibility", &["trait_unsafe_added"], pair("trait_made_unsafe"),
        "A trait becomes `unsafe`: implementations need `unsafe impl`";
    TraitUnsafeRemoved = "trait_unsafe_removed", [Major], "api-compatibility", &["trait_unsafe_removed"], pair("trait_made_safe"),
        "A trait is no longer `unsafe`: `unsafe impl`s of it no longer compile";
    TraitNewlySealed = "trait_newly_sealed", [Major], "api-compatibility", &["trait_newly_sealed"], pair("trait_newly_sealed"),
        "A trait becomes sealed: downstream crates can no longer implement it";
    TraitNoLongerSealed = "trait_no_longer_sealed", [Minor], "api-compatibility", &["unconditionally_sealed_trait_became_unsealed"], pair("trait_unsealed"),
        "A sealed trait loses its seal: downstream crates can now implement it";
    TraitNoLongerDynCompatible = "trait_no_longer_dyn_compatible", [Major], "trait-object-safety", &["trait_no_longer_dyn_compatible"], pair("trait_provided_method_breaks_object_safety"),
        "A trait is no longer dyn compatible: `dyn` uses of it break";
    TraitAssociatedTypeBoundsChanged = "trait_associated_type_bounds_changed", [Minor, Major], "trait-item-signature", &[], pair("trait_assoc_type_bound_added"),
        "An associated type's bounds change: major, minor when a sealed trait only adds bounds";
    TraitAssociatedTypeDefaultRemoved = "trait_associated_type_default_removed", [Major], "trait-item-signature", &["trait_associated_type_default_removed"], none,
        "An associated type loses its default";
    AssociatedConstTypeChanged = "associated_const_type_changed", [Major], "trait-item-signature", &[], pair("assoc_const_type_changed"),
        "An associated const changes type";
    TraitAssociatedConstDefaultRemoved = "trait_associated_const_default_removed", [Major], "trait-item-signature", &["trait_associated_const_default_removed"], pair("trait_assoc_const_default_removed"),
        "An associated const of a trait downstream crates can implement loses its default";
    ConstTypeChanged = "const_type_changed", [Major], "api-compatibility", &[], pair("const_type_changed"),
        "A public const changes type";
    StaticTypeChanged = "static_type_changed", [Major], "api-compatibility", &[], pair("static_type_changed"),
        "A public static changes type";
    StaticNowMutable = "static_now_mutable", [Major], "api-compatibility", &["pub_static_now_mutable"], pair("static_made_mut"),
        "A public static becomes `static mut`: reading it needs `unsafe`";
    StaticMutNowImmutable = "static_mut_now_immutable", [Major], "api-compatibility", &["pub_static_mut_now_immutable"], pair("static_mut_made_immutable"),
        "A public `static mut` becomes immutable: writes to it break";
    StaticBecameUnsafe = "static_became_unsafe", [Major], "api-compatibility", &["static_became_unsafe"], none,
        "A public static now needs `unsafe` to use (`unsafe extern` block)";
    TypeAliasTargetChanged = "type_alias_target_changed", [Major], "api-compatibility", &[], pair("type_alias_target_changed"),
        "A public type alias stands for another type";
    MacroKindChanged = "macro_kind_changed", [Major], "api-compatibility", &[], none,
        "An exported macro changes kind (declarative, function-like, attribute, derive)";
    MacroArmRemoved = "macro_arm_removed", [Major], "api-compatibility", &[], pair("macro_arm_removed"),
        "An exported macro_rules! macro no longer accepts some input an arm accepted";
    MacroArmAdded = "macro_arm_added", [Minor], "item-new", &[], pair("macro_arm_added"),
        "An exported macro_rules! macro accepts new input";
    DeriveHelperAttrRemoved = "derive_helper_attr_removed", [Major], "api-compatibility", &["derive_helper_attr_removed"], none,
        "A derive macro no longer accepts one of its helper attributes";
    DeriveHelperAttrAdded = "derive_helper_attr_added", [Minor], "item-new", &[], none,
        "A derive macro accepts new helper attributes";
    ReexportTargetChanged = "reexport_target_changed", [Major], "api-compatibility", &[], none,
        "A re-export of another crate's item now re-exports something else";
    PackageRemoved = "package_removed", [Major], "item-remove", &[], workspace("tests/gate.rs", "a_removed_package_fails_unless_acknowledged"),
        "A governed package is gone (or no longer governed) while its baseline remains";
    PublicDependencyMajorBump = "public_dependency_major_bump", [Major], "api-compatibility", &[], workspace("tests/pr.rs", "a_public_dependency_major_bump_breaks_the_dependent"),
        "A crate whose items appear in the package's public API moved to a new major version";
    FeatureAdded = "feature_added", [Minor], "cargo-feature-add", &[], manifest_pair("feature_added"),
        "A Cargo feature is added, or an optional dependency with the implicit feature cargo gives it";
    FeatureRemoved = "feature_removed", [Major], "cargo-feature-remove", &["feature_missing"], manifest_pair("feature_removed"),
        "A Cargo feature is removed: a crate that enables it no longer builds";
    FeatureRemovedFromDefault = "feature_removed_from_default", [Major], "cargo-feature-remove-another", &["feature_not_enabled_by_default"], manifest_pair("feature_removed_from_default"),
        "The default features no longer enable a feature or optional dependency they enabled";
    FeatureNoLongerEnables = "feature_no_longer_enables", [Major], "cargo-feature-remove-another", &["feature_no_longer_enables_feature"], manifest_pair("feature_no_longer_enables"),
        "A Cargo feature no longer enables a feature or optional dependency it enabled";
    OptionalDependencyRemoved = "optional_dependency_removed", [Major], "cargo-remove-opt-dep", &[], manifest_pair("optional_dependency_removed"),
        "An optional dependency is removed, and the implicit feature cargo gave it with it (one hidden behind `dep:` goes unreported, as the Cargo book allows)";
    OptionalDependencyNowRequired = "optional_dependency_now_required", [Minor, Major], "cargo-remove-opt-dep", &[], manifest_pair("optional_dependency_now_required"),
        "An optional dependency becomes required: major when it had an implicit feature (the feature goes), else minor, as an added dependency";
    DependencyAdded = "dependency_added", [Minor], "cargo-dep-add", &[], manifest_pair("dependency_added"),
        "A dependency of the library's builds (not optional, not a dev-dependency) is added: minor, as the Cargo book files it";
}
