//! `macro_rules!` matchers as structure: which inputs an arm accepts, so that the diff can tell
//! a rewritten macro that still accepts every old input from one that refuses some.
//!
//! Rewriting a matcher is common and mostly harmless (renamed metavariables, `$e:expr` widened
//! to `$($t:tt)*`, two arms merged into one with an optional part). Whether a new macro accepts
//! everything an old arm did is undecidable in general; apicheck decides it on sample inputs:
//! from the old arm it builds inputs with each repetition taken its fewest, one and two times and
//! each fragment as a typical input of its kind, and the arm is covered when some new arm matches
//! every sample. A fragment sample is matched by a fragment of the new arm that accepts every
//! input of the old kind (`ident` by `expr`, `ty`, `path`, `pat`, `tt`...), or by a `tt`
//! repetition, which accepts any tokens.

/// A matcher as canonical text: tokens separated by one space, metavariables renamed `$m0`,
/// `$m1`... in order of appearance (their names are not API).
pub fn canonical(matcher: &str) -> String {
    let tokens = tokenize(matcher);
    let mut names: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        if token == "$"
            && let Some(next) = tokens.get(index + 1)
            && is_word(next)
            && next != "crate"
        {
            let position = names.iter().position(|n| n == next).unwrap_or_else(|| {
                names.push(next.clone());
                names.len() - 1
            });
            out.push(format!("$m{position}"));
            index += 2;
            continue;
        }
        out.push(token.clone());
        index += 1;
    }
    out.join(" ")
}

/// A canonical matcher written compactly for people: `($m0:expr, $($m1:tt)*)`.
pub fn display(matcher: &str) -> String {
    let mut out = String::new();
    let mut previous = "";
    let mut before_previous = "";
    for token in matcher.split(' ') {
        // A repetition operator follows its group, or its separator: `$(..)*`, `$(..),+`.
        let operator = matches!(token, "*" | "+" | "?") && (previous == ")" || before_previous == ")");
        let glued = matches!(previous, "$" | "(" | "[" | "{" | "#" | ":" | "")
            || matches!(token, ")" | "]" | "}" | ":" | "," | ";")
            || operator;
        if !glued {
            out.push(' ');
        }
        out.push_str(token);
        before_previous = previous;
        previous = token;
    }
    out
}

/// The matchers of a `macro_rules!` as rustdoc shows it (`macro_rules! m { ($x:expr) => { ... }; }`),
/// each in canonical form, sorted. Bodies are not API.
pub fn arms(source: &str) -> Vec<String> {
    let tokens = tokenize(source);
    let Some(open) = tokens.iter().position(|t| closing(t).is_some()) else { return Vec::new() };
    let Some(close) = group_end(&tokens, open) else { return Vec::new() };
    let mut arms = Vec::new();
    let mut position = open + 1;
    while position < close {
        if tokens[position] == ";" {
            position += 1;
            continue;
        }
        // `(matcher) => { body }`
        let Some(matcher_end) = closing(&tokens[position]).and_then(|_| group_end(&tokens, position)) else { break };
        arms.push(canonical(&tokens[position..=matcher_end].join(" ")));
        let Some(body) = (matcher_end + 1..close).find(|i| closing(&tokens[*i]).is_some()) else { break };
        let Some(body_end) = group_end(&tokens, body) else { break };
        position = body_end + 1;
    }
    arms.sort();
    arms
}

/// Whether an arm is internal by convention: its matcher starts with `@name`, a marker callers
/// are not meant to write (the macro's recursive helper arms).
pub fn is_internal(matcher: &str) -> bool {
    let tokens = tokenize(matcher);
    tokens.get(1).is_some_and(|t| t == "@")
}

/// Whether some arm of `new_arms` accepts every sample input of `old_arm`.
pub fn covered(old_arm: &str, new_arms: &[String]) -> bool {
    let Some(old) = parse_arm(old_arm) else { return false };
    let news: Vec<Vec<Matcher>> = new_arms.iter().filter_map(|arm| parse_arm(arm)).collect();
    samples(&old).iter().all(|sample| news.iter().any(|new| matches(new, sample)))
}

/// One token tree of a matcher.
#[derive(Debug, Clone)]
enum Matcher {
    Token(String),
    Fragment(String),
    Group(char, Vec<Matcher>),
    Repeat { body: Vec<Matcher>, separator: Option<String>, op: char },
}

/// One token tree of a sample input.
#[derive(Debug, Clone)]
enum Input {
    Token(String),
    /// A typical input of a fragment kind.
    Fragment(String),
    Group(char, Vec<Input>),
}

fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
}

/// Rust tokens, roughly: words, lifetimes, numbers, string literals, single punctuation.
fn tokenize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c.is_whitespace() {
            index += 1;
        } else if c.is_alphanumeric() || c == '_' || (c == '\'' && chars.get(index + 1).is_some_and(|n| n.is_alphabetic())) {
            let start = index;
            index += 1;
            while index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_') {
                index += 1;
            }
            tokens.push(chars[start..index].iter().collect());
        } else if c == '"' {
            let start = index;
            index += 1;
            while index < chars.len() && chars[index] != '"' {
                index += if chars[index] == '\\' { 2 } else { 1 };
            }
            index = (index + 1).min(chars.len());
            tokens.push(chars[start..index].iter().collect());
        } else {
            tokens.push(c.to_string());
            index += 1;
        }
    }
    tokens
}

