//! Every generated module — blocks and kernels — passes `verilator --lint-only -Wall`, with
//! only the waivers of sim/verilator/lint_waivers.vlt (each justified there) and, for width
//! warnings, only on the lines that are rust-hdl's sized-literal idiom (see [`literal_idiom`]).

use std::collections::HashMap;
use std::process::Command;

const WAIVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/verilator/lint_waivers.vlt");

/// The warnings and errors `verilator --lint-only -Wall` gives `file` (top module `top`) beside
/// the waivers (not its closing "Exiting due to N warning(s)").
fn lint(file: &str, top: &str) -> Vec<String> {
    let out = Command::new("verilator")
        .args(["--lint-only", "-Wall", "--top-module", top, WAIVERS, file])
        .output()
        .expect("run verilator (apt-get install -y verilator)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems: Vec<String> = stderr
        .lines()
        .filter(|l| (l.starts_with("%Warning") || l.starts_with("%Error")) && !l.starts_with("%Error: Exiting due to"))
        .map(str::to_string)
        .collect();
    if !out.status.success() && problems.is_empty() {
        problems.push(format!("verilator failed on {file}: {stderr}"));
    }
    problems
}

/// A WIDTH warning: its line (1-based) and message.
struct Width<'a> {
    line: usize,
    message: &'a str,
}

fn parse_width(warning: &str) -> Option<Width<'_>> {
    let rest = warning.strip_prefix("%Warning-WIDTH: ")?;
    let mut parts = rest.splitn(4, ':');
    let (_file, line, _col, message) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    Some(Width { line: line.trim().parse().ok()?, message: message.trim() })
}

/// The number between `prefix` and `suffix` in `text`.
fn number_between(text: &str, prefix: &str, suffix: &str) -> Option<usize> {
    let start = text.find(prefix)? + prefix.len();
    let end = start + text[start..].find(suffix)?;
    text[start..end].parse().ok()
}

/// A token of a generated Verilog expression.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    /// A sized hex literal: its width.
    Literal(usize),
    Op(&'static str),
    Open,
    Close,
}

fn tokenize(expr: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = expr.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' => {
                chars.next();
            }
            '(' | ')' => {
                tokens.push(if c == '(' { Token::Open } else { Token::Close });
                chars.next();
            }
            '+' | '-' | '|' | '&' => {
                chars.next();
                tokens.push(Token::Op(match c {
                    '+' => "+",
                    '-' => "-",
                    '|' => "|",
                    _ => "&",
                }));
            }
            '<' | '>' => {
                chars.next();
                if chars.next()? != c {
                    return None;
                }
                tokens.push(Token::Op(if c == '<' { "<<" } else { ">>" }));
            }
            _ if c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '.' || c == '\'' => {
                let mut word = String::new();
                while let Some(&c) = chars.peek().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.' | '\'')) {
                    word.push(c);
                    chars.next();
                }
                tokens.push(match word.split_once("'h") {
                    Some((width, digits)) => {
                        u32::from_str_radix(&digits[..digits.len().min(8)], 16).ok()?;
                        Token::Literal(width.parse().ok()?)
                    }
                    None if word.chars().next()?.is_ascii_digit() => return None,
                    None => Token::Ident(word),
                });
            }
            _ => return None,
        }
    }
    Some(tokens)
}

/// The widest operand of `tokens` (a whole expression) that reaches the result, or `None` if it
/// is not made of the idiom's parts: a term `(x) & N'h…` counts N bits (a rust-hdl sized literal
/// or `bit_cast`: the mask gives the width); a plain signal counts its width from `widths`
/// (Verilator's own report); a shift amount counts nothing; a bare 32-bit literal anywhere else
/// is not the idiom.
fn widest(tokens: &[Token], widths: &HashMap<String, usize>) -> Option<usize> {
    // Split at the top-level binary operators.
    let (mut depth, mut operands, mut ops, mut start) = (0, Vec::new(), Vec::new(), 0);
    for (i, t) in tokens.iter().enumerate() {
        match t {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            Token::Op(op) if depth == 0 => {
                operands.push(&tokens[start..i]);
                ops.push(*op);
                start = i + 1;
            }
            _ => {}
        }
    }
    operands.push(&tokens[start..]);
    if ops.len() == 1 && ops[0] == "&" {
        // A masked term: its width is the mask's.
        return match operands[1] {
            [Token::Literal(n)] => Some(*n),
            _ => None,
        };
    }
    let mut result = 0;
    for (k, operand) in operands.iter().enumerate() {
        if k > 0 && matches!(ops[k - 1], "<<" | ">>") {
            continue; // a shift amount does not widen the result
        }
        if k > 0 && ops[k - 1] == "&" {
            return None;
        }
        let width = match operand {
            [Token::Open, inner @ .., Token::Close] => widest(inner, widths)?,
            [Token::Ident(name)] => *widths.get(name)?,
            _ => return None,
        };
        result = result.max(width);
    }
    Some(result)
}

