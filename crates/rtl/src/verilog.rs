//! Small Verilog expression builders, so templates hold structure and Rust holds the width
//! arithmetic (and so no template text needs Verilog's `{{` replication next to askama's).

/// `n` copies of bit expression `bit`, or nothing for n = 0.
pub fn repl(n: u32, bit: &str) -> String {
    match n {
        0 => String::new(),
        1 => bit.to_string(),
        _ => format!("{{{n}{{{bit}}}}}"),
    }
}

/// Sign-extends the `from`-bit expression `e` (a plain name) to `to` bits.
pub fn sext(e: &str, from: u32, to: u32) -> String {
    assert!(to >= from, "sext narrows");
    if to == from {
        e.to_string()
    } else {
        format!(
            "{{{}, {e}}}",
            repl(to - from, &format!("{e}[{}]", from - 1))
        )
    }
}

/// Zero-extends `e` (`from` bits) to `to` bits.
pub fn zext(e: &str, from: u32, to: u32) -> String {
    if to == from {
        e.to_string()
    } else {
        format!("{{{}, {e}}}", repl(to - from, "1'b0"))
    }
}

/// A `width`-bit literal with only bit `bit` set.
pub fn one_hot(width: u32, bit: u32) -> String {
    let hi = width - 1 - bit;
    let parts: Vec<String> = [repl(hi, "1'b0"), "1'b1".into(), repl(bit, "1'b0")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if parts.len() == 1 {
        parts[0].clone()
    } else {
        format!("{{{}}}", parts.join(", "))
    }
}

/// A sized hex literal of a packed bus whose words are given lane 0 first.
pub fn packed_literal(words: &[i64], width: u32) -> String {
    let mut hex = String::new();
    lutforge_sim::trace::push_hex_bus(&mut hex, words, width);
    format!("{}'h{hex}", words.len() as u32 * width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders() {
        assert_eq!(repl(3, "a[7]"), "{3{a[7]}}");
        assert_eq!(sext("a", 8, 11), "{{3{a[7]}}, a}");
        assert_eq!(sext("a", 8, 9), "{a[7], a}");
        assert_eq!(sext("a", 8, 8), "a");
        assert_eq!(zext("a", 8, 10), "{{2{1'b0}}, a}");
        assert_eq!(one_hot(4, 1), "{{2{1'b0}}, 1'b1, 1'b0}");
        assert_eq!(one_hot(1, 0), "1'b1");
        assert_eq!(one_hot(3, 2), "{1'b1, {2{1'b0}}}");
        assert_eq!(packed_literal(&[-1, 2], 4), "8'h2f");
    }
}
