//! The regexes dashboards are written with (Grafana's are JavaScript's): field matchers, value
//! mappings, `renameByRegex`, variables' `regex`.
//!
//! In the browser they run as the browser's own `RegExp`, exactly what Grafana runs (and no
//! regex engine in the UI's WebAssembly); natively (server, command line, tests) as regex-lite,
//! which reads the same syntax except lookaround and backreferences.

/// A compiled regex.
pub struct Regex {
    #[cfg(not(target_arch = "wasm32"))]
    re: regex_lite::Regex,
    #[cfg(target_arch = "wasm32")]
    re: js_sys::RegExp,
    /// The `g` flag: [`Regex::replace`] replaces every match.
    global: bool,
}

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Regex")
    }
}

/// The first match of a regex in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Captures {
    /// Where the match is in the text, in bytes.
    pub start: usize,
    pub end: usize,
    /// Group 0 (the match) and the numbered groups; `None` for a group that took no part.
    groups: Vec<Option<String>>,
    names: Vec<(String, String)>,
}

impl Captures {
    /// Group `i` (0: the whole match).
    pub fn get(&self, i: usize) -> Option<&str> {
        self.groups.get(i).and_then(Option::as_deref)
    }

    /// The named group `name`, when it took part.
    pub fn name(&self, name: &str) -> Option<&str> {
        self.names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// `replacement` with JavaScript's `String.prototype.replace` patterns filled in: `$1`
    /// to `$99`, `$<name>`, `$&` (the match) and `$$` (a `$`).
    pub fn expand(&self, replacement: &str) -> String {
        let mut out = String::with_capacity(replacement.len());
        let mut rest = replacement;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).take(2).count();
            if let Some(tail) = after.strip_prefix('$') {
                out.push('$');
                rest = tail;
            } else if let Some(tail) = after.strip_prefix('&') {
                out.push_str(self.get(0).unwrap_or(""));
                rest = tail;
            } else if digits > 0 {
                // As JavaScript: `$12` is group 12 when there is one, else group 1 and a `2`.
                let two: usize = after[..digits].parse().unwrap_or(0);
                let (n, used) = if digits == 2 && two < self.groups.len() {
                    (two, 2)
                } else {
                    (usize::from(after.as_bytes()[0] - b'0'), 1)
                };
                if n >= 1 && n < self.groups.len() {
                    out.push_str(self.get(n).unwrap_or(""));
                } else {
                    out.push('$');
                    out.push_str(&after[..used]);
                }
                rest = &after[used..];
            } else if let Some((name, tail)) = after
                .strip_prefix('<')
                .and_then(|a| a.split_once('>'))
                .filter(|_| !self.names.is_empty())
            {
                out.push_str(self.name(name).unwrap_or(""));
                rest = tail;
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        out
    }
}

impl Regex {
    /// A pattern as Grafana's `stringToJsRegex` reads it (field matchers, value mappings,
    /// `renameByRegex`): `/body/flags` (flags among `gimys`, in that order) is `body` with
    /// those flags; any other text must match whole (`^text$`, written around it as it is).
    /// `None` when it is not a valid regex.
    pub fn grafana(pattern: &str) -> Option<Regex> {
        let Some(rest) = pattern.strip_prefix('/') else {
            return Regex::new(&format!("^{pattern}$"), "").ok();
        };
        // The body runs to the first `/` after which only flags follow.
        let flags_ok = |f: &str| {
            let mut order = "gimys".chars();
            f.chars().all(|c| order.by_ref().any(|o| o == c))
        };
        let (body, flags) = rest
            .match_indices('/')
            .map(|(i, _)| (&rest[..i], &rest[i + 1..]))
            .find(|(body, flags)| !body.contains('\n') && flags_ok(flags))?;
        Regex::new(body, flags).ok()
    }