/// Whether the WIDTH warnings `line_warnings` on `statement` are all rust-hdl's sized-literal
/// idiom: `x$d = x$q + ((32'h1) & W'h…);` and the like. rust-hdl writes every literal as 32 bits
/// and masks it to its declared width, so `x + 1` on a W-bit counter is evaluated at 32 bits and
/// cut back to W at the assignment, which is the intended modular arithmetic. Accepted only if
/// the assignment's target is W bits and no operand reaching the result is wider than W (a
/// wider signal cut short would be a real truncation).
fn literal_idiom(statement: &str, line_warnings: &[&str]) -> bool {
    let mut widths = HashMap::new();
    let mut target_width = None;
    for message in line_warnings {
        if let Some(w) = number_between(message, "Operator ASSIGN expects ", " bits on the Assign RHS") {
            if !message.ends_with("generates 32 bits.") {
                return false;
            }
            target_width = Some(w);
        } else if message.contains("expects 32 bits on the LHS, but LHS's VARREF '") {
            let name = message.split("VARREF '").nth(1).and_then(|rest| rest.split('\'').next()).unwrap_or_default();
            let Some(w) = number_between(message, "' generates ", " bits") else { return false };
            widths.insert(name.to_string(), w);
        } else {
            return false;
        }
    }
    let Some(target_width) = target_width else { return false };
    let Some((_, rhs)) = statement.trim().strip_suffix(';').and_then(|s| s.split_once(" = ")) else { return false };
    tokenize(rhs).and_then(|t| widest(&t, &widths)).is_some_and(|w| w <= target_width)
}

/// The warnings of `file` that are neither waived nor the literal idiom.
fn unexplained(file: &str, top: &str) -> Vec<String> {
    let warnings = lint(file, top);
    let source = std::fs::read_to_string(file).unwrap_or_default();
    let lines: Vec<&str> = source.lines().collect();
    let mut by_line: HashMap<usize, Vec<&str>> = HashMap::new();
    let mut rest = Vec::new();
    for w in &warnings {
        match parse_width(w) {
            Some(width) => by_line.entry(width.line).or_default().push(width.message),
            None => rest.push(w.clone()),
        }
    }
    for (line, messages) in &by_line {
        let statement = lines.get(line - 1).copied().unwrap_or_default();
        if !literal_idiom(statement, messages) {
            rest.extend(messages.iter().map(|m| format!("{file}:{line}: {m}\n    {}", statement.trim())));
        }
    }
    rest
}

#[test]
fn all_blocks_lint_clean() {
    let models = zkaccel_sim::blocks();
    assert!(models.iter().any(|m| m.starts_with("ntt_k")), "the NTT kernel is linted too");
    assert!(models.iter().any(|m| m.starts_with("msm_b")), "the MSM kernel is linted too");
    assert!(models.iter().any(|m| m.starts_with("digits_c")), "the MSM digit cutter is linted too");
    for name in models {
        let problems = unexplained(&format!("{}/{}.v", zkaccel_sim::VERILOG_DIR, name), "top");
        assert!(problems.is_empty(), "verilator --lint-only -Wall {name}:\n{}", problems[..problems.len().min(40)].join("\n"));
    }
}

/// The Vitis RTL kernels (`zkaccel_kernels::vitis`: the renamed core under a top with the flow's
/// port names) elaborate and lint like the cores.
#[test]
fn vitis_kernels_lint_clean() {
    use zkaccel_kernels::vitis::VitisKernel;
    let dir = std::env::temp_dir().join(format!("zkaccel-vitis-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let builds = [VitisKernel::ntt(6).unwrap(), VitisKernel::msm(zkaccel_core::regmap::MsmBuild::parse("6x2").unwrap()).unwrap()];
    for k in builds {
        let v = dir.join(format!("{}.v", k.kind.name()));
        std::fs::write(&v, k.verilog()).unwrap();
        let problems = unexplained(v.to_str().unwrap(), k.kind.name());
        assert!(
            problems.is_empty(),
            "verilator --lint-only -Wall {}:\n{}",
            k.kind.name(),
            problems[..problems.len().min(40)].join("\n")
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The waivers are narrow: a real truncation is still reported, beside the idiom that is not.
#[test]
fn a_real_truncation_fails_lint() {
    let dir = std::env::temp_dir().join(format!("zkaccel-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let v = dir.join("top.v");
    let module = |body: &str| {
        format!(
            "module top(input wire [31:0] wide, input wire [4:0] narrow, output reg [4:0] y, output wire [31:0] z);\n\
             assign z = wide ^ {{27'b0, narrow}};\n{body}\nendmodule\n"
        )
    };
    let lint_body = |body: &str| {
        std::fs::write(&v, module(body)).unwrap();
        unexplained(v.to_str().unwrap(), "top")
    };
    // rust-hdl's idiom on a 5-bit counter: explained.
    assert_eq!(lint_body("always @(*) y = narrow + ((32'h1) & 5'h1f);"), Vec::<String>::new());
    // A 32-bit signal cut to 5 bits beside a literal, a plain truncation, and a wider mask: reported.
    for body in
        ["always @(*) y = wide + ((32'h1) & 5'h1f);", "always @(*) y = wide;", "always @(*) y = narrow + ((wide) & 8'hff);"]
    {
        assert!(lint_body(body).iter().any(|p| p.contains("WIDTH") || p.contains("Operator")), "{body} passed lint");
    }
    let _ = std::fs::remove_dir_all(dir);
}
