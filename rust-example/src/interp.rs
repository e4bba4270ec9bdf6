// SPDX-License-Identifier: MIT OR Apache-2.0
//! A small interpreted language: integers and strings, `let`, assignment,
//! `while`, `if`/`else`, `print`. Tokens own their text, the AST is boxed,
//! variables live in a HashMap: many small, short-lived allocations.

use std::collections::HashMap;
use std::fmt::Write as _;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Str(String),
    Ident(String),
    Op(String),
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            toks.push(Tok::Num(src[start..i].parse().map_err(|e| format!("number: {e}"))?));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(Tok::Ident(src[start..i].to_string()));
        } else if c == '"' {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i] != b'"' {
                i += 1;
            }
            if i == b.len() {
                return Err("unterminated string".into());
            }
            toks.push(Tok::Str(src[start..i].to_string()));
            i += 1;
        } else {
            let two = src.get(i..i + 2).unwrap_or("");
            let op = if ["==", "!=", "<=", ">="].contains(&two) { two } else { &src[i..i + 1] };
            if !"+-*/%<>=!(){};".contains(&op[..1]) {
                return Err(format!("unexpected character {c:?}"));
            }
            toks.push(Tok::Op(op.to_string()));
            i += op.len();
        }
    }
    Ok(toks)
}

#[derive(Debug)]
enum Expr {
    Num(i64),
    Str(String),
    Var(String),
    Bin(String, Box<Expr>, Box<Expr>),
}