/// The token trees inside an arm's outer delimiters.
fn parse_arm(matcher: &str) -> Option<Vec<Matcher>> {
    let tokens = tokenize(matcher);
    let (first, last) = (tokens.first()?, tokens.last()?);
    if closing(first)? != last.as_str() {
        return None;
    }
    let mut position = 1;
    let parsed = parse_seq(&tokens, &mut position, tokens.len() - 1)?;
    Some(parsed)
}

fn closing(open: &str) -> Option<&'static str> {
    match open {
        "(" => Some(")"),
        "[" => Some("]"),
        "{" => Some("}"),
        _ => None,
    }
}

fn group_end(tokens: &[String], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        match token.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

fn parse_seq(tokens: &[String], position: &mut usize, end: usize) -> Option<Vec<Matcher>> {
    let mut out = Vec::new();
    while *position < end {
        let token = &tokens[*position];
        if token == "$" {
            let next = tokens.get(*position + 1)?;
            if next == "(" {
                let close = group_end(tokens, *position + 1)?;
                let mut inner = *position + 2;
                let body = parse_seq(tokens, &mut inner, close)?;
                *position = close + 1;
                let mut separator = None;
                let op_of = |t: &str| matches!(t, "*" | "+" | "?").then(|| t.chars().next().unwrap_or('*'));
                let op = match tokens.get(*position).and_then(|t| op_of(t)) {
                    Some(op) => op,
                    None => {
                        separator = tokens.get(*position).cloned();
                        *position += 1;
                        tokens.get(*position).and_then(|t| op_of(t))?
                    }
                };
                *position += 1;
                out.push(Matcher::Repeat { body, separator, op });
            } else if is_word(next) && tokens.get(*position + 2).is_some_and(|t| t == ":") {
                let kind = tokens.get(*position + 3)?.clone();
                out.push(Matcher::Fragment(kind));
                *position += 4;
            } else {
                out.push(Matcher::Token(format!("${next}")));
                *position += 2;
            }
        } else if let Some(close) = closing(token) {
            let end_index = group_end(tokens, *position)?;
            debug_assert_eq!(tokens[end_index], close);
            let mut inner = *position + 1;
            let body = parse_seq(tokens, &mut inner, end_index)?;
            out.push(Matcher::Group(token.chars().next().unwrap_or('('), body));
            *position = end_index + 1;
        } else {
            out.push(Matcher::Token(token.clone()));
            *position += 1;
        }
    }
    Some(out)
}

/// Sample inputs of a matcher: every repetition its fewest times, once, and twice (where its
/// operator allows).
fn samples(matcher: &[Matcher]) -> Vec<Vec<Input>> {
    [0usize, 1, 2].iter().map(|count| sample(matcher, *count)).collect()
}

fn sample(matcher: &[Matcher], count: usize) -> Vec<Input> {
    let mut out = Vec::new();
    for part in matcher {
        match part {
            Matcher::Token(token) => out.push(Input::Token(token.clone())),
            Matcher::Fragment(kind) => out.push(Input::Fragment(kind.clone())),
            Matcher::Group(delimiter, body) => out.push(Input::Group(*delimiter, sample(body, count))),
            Matcher::Repeat { body, separator, op } => {
                let times = match op {
                    '?' => count.min(1),
                    '+' => count.max(1),
                    _ => count,
                };
                for time in 0..times {
                    if time > 0
                        && let Some(separator) = separator
                    {
                        out.push(Input::Token(separator.clone()));
                    }
                    out.extend(sample(body, count));
                }
            }
        }
    }
    out
}

/// Whether a fragment of kind `accepting` accepts every input of kind `given`.
fn fragment_accepts(accepting: &str, given: &str) -> bool {
    if accepting == given {
        return true;
    }
    let wider: &[&str] = match given {
        "ident" => &["expr", "ty", "path", "pat", "pat_param", "meta", "tt"],
        "lifetime" => &["tt"],
        "literal" => &["expr", "pat", "pat_param", "tt"],
        "path" => &["ty", "meta"],
        "block" => &["expr", "tt"],
        "pat_param" => &["pat"],
        "expr_2021" => &["expr"],
        _ => &[],
    };
    wider.contains(&accepting)
}

/// Fragment kinds whose every input is a single token tree.
fn single_tree(kind: &str) -> bool {
    matches!(kind, "ident" | "lifetime" | "literal" | "tt" | "block")
}

fn matches(matcher: &[Matcher], input: &[Input]) -> bool {
    match_at(matcher, input, 0)
}

/// Whether `matcher` matches exactly `input`, backtracking over repetitions.
fn match_at(matcher: &[Matcher], input: &[Input], depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    let Some((first, rest)) = matcher.split_first() else { return input.is_empty() };
    match first {
        Matcher::Repeat { body, separator, op } => {
            let (min, max) = match op {
                '?' => (0, 1),
                '+' => (1, usize::MAX),
                _ => (0, usize::MAX),
            };
            // A `tt` repetition accepts any tokens: try every split of the input.
            if let [Matcher::Fragment(kind)] = body.as_slice()
                && kind == "tt"
                && separator.is_none()
            {
                return (0..=input.len()).any(|taken| taken >= min && match_at(rest, &input[taken..], depth + 1));
            }
            repeat(body, separator.as_deref(), min, max, rest, input, 0, depth + 1)
        }
        _ => {
            let Some((head, tail)) = input.split_first() else { return false };
            one(first, head) && match_at(rest, tail, depth + 1)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn repeat(body: &[Matcher], separator: Option<&str>, min: usize, max: usize, rest: &[Matcher], input: &[Input], done: usize, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    if done >= min && match_at(rest, input, depth + 1) {
        return true;
    }
    if done >= max {
        return false;
    }
    let mut input = input;
    if done > 0
        && let Some(separator) = separator
    {
        match input.split_first() {
            Some((Input::Token(token), tail)) if token == separator => input = tail,
            _ => return false,
        }
    }
    // Try every length of input for one more repetition of the body.
    (1..=input.len()).any(|taken| {
        match_at(body, &input[..taken], depth + 1) && repeat(body, separator, min, max, rest, &input[taken..], done + 1, depth + 1)
    })
}

/// Whether one matcher tree matches one input tree.
fn one(matcher: &Matcher, input: &Input) -> bool {
    match (matcher, input) {
        (Matcher::Token(expected), Input::Token(given)) => expected == given,
        (Matcher::Fragment(kind), Input::Fragment(given)) => {
            fragment_accepts(kind, given) || (kind == "tt" && single_tree(given))
        }
        (Matcher::Fragment(kind), Input::Token(token)) => match kind.as_str() {
            "tt" => true,
            "ident" => is_word(token),
            "expr" | "ty" | "path" | "pat" | "pat_param" | "meta" => is_word(token),
            "literal" => token.starts_with(|c: char| c.is_ascii_digit() || c == '"'),
            "lifetime" => token.starts_with('\''),
            _ => false,
        },
        (Matcher::Fragment(kind), Input::Group(delimiter, _)) => match kind.as_str() {
            "tt" => true,
            "block" => *delimiter == '{',
            "expr" => true,
            "ty" | "pat" => *delimiter != '{',
            _ => false,
        },
        (Matcher::Group(expected, body), Input::Group(given, inner)) => expected == given && matches(body, inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arm_list(list: &[&str]) -> Vec<String> {
        list.iter().map(|arm| arm.to_string()).collect()
    }

    #[test]
    fn renamed_metavariables_are_the_same_matcher() {
        assert_eq!(canonical("($a:expr, $b:ident)"), canonical("( $x : expr , $y:ident )"));
        assert_ne!(canonical("($a:expr)"), canonical("($a:ident)"));
    }

    #[test]
    fn a_wider_arm_covers_a_narrower_one() {
        assert!(covered("($e:expr)", &arm_list(&["($($t:tt)*)"])));
        assert!(covered("($i:ident)", &arm_list(&["($e:expr)"])));
        assert!(covered("($($k:expr => $v:expr,)+)", &arm_list(&["()", "($($k:expr => $v:expr),+ $(,)?)"])));
        assert!(covered("(if #[cfg($m:meta)] { $($t:tt)* })", &arm_list(&["(if #[cfg($($m:tt)+)] { $($t:tt)* } $(else { $($e:tt)* })?)"])));
    }

    #[test]
    fn a_narrower_arm_does_not_cover() {
        assert!(!covered("($x:expr)", &arm_list(&["($x:ident)"])));
        assert!(!covered("($x:expr, $y:expr)", &arm_list(&["($x:expr)"])));
        assert!(!covered("($($x:expr),*)", &arm_list(&["($($x:expr),+)"])));
    }

    #[test]
    fn matchers_display_compactly() {
        assert_eq!(display(&canonical("( $x:expr , $( $y:tt )* )")), "($m0:expr, $($m1:tt)*)");
        assert_eq!(display(&canonical("($($v:expr),+ $(,)?)")), "($($m0:expr),+ $(,)?)");
    }

    #[test]
    fn arms_are_read_from_rustdoc_s_macro_text() {
        let source = "macro_rules! square {\n    ($x:expr) => { ... };\n    ($x:expr, $y:expr) => { ... };\n}";
        assert_eq!(super::arms(source), ["( $m0 : expr )", "( $m0 : expr , $m1 : expr )"]);
    }

    #[test]
    fn internal_arms_start_with_an_at_marker() {
        assert!(is_internal("(@inner $x:tt)"));
        assert!(!is_internal("($x:tt)"));
    }
}