    /// Compiles `source` with JavaScript `flags`: `i`, `m` and `s` are honoured (and `u` in the
    /// browser), `g` makes [`Regex::replace`] replace every match; the others change nothing
    /// for how the regex is used here.
    pub fn new(source: &str, flags: &str) -> Result<Regex, String> {
        let mut re = Regex::compile(source, flags)?;
        re.global = flags.contains('g');
        Ok(re)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn compile(source: &str, flags: &str) -> Result<Regex, String> {
        let inline: String = flags
            .chars()
            .filter(|c| matches!(c, 'i' | 'm' | 's'))
            .collect();
        let full = if inline.is_empty() {
            source.to_string()
        } else {
            format!("(?{inline}){source}")
        };
        regex_lite::Regex::new(&full)
            .map(|re| Regex { re, global: false })
            .map_err(|e| e.to_string())
    }

    #[cfg(target_arch = "wasm32")]
    fn compile(source: &str, flags: &str) -> Result<Regex, String> {
        use wasm_bindgen::{JsCast, JsValue};
        let flags: String = flags
            .chars()
            .filter(|c| matches!(c, 'i' | 'm' | 's' | 'u'))
            .collect();
        // `new RegExp` throws on a bad pattern: constructed through `Reflect` to get the error.
        let ctor = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("RegExp"))
            .map_err(|_| "this browser has no RegExp".to_string())?;
        let args = js_sys::Array::of2(&JsValue::from_str(source), &JsValue::from_str(&flags));
        js_sys::Reflect::construct(ctor.unchecked_ref::<js_sys::Function>(), &args)
            .map(|re| Regex {
                re: re.unchecked_into(),
                global: false,
            })
            .map_err(|e| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
                    .unwrap_or_else(|| "invalid regex".into())
            })
    }

