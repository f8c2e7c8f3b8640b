//! The kinds of mutation the campaign applies, for choosing them and counting them.

/// One kind of edit to an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mutation {
    /// Remove one feature.
    DropFeature,
    /// Repeat one feature (sometimes under a fresh id).
    DuplicateFeature,
    /// Exchange two features.
    SwapFeatures,
    /// Remove one member of an object (a property, `plan`, `geometry`...).
    DropMember,
    /// Copy a member of one object into another.
    CopyMember,
    /// Exchange the values of two members of an object.
    SwapMembers,
    /// Rename a member (typos, `x_` prefixes, `/` and `~` that pointers must escape).
    RenameKey,
    /// Replace a value by one of another JSON type.
    ChangeType,
    /// Replace a number by a boundary value (0, -1, 2^31, 2^32, 2^53, 1e308, -0.0...).
    BoundaryNumber,
    /// Replace a string by an impossible, far or malformed date.
    Date,
    /// Blow an array up to thousands of elements.
    HugeArray,
    /// Wrap a value in arrays or objects nested past serde's recursion limit.
    DeepNesting,
    /// Replace a value by `[]`, `{}`, `""` or nested empty arrays.
    EmptyContainer,
    /// Replace a geometry's coordinates by a degenerate or extreme shape.
    Coordinates,
    /// Edit one position inside a geometry (repeat, drop, nudge, push to a bound).
    Position,
    /// Change a geometry's `type`.
    GeometryType,
    /// Replace a string or key by unicode, escapes, control characters or a long text.
    Unicode,
    /// Flip bits of the raw bytes.
    BitFlip,
    /// Cut the raw bytes short.
    Truncate,
    /// Insert JSON tokens or random bytes.
    InsertBytes,
    /// Delete a range of bytes.
    DeleteRange,
    /// Repeat a range of bytes elsewhere.
    DuplicateRange,
    /// Join the head of this input to the tail of another.
    Splice,
    /// Rewrite a number's text (`1e400`, `-0`, 30 digits, `0x1F`, `NaN`...).
    NumberText,
    /// Insert a member right after an opening brace (duplicate `features`, `plan`, `id`...).
    DuplicateKey,
}

impl Mutation {
    /// The mutations of the parsed tree.
    pub const STRUCTURAL: [Mutation; 17] = [
        Mutation::DropFeature,
        Mutation::DuplicateFeature,
        Mutation::SwapFeatures,
        Mutation::DropMember,
        Mutation::CopyMember,
        Mutation::SwapMembers,
        Mutation::RenameKey,
        Mutation::ChangeType,
        Mutation::BoundaryNumber,
        Mutation::Date,
        Mutation::HugeArray,
        Mutation::DeepNesting,
        Mutation::EmptyContainer,
        Mutation::Coordinates,
        Mutation::Position,
        Mutation::GeometryType,
        Mutation::Unicode,
    ];

    /// The mutations of the raw bytes.
    pub const RAW: [Mutation; 8] = [
        Mutation::BitFlip,
        Mutation::Truncate,
        Mutation::InsertBytes,
        Mutation::DeleteRange,
        Mutation::DuplicateRange,
        Mutation::Splice,
        Mutation::NumberText,
        Mutation::DuplicateKey,
    ];

    /// A short name for reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            Mutation::DropFeature => "drop_feature",
            Mutation::DuplicateFeature => "duplicate_feature",
            Mutation::SwapFeatures => "swap_features",
            Mutation::DropMember => "drop_member",
            Mutation::CopyMember => "copy_member",
            Mutation::SwapMembers => "swap_members",
            Mutation::RenameKey => "rename_key",
            Mutation::ChangeType => "change_type",
            Mutation::BoundaryNumber => "boundary_number",
            Mutation::Date => "date",
            Mutation::HugeArray => "huge_array",
            Mutation::DeepNesting => "deep_nesting",
            Mutation::EmptyContainer => "empty_container",
            Mutation::Coordinates => "coordinates",
            Mutation::Position => "position",
            Mutation::GeometryType => "geometry_type",
            Mutation::Unicode => "unicode",
            Mutation::BitFlip => "bit_flip",
            Mutation::Truncate => "truncate",
            Mutation::InsertBytes => "insert_bytes",
            Mutation::DeleteRange => "delete_range",
            Mutation::DuplicateRange => "duplicate_range",
            Mutation::Splice => "splice",
            Mutation::NumberText => "number_text",
            Mutation::DuplicateKey => "duplicate_key",
        }
    }
}
