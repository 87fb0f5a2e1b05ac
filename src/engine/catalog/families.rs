//! Families of rules: the same change to different kinds of items (`function_removed`,
//! `struct_removed`...). Each family is a total map from the kinds it applies to onto rules, so
//! the diff picks a rule by item kind and can only pick one the catalog has.

use super::RuleId;

/// Any item of the API: what can be removed, added, hidden or unhidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subject {
    Module,
    Function,
    Method,
    TraitMethod,
    Struct,
    StructField,
    UnionField,
    Enum,
    EnumVariant,
    Union,
    Trait,
    TraitAssociatedType,
    AssociatedConst,
    TraitImpl,
    AutoTraitImpl,
    Const,
    Static,
    TypeAlias,
    Macro,
    Reexport,
}

/// What has a signature: parameters, a return type, qualifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Callable {
    Function,
    Method,
    TraitMethod,
}

/// What has generic parameters and bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Generic {
    Function,
    Method,
    TraitMethod,
    Struct,
    Enum,
    Union,
    Trait,
    TypeAlias,
    TraitImpl,
    AutoTraitImpl,
}

/// What can be `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NonExhaustive {
    Struct,
    Enum,
    EnumVariant,
}

/// What has fields with a type of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldOwner {
    StructField,
    UnionField,
}

impl From<Callable> for Generic {
    fn from(callable: Callable) -> Generic {
        match callable {
            Callable::Function => Generic::Function,
            Callable::Method => Generic::Method,
            Callable::TraitMethod => Generic::TraitMethod,
        }
    }
}

impl Subject {
    pub(crate) fn removed(self) -> RuleId {
        match self {
            Subject::Module => RuleId::ModuleRemoved,
            Subject::Function => RuleId::FunctionRemoved,
            Subject::Method => RuleId::MethodRemoved,
            Subject::TraitMethod => RuleId::TraitMethodRemoved,
            Subject::Struct => RuleId::StructRemoved,
            Subject::StructField => RuleId::StructFieldRemoved,
            Subject::UnionField => RuleId::UnionFieldRemoved,
            Subject::Enum => RuleId::EnumRemoved,
            Subject::EnumVariant => RuleId::EnumVariantRemoved,
            Subject::Union => RuleId::UnionRemoved,
            Subject::Trait => RuleId::TraitRemoved,
            Subject::TraitAssociatedType => RuleId::TraitAssociatedTypeRemoved,
            Subject::AssociatedConst => RuleId::AssociatedConstRemoved,
            Subject::TraitImpl => RuleId::TraitImplRemoved,
            Subject::AutoTraitImpl => RuleId::AutoTraitImplRemoved,
            Subject::Const => RuleId::ConstRemoved,
            Subject::Static => RuleId::StaticRemoved,
            Subject::TypeAlias => RuleId::TypeAliasRemoved,
            Subject::Macro => RuleId::MacroRemoved,
            Subject::Reexport => RuleId::ReexportRemoved,
        }
    }

    pub(crate) fn added(self) -> RuleId {
        match self {
            Subject::Module => RuleId::ModuleAdded,
            Subject::Function => RuleId::FunctionAdded,
            Subject::Method => RuleId::MethodAdded,
            Subject::TraitMethod => RuleId::TraitMethodAdded,
            Subject::Struct => RuleId::StructAdded,
            Subject::StructField => RuleId::StructFieldAdded,
            Subject::UnionField => RuleId::UnionFieldAdded,
            Subject::Enum => RuleId::EnumAdded,
            Subject::EnumVariant => RuleId::EnumVariantAdded,
            Subject::Union => RuleId::UnionAdded,
            Subject::Trait => RuleId::TraitAdded,
            Subject::TraitAssociatedType => RuleId::TraitAssociatedTypeAdded,
            Subject::AssociatedConst => RuleId::AssociatedConstAdded,
            Subject::TraitImpl => RuleId::TraitImplAdded,
            Subject::AutoTraitImpl => RuleId::AutoTraitImplAdded,
            Subject::Const => RuleId::ConstAdded,
            Subject::Static => RuleId::StaticAdded,
            Subject::TypeAlias => RuleId::TypeAliasAdded,
            Subject::Macro => RuleId::MacroAdded,
            Subject::Reexport => RuleId::ReexportAdded,
        }
    }

