//! A small reader of the text grammar, for testing the printer's round trip before (and
//! independently of) the real parser. It follows the same conventions: `+ - * /`, unary minus
//! looser than `^`, `^` right-associative with an optional sign on its exponent (`x^-1`),
//! calls, `sqrt`, primes on undefined functions, `pi` and `e`; and it builds with the same
//! canonical constructors. Recursive: test inputs are shallow.

use crate::expr::{Constant, Expr, Func, Symbol};
use crate::num::Number;

/// Reads `text`, or says where it stopped.
pub(super) fn read(text: &str) -> Result<Expr, String> {
    let mut r = Reader {
        s: text.as_bytes(),
        i: 0,
    };
    let e = r.sum()?;
    r.skip_spaces();
    if r.i != r.s.len() {
        return Err(format!("unexpected input at {} in {text:?}", r.i));
    }
    Ok(e)
}

struct Reader<'a> {
    s: &'a [u8],
    i: usize,
}

impl Reader<'_> {
    fn skip_spaces(&mut self) {
        while self.s.get(self.i) == Some(&b' ') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_spaces();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected {:?} at {}", c as char, self.i))
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        let mut acc = self.product()?;
        loop {
            if self.eat(b'+') {
                acc = acc + self.product()?;
            } else if self.eat(b'-') {
                acc = acc - self.product()?;
            } else {
                return Ok(acc);
            }
        }
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut acc = self.unary()?;
        loop {
            if self.eat(b'*') {
                acc = acc * self.unary()?;
            } else if self.eat(b'/') {
                acc = acc / self.unary()?;
            } else {
                return Ok(acc);
            }
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat(b'-') {
            Ok(-self.unary()?)
        } else {
            self.power()
        }
    }

    fn power(&mut self) -> Result<Expr, String> {
        let base = self.atom()?;
        if self.eat(b'^') {
            Ok(base.pow(self.unary()?))
        } else {
            Ok(base)
        }
    }

    fn atom(&mut self) -> Result<Expr, String> {
        self.skip_spaces();
        if self.eat(b'(') {
            let e = self.sum()?;
            self.expect(b')')?;
            return Ok(e);
        }
        let start = self.i;
        if self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            let digits = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
            return Number::from_decimal(digits, 10_000)
                .map(Expr::num)
                .ok_or_else(|| digits.to_string());
        }
        while self
            .s
            .get(self.i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.i += 1;
        }
        if start == self.i {
            return Err(format!("expected an operand at {start}"));
        }
        let name = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
        let mut primes = 0;
        while self.s.get(self.i) == Some(&b'\'') {
            self.i += 1;
            primes += 1;
        }
        if !self.eat(b'(') {
            return Ok(match name {
                "pi" => Expr::pi(),
                "e" => Expr::constant(Constant::E),
                _ => Expr::sym(name),
            });
        }
        let arg = self.sum()?;
        self.expect(b')')?;
        Ok(match (name, primes, Func::from_name(name)) {
            ("sqrt", 0, _) => arg.sqrt(),
            (_, 0, Some(f)) => Expr::call(f, arg),
            _ => Expr::undef(Symbol::from(name), primes, arg),
        })
    }
}
