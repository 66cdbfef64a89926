use super::*;
use crate::source::FileId;

fn load(text: &str) -> Node {
    crate::yaml::load(FileId(0), text, Default::default()).expect("yaml")
}

fn run(def: &str, mode: Mode) -> Vec<Diag> {
    let node = load(def);
    let mut d = Diags::new();
    check(
        &Definition {
            machine: "m",
            node: &node,
            at: Span::NONE,
            placeholders: false,
        },
        mode,
        &mut d,
    );
    d.into_vec()
}

fn codes(def: &str) -> Vec<&'static str> {
    run(def, Mode::Validate).iter().map(|x| x.code.id).collect()
}

#[test]
fn valid_machines_pass() {
    assert!(codes("StartAt: A\nStates:\n  A: {Type: Pass, Next: B}\n  B:\n    Type: Choice\n    Choices:\n      - Variable: $.x\n        StringEquals: a\n        Next: C\n      - And:\n          - {Variable: $.y, IsPresent: true}\n          - Not: {Variable: $.z, NumericEquals: 1}\n        Next: C\n    Default: D\n  C: {Type: Succeed}\n  D:\n    Type: Parallel\n    Branches:\n      - StartAt: E\n        States:\n          E: {Type: Task, Resource: arn:aws:states:::lambda:invoke, End: true, Catch: [{ErrorEquals: [States.ALL], Next: F}]}\n          F: {Type: Fail}\n    End: true\n").is_empty());
}

#[test]
fn findings() {
    assert_eq!(
        codes("StartAt: A\nStates:\n  A: {Type: Pass, Next: A}"),
        ["slsx::asl::no-terminal"]
    );
    assert_eq!(
        codes("StartAt: A\nStates:\n  A: {Type: Task, End: true, Arguments: {}}"),
        ["slsx::asl::unknown-field", "slsx::asl::missing-field"]
    );
    assert_eq!(
        codes("StartAt: A\nStates:\n  A: {Type: Wait, End: true}"),
        ["slsx::asl::exclusive-fields"]
    );
    assert_eq!(
        codes(
            "StartAt: A\nStates:\n  A: {Type: Map, End: true, ItemProcessor: {StartAt: A, States: {A: {Type: Succeed}}}}"
        ),
        ["slsx::asl::duplicate-state"]
    );
    assert_eq!(
        codes(
            "StartAt: A\nStates:\n  A: {Type: Pass, End: true}\n  B: {Type: Pass, Next: C}\n  C: {Type: Succeed}"
        ),
        ["slsx::asl::unreachable"],
        "C is named by B: only B is never entered"
    );
}

#[test]
fn no_cascades() {
    // an unknown target with no close name: nothing is said about unnamed states or ends
    assert_eq!(
        codes(
            "StartAt: Start\nStates:\n  Start: {Type: Pass, Next: Finish}\n  Other: {Type: Pass, Next: Start}"
        ),
        ["slsx::asl::unknown-target"]
    );
    // a close name counts as the one meant: `Other` is still never entered
    assert_eq!(
        codes(
            "StartAt: Start\nStates:\n  Start: {Type: Pass, Next: Chek}\n  Check: {Type: Succeed}\n  Other: {Type: Succeed}"
        ),
        ["slsx::asl::unknown-target", "slsx::asl::unreachable"]
    );
    // no StartAt: any state may be the first
    assert_eq!(
        codes("States:\n  A: {Type: Pass, End: true}\n  B: {Type: Succeed}"),
        ["slsx::asl::missing-field"]
    );
    // a state without a transition, or with an unknown Type, may be the end
    assert_eq!(
        codes("StartAt: A\nStates:\n  A: {Type: Pass}"),
        ["slsx::asl::transition"]
    );
    assert_eq!(
        codes("StartAt: A\nStates:\n  A: {Type: Pas, Next: B}\n  B: {Type: Pass, Next: A}"),
        ["slsx::asl::bad-type"],
        "the transitions of a state of unknown type still name states"
    );
    // a catcher without `Next` may have meant any state
    assert_eq!(
        codes(
            "StartAt: A\nStates:\n  A: {Type: Task, Resource: arn:aws:states:::sns:publish, End: true, Catch: [{ErrorEquals: [States.ALL]}]}\n  B: {Type: Fail}"
        ),
        ["slsx::asl::missing-field"]
    );
    // only the scope of the unknown target holds findings back
    assert_eq!(
        codes(
            "StartAt: P\nStates:\n  P:\n    Type: Parallel\n    End: true\n    Branches:\n      - StartAt: X\n        States: {X: {Type: Pass, Next: Nowhere}}\n  Lost: {Type: Succeed}"
        ),
        ["slsx::asl::unknown-target", "slsx::asl::unreachable"]
    );
}