    pub(crate) fn now_doc_hidden(self) -> RuleId {
        match self {
            Subject::Module => RuleId::ModuleNowDocHidden,
            Subject::Function => RuleId::FunctionNowDocHidden,
            Subject::Method => RuleId::MethodNowDocHidden,
            Subject::TraitMethod => RuleId::TraitMethodNowDocHidden,
            Subject::Struct => RuleId::StructNowDocHidden,
            Subject::StructField => RuleId::StructFieldNowDocHidden,
            Subject::UnionField => RuleId::UnionFieldNowDocHidden,
            Subject::Enum => RuleId::EnumNowDocHidden,
            Subject::EnumVariant => RuleId::EnumVariantNowDocHidden,
            Subject::Union => RuleId::UnionNowDocHidden,
            Subject::Trait => RuleId::TraitNowDocHidden,
            Subject::TraitAssociatedType => RuleId::TraitAssociatedTypeNowDocHidden,
            Subject::AssociatedConst => RuleId::AssociatedConstNowDocHidden,
            Subject::TraitImpl => RuleId::TraitImplNowDocHidden,
            Subject::AutoTraitImpl => RuleId::AutoTraitImplNowDocHidden,
            Subject::Const => RuleId::ConstNowDocHidden,
            Subject::Static => RuleId::StaticNowDocHidden,
            Subject::TypeAlias => RuleId::TypeAliasNowDocHidden,
            Subject::Macro => RuleId::MacroNowDocHidden,
            Subject::Reexport => RuleId::ReexportNowDocHidden,
        }
    }
}

impl Callable {
    pub(crate) fn parameter_count_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionParameterCountChanged,
            Callable::Method => RuleId::MethodParameterCountChanged,
            Callable::TraitMethod => RuleId::TraitMethodParameterCountChanged,
        }
    }

    pub(crate) fn parameter_type_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionParameterTypeChanged,
            Callable::Method => RuleId::MethodParameterTypeChanged,
            Callable::TraitMethod => RuleId::TraitMethodParameterTypeChanged,
        }
    }

    pub(crate) fn parameter_bounds_loosened(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionParameterBoundsLoosened,
            Callable::Method => RuleId::MethodParameterBoundsLoosened,
            Callable::TraitMethod => RuleId::TraitMethodParameterBoundsLoosened,
        }
    }

    pub(crate) fn receiver_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionReceiverChanged,
            Callable::Method => RuleId::MethodReceiverChanged,
            Callable::TraitMethod => RuleId::TraitMethodReceiverChanged,
        }
    }

    pub(crate) fn return_type_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionReturnTypeChanged,
            Callable::Method => RuleId::MethodReturnTypeChanged,
            Callable::TraitMethod => RuleId::TraitMethodReturnTypeChanged,
        }
    }

    pub(crate) fn variadic_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionVariadicChanged,
            Callable::Method => RuleId::MethodVariadicChanged,
            Callable::TraitMethod => RuleId::TraitMethodVariadicChanged,
        }
    }

    pub(crate) fn const_removed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionConstRemoved,
            Callable::Method => RuleId::MethodConstRemoved,
            Callable::TraitMethod => RuleId::TraitMethodConstRemoved,
        }
    }

    pub(crate) fn now_const(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionNowConst,
            Callable::Method => RuleId::MethodNowConst,
            Callable::TraitMethod => RuleId::TraitMethodNowConst,
        }
    }

    pub(crate) fn unsafe_added(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionUnsafeAdded,
            Callable::Method => RuleId::MethodUnsafeAdded,
            Callable::TraitMethod => RuleId::TraitMethodUnsafeAdded,
        }
    }

    pub(crate) fn unsafe_removed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionUnsafeRemoved,
            Callable::Method => RuleId::MethodUnsafeRemoved,
            Callable::TraitMethod => RuleId::TraitMethodUnsafeRemoved,
        }
    }

    pub(crate) fn async_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionAsyncChanged,
            Callable::Method => RuleId::MethodAsyncChanged,
            Callable::TraitMethod => RuleId::TraitMethodAsyncChanged,
        }
    }

    pub(crate) fn abi_changed(self) -> RuleId {
        match self {
            Callable::Function => RuleId::FunctionAbiChanged,
            Callable::Method => RuleId::MethodAbiChanged,
            Callable::TraitMethod => RuleId::TraitMethodAbiChanged,
        }
    }
}

