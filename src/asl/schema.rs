//! The States Language tables the checker reads: state types, the fields of each type per
//! query language, mutually exclusive fields and the JSONPath Choice operators (after
//! asl-validator's JSON schemas and its `stateChecks`).

/// The eight state types.
pub const TYPES: [&str; 8] = [
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// The fields of the state types, after asl-validator's schemas: each field with the types that
/// have it in JSONPath and in JSONata, by initial — `T`ask, `P`ass, `C`hoice, `W`ait,
/// `S`ucceed, `F`ail, para`L`lel, `M`ap.
#[rustfmt::skip]
const FIELDS: &[(&str, &str, &str)] = &[
    // field                            JSONPath    JSONata
    ("Type",                            "TPCWSFLM", "TPCWSFLM"),
    ("Next",                            "TPWLM",    "TPWLM"),
    ("End",                             "TPCWLM",   "TPCWLM"),
    ("Comment",                         "TPCWSFLM", "TPCWSFLM"),
    ("OutputPath",                      "TPCWSLM",  ""),
    ("InputPath",                       "TPCWSLM",  ""),
    ("Resource",                        "T",        "T"),
    ("ResultPath",                      "TPLM",     ""),
    ("Retry",                           "TLM",      "TLM"),
    ("Catch",                           "TLM",      "TLM"),
    ("TimeoutSeconds",                  "T",        "T"),
    ("TimeoutSecondsPath",              "T",        ""),
    ("HeartbeatSeconds",                "T",        "T"),
    ("HeartbeatSecondsPath",            "T",        ""),
    ("ResultSelector",                  "TLM",      ""),
    ("Parameters",                      "TPLM",     ""),
    ("Credentials",                     "T",        "T"),
    ("Assign",                          "TPCWLM",   "TPCWLM"),
    ("QueryLanguage",                   "TPCWSFLM", "TPCWSFLM"),
    ("Output",                          "",         "TPCWSLM"),
    ("Arguments",                       "",         "TL"),
    ("Result",                          "P",        "P"),
    ("Default",                         "C",        "C"),
    ("Choices",                         "C",        "C"),
    ("Seconds",                         "W",        "W"),
    ("Timestamp",                       "W",        "W"),
    ("SecondsPath",                     "W",        ""),
    ("TimestampPath",                   "W",        ""),
    ("Cause",                           "F",        "F"),
    ("CausePath",                       "F",        ""),
    ("Error",                           "F",        "F"),
    ("ErrorPath",                       "F",        ""),
    ("Branches",                        "L",        "L"),
    ("ItemsPath",                       "M",        ""),
    ("Label",                           "M",        "M"),
    ("MaxConcurrency",                  "M",        "M"),
    ("MaxConcurrencyPath",              "M",        ""),
    ("ItemReader",                      "M",        "M"),
    ("ItemProcessor",                   "M",        "M"),
    ("Iterator",                        "M",        "M"),
    ("ItemSelector",                    "M",        "M"),
    ("ItemBatcher",                     "M",        "M"),
    ("ResultWriter",                    "M",        "M"),
    ("ToleratedFailureCount",           "M",        "M"),
    ("ToleratedFailureCountPath",       "M",        ""),
    ("ToleratedFailurePercentage",      "M",        "M"),
    ("ToleratedFailurePercentagePath",  "M",        ""),
    ("Items",                           "",         "M"),
];

/// The initial that stands for a state type in [`FIELDS`].
fn initial(ty: &str) -> Option<char> {
    match ty {
        "Parallel" => Some('L'),
        _ => ty.chars().next().filter(|_| TYPES.contains(&ty)),
    }
}

/// The fields of a state type in JSONPath or JSONata, in [`FIELDS`] order.
pub fn fields(ty: &str, jsonata: bool) -> Vec<&'static str> {
    let Some(c) = initial(ty) else {
        return Vec::new();
    };
    FIELDS
        .iter()
        .filter(|(_, path, ata)| if jsonata { ata } else { path }.contains(c))
        .map(|(f, _, _)| *f)
        .collect()
}

/// Fields of which a state may have at most one (`exactly`: exactly one), by state type.
pub const EXCLUSIVE: &[(&str, &[&str], bool)] = &[
    ("Task", &["TimeoutSeconds", "TimeoutSecondsPath"], false),
    ("Task", &["HeartbeatSeconds", "HeartbeatSecondsPath"], false),
    ("Map", &["ItemProcessor", "Iterator"], true),
    ("Map", &["ItemSelector", "Parameters"], false),
    (
        "Wait",
        &["Seconds", "SecondsPath", "Timestamp", "TimestampPath"],
        true,
    ),
    (
        "Map",
        &["ToleratedFailureCount", "ToleratedFailureCountPath"],
        false,
    ),
    (
        "Map",
        &[
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
        ],
        false,
    ),
    ("Map", &["MaxConcurrency", "MaxConcurrencyPath"], false),
    ("Map", &["Items", "ItemsPath"], false),
    ("Fail", &["Cause", "CausePath"], false),
    ("Fail", &["Error", "ErrorPath"], false),
];

/// JSONPath Choice comparison operators.
pub const COMPARISONS: [&str; 39] = [
    "IsNull",
    "IsPresent",
    "BooleanEquals",
    "BooleanEqualsPath",
    "IsBoolean",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "IsNumeric",
    "StringEquals",
    "StringEqualsPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringMatches",
    "IsString",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "IsTimestamp",
];

/// The fields of a state machine definition itself.
pub const DEFINITION_FIELDS: [&str; 6] = [
    "Comment",
    "StartAt",
    "States",
    "Version",
    "TimeoutSeconds",
    "QueryLanguage",
];