#[test]
fn messages_name_the_machine_state_and_scope() {
    let d = run(
        "StartAt: A\nStates:\n  A: {Type: Pass, Next: Chek}\n  Check: {Type: Succeed}\n  P:\n    Type: Parallel\n    End: true\n    Branches:\n      - StartAt: X\n        States: {X: {Type: Pass, End: true}}\n      - StartAt: Y\n        States: {Y: {Type: Pass, Next: Check}}",
        Mode::Expand,
    );
    let texts: Vec<String> = d.iter().map(|d| d.message.clone()).collect();
    assert_eq!(
        texts,
        [
            "state machine `m`, state `A`: `Next` names `Chek`, which is not a state of its scope",
            "state machine `m`, state `Y`: `Next` names `Check`, which is not a state of its scope",
            "state machine `m`: state `P` is never entered",
        ]
    );
    assert_eq!(
        d[0].labels[0].text,
        "no state `Chek` in the definition; did you mean `Check`?"
    );
    assert_eq!(d[1].labels[0].text, "no state `Check` in branch 2 of `P`");
    assert_eq!(d[1].labels[1].text, "a state of another scope");
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
}

#[test]
fn help_fits_the_mode() {
    let def = "StartAt: A\nStates:\n  A: {Type: Pass, Next: A}";
    let help = |mode| run(def, mode)[0].help.clone().unwrap_or_default();
    assert!(
        help(Mode::Expand).contains("set `stepFunctions.validate: true` to make this an error")
    );
    assert!(help(Mode::Validate).contains("`stepFunctions.validate: true` makes the plugin stop"));
    let config = load("service: x");
    let check = help(Mode::Check {
        validate: false,
        config: &config,
    });
    assert!(
        check.ends_with("Step Functions rejects this definition when the stack deploys"),
        "{check}"
    );
    assert_eq!(
        run(
            def,
            Mode::Check {
                validate: false,
                config: &config
            }
        )[0]
        .severity,
        Severity::Error
    );
}

#[test]
fn lints_only_in_check() {
    let config = load("functions:\n  f: {handler: h.f, timeout: 5}\n");
    let def = "StartAt: C\nStates:\n  C:\n    Type: Choice\n    Choices: [{Variable: $.x, IsNull: true, Next: T}]\n  T: {Type: Task, Resource: !GetAtt f.Arn, TimeoutSeconds: 10, End: true}";
    assert!(run(def, Mode::Expand).is_empty());
    let d = run(
        def,
        Mode::Check {
            validate: false,
            config: &config,
        },
    );
    let codes: Vec<(&str, Severity)> = d.iter().map(|d| (d.code.id, d.severity)).collect();
    assert_eq!(
        codes,
        [
            ("slsx::lint::asl-choice-without-default", Severity::Warning),
            ("slsx::lint::asl-task-timeout", Severity::Warning),
        ]
    );
}

#[test]
fn validator_only_rules() {
    let config = load("service: x");
    let intrinsic = "StartAt: W\nStates:\n  W: {Type: Wait, Seconds: !Ref S, End: true}";
    assert!(run(intrinsic, Mode::Expand).is_empty());
    assert_eq!(run(intrinsic, Mode::Validate).len(), 1);
    assert!(
        run(
            intrinsic,
            Mode::Check {
                validate: false,
                config: &config
            }
        )
        .is_empty()
    );
    assert_eq!(
        run(
            intrinsic,
            Mode::Check {
                validate: true,
                config: &config
            }
        )
        .len(),
        1
    );
    let string = "'{\"StartAt\": \"A\"}'";
    assert!(run(string, Mode::Expand).is_empty());
    assert_eq!(
        run(string, Mode::Validate)[0].code.id,
        "slsx::asl::not-object"
    );
}

#[test]
fn placeholders_stand_for_numbers() {
    let node = load("StartAt: W\nStates:\n  W: {Type: Wait, Seconds: '${Delay}', End: true}");
    let mut d = Diags::new();
    let def = |placeholders| Definition {
        machine: "m",
        node: &node,
        at: Span::NONE,
        placeholders,
    };
    check(&def(true), Mode::Expand, &mut d);
    assert!(d.is_empty());
    check(&def(false), Mode::Expand, &mut d);
    assert_eq!(
        d.iter().map(|d| d.code.id).collect::<Vec<_>>(),
        ["slsx::asl::bad-value"]
    );
}

#[test]
fn field_table() {
    let pass = schema::fields("Pass", false);
    let parallel = schema::fields("Parallel", true);
    assert!(pass.contains(&"Result") && !pass.contains(&"Branches"));
    assert!(parallel.contains(&"Branches") && parallel.contains(&"Arguments"));
    assert!(!parallel.contains(&"Parameters"), "a JSONPath field");
    assert!(schema::fields("Nope", false).is_empty());
}

/// The findings of `def` under `validate: true`, with their severities.
fn validated(def: &str) -> Vec<(&'static str, Severity)> {
    run(def, Mode::Validate)
        .iter()
        .map(|d| (d.code.id, d.severity))
        .collect()
}

