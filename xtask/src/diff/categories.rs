//! Change categories: every id the diff can report, with whether it breaks a client, built from
//! the side (request or response), the subject and the aspect that changed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Change, Location};

/// One change category: an id and its classification.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Category {
    /// The oasdiff-style id.
    pub id: String,
    /// Whether changes of this category are breaking.
    pub breaking: bool,
}

/// Every category [`diff`](super::diff()) can report, sorted by id, with its breaking flag.
pub fn categories() -> Vec<Category> {
    let mut all = BTreeMap::new();
    for aspect in OpAspect::ALL {
        all.insert(aspect.id().to_string(), aspect.breaking());
    }
    for (side, subject) in [
        (Side::Request, Subject::Parameter),
        (Side::Request, Subject::Property),
        (Side::Request, Subject::Body),
        (Side::Response, Subject::Property),
        (Side::Response, Subject::Body),
    ] {
        for aspect in SchemaAspect::all() {
            if aspect.applies_to(subject) {
                all.insert(aspect.id(side, subject), aspect.breaking(side));
            }
        }
    }
    all.into_iter()
        .map(|(id, breaking)| Category { id, breaking })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Change kinds.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Side {
    Request,
    Response,
}

/// What a schema change is attached to; decides the id prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Subject {
    /// The schema of a parameter.
    Parameter,
    /// A property of an object (at any depth, also array items and options below a property).
    Property,
    /// The body schema itself (and its items and options).
    Body,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bound {
    Min,
    Max,
    MinLength,
    MaxLength,
    MinItems,
    MaxItems,
}

impl Bound {
    pub(super) const ALL: [Bound; 6] = [
        Bound::Min,
        Bound::Max,
        Bound::MinLength,
        Bound::MaxLength,
        Bound::MinItems,
        Bound::MaxItems,
    ];

    pub(super) fn keyword(self) -> &'static str {
        match self {
            Bound::Min => "minimum",
            Bound::Max => "maximum",
            Bound::MinLength => "minLength",
            Bound::MaxLength => "maxLength",
            Bound::MinItems => "minItems",
            Bound::MaxItems => "maxItems",
        }
    }

    pub(super) fn slug(self) -> &'static str {
        match self {
            Bound::Min => "min",
            Bound::Max => "max",
            Bound::MinLength => "min-length",
            Bound::MaxLength => "max-length",
            Bound::MinItems => "min-items",
            Bound::MaxItems => "max-items",
        }
    }

    pub(super) fn is_lower(self) -> bool {
        matches!(self, Bound::Min | Bound::MinLength | Bound::MinItems)
    }

    /// Whether an absent bound means 0 (`minLength`, `minItems`).
    pub(super) fn absent_is_zero(self) -> bool {
        matches!(self, Bound::MinLength | Bound::MinItems)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum BoundChange {
    Increased,
    Decreased,
    Set,
    Unset,
}

impl BoundChange {
    pub(super) const ALL: [BoundChange; 4] = [
        BoundChange::Increased,
        BoundChange::Decreased,
        BoundChange::Set,
        BoundChange::Unset,
    ];

    pub(super) fn slug(self) -> &'static str {
        match self {
            BoundChange::Increased => "increased",
            BoundChange::Decreased => "decreased",
            BoundChange::Set => "set",
            BoundChange::Unset => "unset",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Comb {
    AnyOf,
    OneOf,
}

impl Comb {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            Comb::AnyOf => "anyOf",
            Comb::OneOf => "oneOf",
        }
    }

    pub(super) fn slug(self) -> &'static str {
        match self {
            Comb::AnyOf => "any-of",
            Comb::OneOf => "one-of",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SchemaAspect {
    Added { required: bool },
    Removed { required: bool },
    BecameRequired,
    BecameOptional,
    TypeChanged,
    BecameNullable,
    BecameNotNullable,
    FormatAdded,
    FormatRemoved,
    FormatChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumSet,
    EnumUnset,
    DefaultAdded,
    DefaultRemoved,
    DefaultChanged,
    Range(Bound, BoundChange),
    OptionAdded(Comb),
    OptionRemoved(Comb),
}

impl SchemaAspect {
    pub(super) fn all() -> Vec<SchemaAspect> {
        use SchemaAspect::*;
        let mut v = vec![
            Added { required: true },
            Added { required: false },
            Removed { required: true },
            Removed { required: false },
            BecameRequired,
            BecameOptional,
            TypeChanged,
            BecameNullable,
            BecameNotNullable,
            FormatAdded,
            FormatRemoved,
            FormatChanged,
            EnumValueAdded,
            EnumValueRemoved,
            EnumSet,
            EnumUnset,
            DefaultAdded,
            DefaultRemoved,
            DefaultChanged,
            OptionAdded(Comb::AnyOf),
            OptionRemoved(Comb::AnyOf),
            OptionAdded(Comb::OneOf),
            OptionRemoved(Comb::OneOf),
        ];
        for b in Bound::ALL {
            for c in BoundChange::ALL {
                v.push(Range(b, c));
            }
        }
        v
    }

    /// Field-level aspects (presence, required-ness) do not apply to a body schema: those are
    /// operation-level changes there.
    pub(super) fn applies_to(self, subject: Subject) -> bool {
        use SchemaAspect::*;
        !(subject == Subject::Body
            && matches!(
                self,
                Added { .. } | Removed { .. } | BecameRequired | BecameOptional
            ))
    }

    pub(super) fn id(self, side: Side, subject: Subject) -> String {
        use SchemaAspect::*;
        let req = |r: bool| if r { "required" } else { "optional" };
        let prefix = match (side, subject) {
            (Side::Request, Subject::Parameter) => "request-parameter",
            (Side::Request, Subject::Property) => "request-property",
            (Side::Request, Subject::Body) => "request-body",
            (Side::Response, Subject::Body) => "response-body",
            (Side::Response, _) => "response-property",
        };
        let noun = if subject == Subject::Parameter {
            "parameter"
        } else {
            "property"
        };
        let suffix = match self {
            Added { required } => {
                return match side {
                    Side::Request => format!("new-{}-request-{noun}", req(required)),
                    Side::Response => format!("response-{}-property-added", req(required)),
                }
            }
            Removed { required } => {
                return match side {
                    Side::Request => format!("request-{noun}-removed"),
                    Side::Response => format!("response-{}-property-removed", req(required)),
                }
            }
            BecameRequired => "became-required".to_string(),
            BecameOptional => "became-optional".to_string(),
            TypeChanged => "type-changed".to_string(),
            BecameNullable => "became-nullable".to_string(),
            BecameNotNullable => "became-not-nullable".to_string(),
            FormatAdded => "format-added".to_string(),
            FormatRemoved => "format-removed".to_string(),
            FormatChanged => "format-changed".to_string(),
            EnumValueAdded => "enum-value-added".to_string(),
            EnumValueRemoved => "enum-value-removed".to_string(),
            EnumSet => "enum-set".to_string(),
            EnumUnset => "enum-unset".to_string(),
            DefaultAdded => "default-value-added".to_string(),
            DefaultRemoved => "default-value-removed".to_string(),
            DefaultChanged => "default-value-changed".to_string(),
            Range(b, c) => format!("{}-{}", b.slug(), c.slug()),
            OptionAdded(c) => format!("{}-added", c.slug()),
            OptionRemoved(c) => format!("{}-removed", c.slug()),
        };
        format!("{prefix}-{suffix}")
    }

    /// Whether the change narrows what is allowed at this place (the rules of the module doc
    /// are: request side breaking when narrowed, response side breaking when widened).
    pub(super) fn breaking(self, side: Side) -> bool {
        use SchemaAspect::*;
        let request = side == Side::Request;
        match self {
            Added { required } => request && required,
            Removed { .. } => true,
            BecameRequired => request,
            BecameOptional => !request,
            TypeChanged => true,
            BecameNullable => !request,
            BecameNotNullable => request,
            FormatAdded => request,
            FormatRemoved => !request,
            FormatChanged => true,
            EnumValueAdded => !request,
            EnumValueRemoved => request,
            EnumSet => request,
            EnumUnset => !request,
            DefaultAdded | DefaultRemoved | DefaultChanged => false,
            Range(b, c) => {
                let narrowed = match c {
                    BoundChange::Set => true,
                    BoundChange::Unset => false,
                    BoundChange::Increased => b.is_lower(),
                    BoundChange::Decreased => !b.is_lower(),
                };
                narrowed == request
            }
            OptionAdded(_) => !request,
            OptionRemoved(_) => request,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OpAspect {
    EndpointAdded,
    ApiRemoved { deprecated: bool },
    OperationIdUpdated,
    Deprecated,
    Reactivated,
    SecurityAdded,
    SecurityRemoved,
    SecurityChanged,
    TagAdded,
    TagRemoved,
    RequestBodyAdded { required: bool },
    RequestBodyRemoved,
    RequestBodyBecameRequired,
    RequestBodyBecameOptional,
    SuccessStatusAdded,
    SuccessStatusRemoved,
}

impl OpAspect {
    pub(super) const ALL: [OpAspect; 18] = [
        OpAspect::EndpointAdded,
        OpAspect::ApiRemoved { deprecated: false },
        OpAspect::ApiRemoved { deprecated: true },
        OpAspect::OperationIdUpdated,
        OpAspect::Deprecated,
        OpAspect::Reactivated,
        OpAspect::SecurityAdded,
        OpAspect::SecurityRemoved,
        OpAspect::SecurityChanged,
        OpAspect::TagAdded,
        OpAspect::TagRemoved,
        OpAspect::RequestBodyAdded { required: true },
        OpAspect::RequestBodyAdded { required: false },
        OpAspect::RequestBodyRemoved,
        OpAspect::RequestBodyBecameRequired,
        OpAspect::RequestBodyBecameOptional,
        OpAspect::SuccessStatusAdded,
        OpAspect::SuccessStatusRemoved,
    ];

    pub(super) fn id(self) -> &'static str {
        match self {
            OpAspect::EndpointAdded => "endpoint-added",
            OpAspect::ApiRemoved { deprecated: false } => "api-removed-without-deprecation",
            OpAspect::ApiRemoved { deprecated: true } => "api-removed-with-deprecation",
            OpAspect::OperationIdUpdated => "api-operation-id-updated",
            OpAspect::Deprecated => "api-deprecated",
            OpAspect::Reactivated => "api-reactivated",
            OpAspect::SecurityAdded => "api-security-added",
            OpAspect::SecurityRemoved => "api-security-removed",
            OpAspect::SecurityChanged => "api-security-changed",
            OpAspect::TagAdded => "api-tag-added",
            OpAspect::TagRemoved => "api-tag-removed",
            OpAspect::RequestBodyAdded { required: true } => "added-required-request-body",
            OpAspect::RequestBodyAdded { required: false } => "added-optional-request-body",
            OpAspect::RequestBodyRemoved => "request-body-removed",
            OpAspect::RequestBodyBecameRequired => "request-body-became-required",
            OpAspect::RequestBodyBecameOptional => "request-body-became-optional",
            OpAspect::SuccessStatusAdded => "response-success-status-added",
            OpAspect::SuccessStatusRemoved => "response-success-status-removed",
        }
    }

    pub(super) fn breaking(self) -> bool {
        matches!(
            self,
            OpAspect::ApiRemoved { .. }
                | OpAspect::OperationIdUpdated
                | OpAspect::SecurityAdded
                | OpAspect::SecurityChanged
                | OpAspect::RequestBodyAdded { required: true }
                | OpAspect::RequestBodyRemoved
                | OpAspect::RequestBodyBecameRequired
                | OpAspect::SuccessStatusRemoved
        )
    }
}

pub(super) fn op_change(aspect: OpAspect, detail: String) -> Change {
    Change {
        id: aspect.id().to_string(),
        breaking: aspect.breaking(),
        location: Location::Operation,
        field: String::new(),
        detail,
    }
}