impl Generic {
    /// `None` for impls: their own parameters follow the implementing type's and are not API.
    pub(crate) fn generic_params_changed(self) -> Option<RuleId> {
        match self {
            Generic::Function => Some(RuleId::FunctionGenericParamsChanged),
            Generic::Method => Some(RuleId::MethodGenericParamsChanged),
            Generic::TraitMethod => Some(RuleId::TraitMethodGenericParamsChanged),
            Generic::Struct => Some(RuleId::StructGenericParamsChanged),
            Generic::Enum => Some(RuleId::EnumGenericParamsChanged),
            Generic::Union => Some(RuleId::UnionGenericParamsChanged),
            Generic::Trait => Some(RuleId::TraitGenericParamsChanged),
            Generic::TypeAlias => Some(RuleId::TypeAliasGenericParamsChanged),
            Generic::TraitImpl | Generic::AutoTraitImpl => None,
        }
    }

    pub(crate) fn bounds_tightened(self) -> RuleId {
        match self {
            Generic::Function => RuleId::FunctionBoundsTightened,
            Generic::Method => RuleId::MethodBoundsTightened,
            Generic::TraitMethod => RuleId::TraitMethodBoundsTightened,
            Generic::Struct => RuleId::StructBoundsTightened,
            Generic::Enum => RuleId::EnumBoundsTightened,
            Generic::Union => RuleId::UnionBoundsTightened,
            Generic::Trait => RuleId::TraitBoundsTightened,
            Generic::TypeAlias => RuleId::TypeAliasBoundsTightened,
            Generic::TraitImpl => RuleId::TraitImplBoundsTightened,
            Generic::AutoTraitImpl => RuleId::AutoTraitImplBoundsTightened,
        }
    }

    pub(crate) fn bounds_loosened(self) -> RuleId {
        match self {
            Generic::Function => RuleId::FunctionBoundsLoosened,
            Generic::Method => RuleId::MethodBoundsLoosened,
            Generic::TraitMethod => RuleId::TraitMethodBoundsLoosened,
            Generic::Struct => RuleId::StructBoundsLoosened,
            Generic::Enum => RuleId::EnumBoundsLoosened,
            Generic::Union => RuleId::UnionBoundsLoosened,
            Generic::Trait => RuleId::TraitBoundsLoosened,
            Generic::TypeAlias => RuleId::TypeAliasBoundsLoosened,
            Generic::TraitImpl => RuleId::TraitImplBoundsLoosened,
            Generic::AutoTraitImpl => RuleId::AutoTraitImplBoundsLoosened,
        }
    }
}

impl NonExhaustive {
    pub(crate) fn marked_non_exhaustive(self) -> RuleId {
        match self {
            NonExhaustive::Struct => RuleId::StructMarkedNonExhaustive,
            NonExhaustive::Enum => RuleId::EnumMarkedNonExhaustive,
            NonExhaustive::EnumVariant => RuleId::EnumVariantMarkedNonExhaustive,
        }
    }

    pub(crate) fn no_longer_non_exhaustive(self) -> RuleId {
        match self {
            NonExhaustive::Struct => RuleId::StructNoLongerNonExhaustive,
            NonExhaustive::Enum => RuleId::EnumNoLongerNonExhaustive,
            NonExhaustive::EnumVariant => RuleId::EnumVariantNoLongerNonExhaustive,
        }
    }
}

impl FieldOwner {
    pub(crate) fn field_type_changed(self) -> RuleId {
        match self {
            FieldOwner::StructField => RuleId::StructFieldTypeChanged,
            FieldOwner::UnionField => RuleId::UnionFieldTypeChanged,
        }
    }
}