#[test]
fn what_asl_validator_lets_through_is_a_warning_under_validate() {
    use Severity::{Error, Warning};
    // a nested Choice rule with `Next`: an error only when the target names no state
    let nested = |next: &str| {
        format!(
            "StartAt: A\nStates:\n  A:\n    Type: Choice\n    Choices:\n      - And: [{{Variable: $.a, IsPresent: true, Next: {next}}}]\n        Next: B\n  B: {{Type: Succeed}}"
        )
    };
    assert_eq!(
        validated(&nested("B")),
        [("slsx::asl::bad-choice", Warning)]
    );
    assert_eq!(
        validated(&nested("Nope")),
        [("slsx::asl::bad-choice", Error)]
    );
    // `Branches: []`, but not `Choices: []`
    assert_eq!(
        validated("StartAt: A\nStates:\n  A: {Type: Parallel, Branches: [], End: true}"),
        [("slsx::asl::bad-value", Warning)]
    );
    assert_eq!(
        validated(
            "StartAt: A\nStates:\n  A: {Type: Choice, Choices: [], Default: B}\n  B: {Type: Succeed}"
        ),
        [("slsx::asl::bad-choice", Error)]
    );
    // a state only a key inside `Parameters` names
    assert_eq!(
        validated(
            "StartAt: A\nStates:\n  A: {Type: Pass, Parameters: {Next: O}, End: true}\n  O: {Type: Succeed}"
        ),
        [("slsx::asl::unreachable", Warning)]
    );
    // leaving an ItemProcessor: a warning; leaving an Iterator or a Parallel branch: an error
    let out = |container: &str, key: &str| {
        format!(
            "StartAt: A\nStates:\n  A:\n    Type: {container}\n    {key}\n      StartAt: B\n      States:\n        B: {{Type: Choice, Choices: [{{Variable: $.x, IsNull: true, Next: Done}}], Default: F}}\n        F: {{Type: Succeed}}\n    Next: Done\n  Done: {{Type: Succeed}}"
        )
    };
    assert_eq!(
        validated(&out("Map", "ItemProcessor:")),
        [("slsx::asl::unknown-target", Warning)]
    );
    for (container, key) in [("Map", "Iterator:"), ("Parallel", "Branches:\n     -")] {
        let def = out(container, key);
        assert!(
            validated(&def).contains(&("slsx::asl::unknown-target", Error)),
            "{def}"
        );
    }
    // asl-validator does not look into the catchers of a Map or Parallel state in a branch,
    // nor at the `StartAt` of a branch
    assert_eq!(
        validated(
            "StartAt: A\nStates:\n  A:\n    Type: Parallel\n    End: true\n    Branches:\n      - StartAt: P\n        States:\n          P:\n            Type: Parallel\n            End: true\n            Branches: [{StartAt: Q, States: {Q: {Type: Succeed}}}]\n            Catch: [{ErrorEquals: [States.ALL], Next: Oops}]\n  Oops: {Type: Fail}"
        ),
        [
            ("slsx::asl::unknown-target", Warning),
            ("slsx::asl::unreachable", Warning)
        ]
    );
    // `slsx check` reports them all as errors
    let config = load("service: x");
    let check = Mode::Check {
        validate: true,
        config: &config,
    };
    let d = run(&nested("B"), check);
    assert_eq!(d[0].severity, Error);
    let help = run(&nested("B"), Mode::Validate)[0]
        .help
        .clone()
        .unwrap_or_default();
    assert!(help.contains("`validate` does not catch this"), "{help}");
    let help = run(&nested("B"), Mode::Expand)[0]
        .help
        .clone()
        .unwrap_or_default();
    assert!(
        help.contains("`stepFunctions.validate: true` does not catch this"),
        "{help}"
    );
}

#[test]
fn a_warning_does_not_hold_back_an_error() {
    use Severity::{Error, Warning};
    // the ItemProcessor leaves to `Done` (a warning) and has no terminal state (an error)
    assert_eq!(
        validated(
            "StartAt: A\nStates:\n  A:\n    Type: Map\n    ItemProcessor: {StartAt: B, States: {B: {Type: Pass, Next: Done}}}\n    Next: Done\n  Done: {Type: Succeed}"
        ),
        [
            ("slsx::asl::unknown-target", Warning),
            ("slsx::asl::no-terminal", Error)
        ]
    );
    // ... and `X`, which nothing names anywhere, is never entered (an error)
    assert_eq!(
        validated(
            "StartAt: A\nStates:\n  A:\n    Type: Map\n    ItemProcessor: {StartAt: B, States: {B: {Type: Pass, Next: Done}, X: {Type: Succeed}}}\n    End: true\n  Done: {Type: Succeed}"
        ),
        [
            ("slsx::asl::unknown-target", Warning),
            ("slsx::asl::unreachable", Error),
            ("slsx::asl::unreachable", Warning)
        ]
    );
    // an empty `States` whose `StartAt` names a state elsewhere still needs a terminal state
    assert!(
        validated("StartAt: A\nStates:\n  A:\n    Type: Map\n    ItemProcessor: {StartAt: A, States: {}}\n    End: true")
            .contains(&("slsx::asl::no-terminal", Error))
    );
}