    /// Whether the regex matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        #[cfg(not(target_arch = "wasm32"))]
        return self.re.is_match(text);
        #[cfg(target_arch = "wasm32")]
        return self.re.test(text);
    }

    /// The first match in `text`, with its groups.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn captures(&self, text: &str) -> Option<Captures> {
        let caps = self.re.captures(text)?;
        let whole = caps.get(0)?;
        let groups = (0..caps.len())
            .map(|i| caps.get(i).map(|m| m.as_str().to_string()))
            .collect();
        let names = self
            .re
            .capture_names()
            .enumerate()
            .filter_map(|(i, n)| Some((n?.to_string(), caps.get(i)?.as_str().to_string())))
            .collect();
        Some(Captures {
            start: whole.start(),
            end: whole.end(),
            groups,
            names,
        })
    }

    /// The first match in `text`, with its groups.
    #[cfg(target_arch = "wasm32")]
    pub fn captures(&self, text: &str) -> Option<Captures> {
        use wasm_bindgen::{JsCast, JsValue};
        let found = self.re.exec(text)?;
        let groups: Vec<Option<String>> = found.iter().map(|g| g.as_string()).collect();
        let index = js_sys::Reflect::get(&found, &JsValue::from_str("index"))
            .ok()
            .and_then(|i| i.as_f64())
            .unwrap_or(0.0) as usize;
        // JavaScript counts UTF-16 units; Rust slices bytes.
        let mut units = 0;
        let start = text
            .char_indices()
            .find(|(_, c)| {
                let before = units;
                units += c.len_utf16();
                before >= index
            })
            .map_or(text.len(), |(b, _)| b);
        let end = start + groups[0].as_deref().map_or(0, str::len);
        let mut names = Vec::new();
        if let Ok(named) = js_sys::Reflect::get(&found, &JsValue::from_str("groups")) {
            // `groups` has no prototype, so it is no `instanceof Object`.
            if named.is_object() {
                for entry in js_sys::Object::entries(named.unchecked_ref()).iter() {
                    let pair: js_sys::Array = entry.unchecked_into();
                    if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                        names.push((k, v));
                    }
                }
            }
        }
        Some(Captures {
            start,
            end,
            groups,
            names,
        })
    }

    /// `text` with its matches replaced by `replacement` as JavaScript's
    /// `text.replace(regex, replacement)`: every match with the `g` flag, else the first;
    /// `None` without a match.
    pub fn replace(&self, text: &str, replacement: &str) -> Option<String> {
        if !self.global {
            return self.replace_first(text, replacement);
        }
        self.replace_all(text, replacement)
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn replace_all(&self, text: &str, replacement: &str) -> Option<String> {
        let mut out = String::new();
        let mut last = 0;
        let mut any = false;
        for caps in self.re.captures_iter(text) {
            any = true;
            let whole = caps.get(0)?;
            let found = Captures {
                start: whole.start(),
                end: whole.end(),
                groups: (0..caps.len())
                    .map(|i| caps.get(i).map(|m| m.as_str().to_string()))
                    .collect(),
                names: self
                    .re
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, n)| Some((n?.to_string(), caps.get(i)?.as_str().to_string())))
                    .collect(),
            };
            out.push_str(&text[last..found.start]);
            out.push_str(&found.expand(replacement));
            last = found.end;
        }
        any.then(|| {
            out.push_str(&text[last..]);
            out
        })
    }

    #[cfg(target_arch = "wasm32")]
    fn replace_all(&self, text: &str, replacement: &str) -> Option<String> {
        if !self.re.test(text) {
            return None;
        }
        let flags = format!("{}g", String::from(self.re.flags()));
        let global = js_sys::RegExp::new(&String::from(self.re.source()), &flags);
        Some(String::from(
            js_sys::JsString::from(text).replace_by_pattern(&global, replacement),
        ))
    }

    /// `text` with its first match replaced by `replacement` (JavaScript's `$1`, `$<name>`,
    /// `$&`, `$$`), as JavaScript's `text.replace(regex, replacement)`; `None` without a match.
    pub fn replace_first(&self, text: &str, replacement: &str) -> Option<String> {
        let caps = self.captures(text)?;
        Some(format!(
            "{}{}{}",
            &text[..caps.start],
            caps.expand(replacement),
            &text[caps.end..]
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::Regex;

    #[test]
    fn captures_and_replacements_as_javascript() {
        let re = Regex::new(r"(?<host>[a-z]+)-(\d+)", "").unwrap();
        let caps = re.captures("pod web-12 up").unwrap();
        assert_eq!((caps.start, caps.end), (4, 10));
        assert_eq!(
            (caps.get(0), caps.get(1), caps.get(2)),
            (Some("web-12"), Some("web"), Some("12"))
        );
        assert_eq!(caps.name("host"), Some("web"));
        assert_eq!(caps.name("nope"), None);
        let replaced = |r: &str| re.replace_first("pod web-12 up", r).unwrap();
        assert_eq!(replaced("$2:$1"), "pod 12:web up");
        assert_eq!(replaced("[$&]"), "pod [web-12] up");
        assert_eq!(replaced("$<host>$$"), "pod web$ up");
        // `$3` names no group: kept as written; `$12` is group 1 then `2`.
        assert_eq!(replaced("$3|$12"), "pod $3|web2 up");
        assert_eq!(re.replace_first("no match", "x"), None);
    }

    #[test]
    fn flags_and_errors() {
        assert!(Regex::new("^UP$", "i").unwrap().is_match("up"));
        assert!(!Regex::new("^UP$", "").unwrap().is_match("up"));
        assert!(Regex::new("^b", "m").unwrap().is_match("a\nb"));
        assert!(Regex::new("a.b", "s").unwrap().is_match("a\nb"));
        // `g` changes nothing for a test.
        let re = Regex::new("x", "g").unwrap();
        assert!(re.is_match("x") && re.is_match("x"));
        assert!(Regex::new("(", "").is_err());
        // `g` replaces every match, as JavaScript's `replace`.
        let re = Regex::new("a(.)", "g").unwrap();
        assert_eq!(re.replace("xabyacz", "[$1]").as_deref(), Some("x[b]y[c]z"));
        let re = Regex::new("a(.)", "").unwrap();
        assert_eq!(re.replace("xabyacz", "[$1]").as_deref(), Some("x[b]yacz"));
        assert_eq!(re.replace("xyz", "-"), None);
    }

    #[test]
    fn patterns_as_grafana_reads_them() {
        let m = |p: &str, t: &str| Regex::grafana(p).is_some_and(|re| re.is_match(t));
        assert!(m("/.*out.*/", "eth0 out"));
        assert!(m("/out/", "eth0 outbound"), "a search");
        assert!(m("/2../i", "code 2xx"));
        assert!(!m("/Packets/", "packets"));
        assert!(m("/packets/i", "Packets"));
        assert!(m(".*(T|t)otal.*", "Total"));
        // A bare pattern must match whole: `^` and `$` are written around it as it is, so an
        // alternation anchors its first and last branch only (Grafana's `^a|b$`).
        assert!(m("Value #A", "Value #A"));
        assert!(!m("Value", "Value #A"));
        assert!(m("a|b", "b") && m("a|b", "ab") && !m("a|b", "cbc"));
        assert!(m("/transmit|tx|Tx|out/", "Tx bytes"));
        assert!(
            m("/a/b/i", "A/B"),
            "the body runs to the slash before the flags"
        );
        assert!(Regex::grafana("/(unclosed/").is_none());
        assert!(Regex::grafana("/abc/x").is_none(), "not flags: not a regex");
    }

    #[test]
    fn offsets_are_bytes() {
        let re = Regex::new("b+", "").unwrap();
        let caps = re.captures("äöbb!").unwrap();
        assert_eq!((caps.start, caps.end), (4, 6));
        assert_eq!(re.replace_first("äöbb!", "-"), Some("äö-!".into()));
    }
}