#[derive(Debug)]
enum Stmt {
    Let(String, Expr),
    Print(Expr),
    While(Expr, Vec<Stmt>),
    If(Expr, Vec<Stmt>, Vec<Stmt>),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Op(o)) if o == op)
    }
    fn peek_ident(&self, word: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Ident(w)) if w == word)
    }
    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        if self.peek_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{op}' at token {}", self.pos))
        }
    }
    fn block(&mut self) -> Result<Vec<Stmt>, String> {
        self.expect_op("{")?;
        let mut body = Vec::new();
        while !self.peek_op("}") {
            body.push(self.stmt()?);
        }
        self.expect_op("}")?;
        Ok(body)
    }
    fn stmt(&mut self) -> Result<Stmt, String> {
        if self.peek_ident("while") || self.peek_ident("if") {
            let is_while = self.peek_ident("while");
            self.pos += 1;
            let cond = self.expr(0)?;
            let body = self.block()?;
            if is_while {
                return Ok(Stmt::While(cond, body));
            }
            let other = if self.peek_ident("else") {
                self.pos += 1;
                self.block()?
            } else {
                Vec::new()
            };
            return Ok(Stmt::If(cond, body, other));
        }
        let s = if self.peek_ident("print") {
            self.pos += 1;
            Stmt::Print(self.expr(0)?)
        } else {
            if self.peek_ident("let") {
                self.pos += 1;
            }
            let name = match self.toks.get(self.pos) {
                Some(Tok::Ident(n)) => n.clone(),
                other => return Err(format!("expected a name, got {other:?}")),
            };
            self.pos += 1;
            self.expect_op("=")?;
            Stmt::Let(name, self.expr(0)?)
        };
        self.expect_op(";")?;
        Ok(s)
    }
    /// Precedence climbing over the binary operators.
    fn expr(&mut self, min_prec: u8) -> Result<Expr, String> {
        let mut lhs = self.atom()?;
        while let Some(Tok::Op(op)) = self.toks.get(self.pos) {
            let op = op.clone();
            let prec = match op.as_str() {
                "==" | "!=" | "<" | ">" | "<=" | ">=" => 1,
                "+" | "-" => 2,
                "*" | "/" | "%" => 3,
                _ => break,
            };
            if prec < min_prec {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(prec + 1)?;
            lhs = Expr::Bin(op, Box::new(lhs), Box::new(rhs));
        }
        Ok(lhs)
    }
    fn atom(&mut self) -> Result<Expr, String> {
        let t = self.toks.get(self.pos).cloned().ok_or("unexpected end")?;
        self.pos += 1;
        match t {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Ident(v) => Ok(Expr::Var(v)),
            Tok::Op(o) if o == "(" => {
                let e = self.expr(0)?;
                self.expect_op(")")?;
                Ok(e)
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i64),
    Text(String),
}

struct Machine {
    vars: HashMap<String, Val>,
    out: Vec<String>,
}

impl Machine {
    fn eval(&self, e: &Expr) -> Result<Val, String> {
        Ok(match e {
            Expr::Num(n) => Val::Int(*n),
            Expr::Str(s) => Val::Text(s.clone()),
            Expr::Var(v) => self.vars.get(v).cloned().ok_or_else(|| format!("undefined {v}"))?,
            Expr::Bin(op, a, b) => match (self.eval(a)?, self.eval(b)?) {
                (Val::Int(x), Val::Int(y)) => Val::Int(match op.as_str() {
                    "+" => x.wrapping_add(y),
                    "-" => x.wrapping_sub(y),
                    "*" => x.wrapping_mul(y),
                    "/" | "%" if y == 0 => return Err("division by zero".into()),
                    "/" => x / y,
                    "%" => x % y,
                    "==" => i64::from(x == y),
                    "!=" => i64::from(x != y),
                    "<" => i64::from(x < y),
                    ">" => i64::from(x > y),
                    "<=" => i64::from(x <= y),
                    _ => i64::from(x >= y),
                }),
                (Val::Text(x), y) if op == "+" => Val::Text(x + &show(&y)),
                (x, y) => return Err(format!("cannot apply {op} to {x:?} and {y:?}")),
            },
        })
    }
    fn run(&mut self, body: &[Stmt]) -> Result<(), String> {
        for s in body {
            match s {
                Stmt::Let(name, e) => {
                    let v = self.eval(e)?;
                    self.vars.insert(name.clone(), v);
                }
                Stmt::Print(e) => {
                    let v = self.eval(e)?;
                    self.out.push(show(&v));
                }
                Stmt::While(c, b) => {
                    while self.eval(c)? != Val::Int(0) {
                        self.run(b)?;
                    }
                }
                Stmt::If(c, yes, no) => {
                    if self.eval(c)? != Val::Int(0) {
                        self.run(yes)?
                    } else {
                        self.run(no)?
                    }
                }
            }
        }
        Ok(())
    }
}

fn show(v: &Val) -> String {
    match v {
        Val::Int(n) => n.to_string(),
        Val::Text(s) => s.clone(),
    }
}

/// Parse and run a program; its printed lines.
pub fn run(src: &str) -> Result<Vec<String>, String> {
    let toks = tokenize(src)?;
    let mut p = Parser { toks, pos: 0 };
    let mut program = Vec::new();
    while p.pos < p.toks.len() {
        program.push(p.stmt()?);
    }
    let mut m = Machine { vars: HashMap::new(), out: Vec::new() };
    m.run(&program)?;
    Ok(m.out)
}

const PROGRAM: &str = r#"
    let n = 2;
    while n < 400 {
        let d = 2; let prime = 1;
        while d * d <= n { if n % d == 0 { prime = 0; } d = d + 1; }
        if prime { print "prime " + n; }
        n = n + 1;
    }
    let a = 0; let b = 1; let i = 0;
    while i < 60 { let t = a + b; a = b; b = t; i = i + 1; }
    print "fib60 " + a;
"#;

/// Run the built-in program 20 times and check every line against Rust.
pub fn selftest() -> Result<String, String> {
    let mut expect: Vec<String> =
        (2..400i64).filter(|n| (2..).take_while(|d| d * d <= *n).all(|d| n % d != 0)).map(|n| format!("prime {n}")).collect();
    let (mut a, mut b) = (0i64, 1i64);
    for _ in 0..60 {
        (a, b) = (b, a + b);
    }
    expect.push(format!("fib60 {a}"));
    let mut lines = 0;
    for round in 0..20 {
        let got = run(PROGRAM)?;
        if got != expect {
            return Err(format!("round {round}: output differs from the expected {} lines", expect.len()));
        }
        lines += got.len();
    }
    // Errors are values, not crashes.
    for (bad, why) in [("print 1 / 0;", "division"), ("let x = ;", "unexpected"), ("print \"x", "unterminated")] {
        match run(bad) {
            Err(e) if e.contains(why) => {}
            other => return Err(format!("{bad:?} gave {other:?}")),
        }
    }
    let mut summary = String::new();
    let _ = write!(summary, "20 runs, {lines} lines checked ({} primes below 400, {})", expect.len() - 1, expect[expect.len() - 1]);
    Ok(summary)
}
