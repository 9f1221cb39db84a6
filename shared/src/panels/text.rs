//! The text panel's content as safe HTML: markdown rendered by `pulldown-cmark`, or the
//! panel's own HTML, both passed through an allowlist sanitizer.
//!
//! A dashboard is data from outside; its HTML must not run script in kubeglass's origin. The
//! sanitizer keeps a small set of formatting tags and attributes and drops everything else:
//! `<script>`/`<style>`/`<iframe>`... with their content, any `on*` handler, and URLs whose
//! scheme is not http(s), mailto or relative (`javascript:`, `data:` except raster images).
//! It is written here rather than taken from `ammonia`, whose HTML5 parser (html5ever) would
//! add more to the wasm bundle than every panel type together.

use pulldown_cmark::{html, Options, Parser};

/// Tags kept (attributes filtered); any other tag is dropped and its content kept.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "center",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// Tags dropped together with everything up to their closing tag.
const DROPPED_WITH_CONTENT: &[&str] = &[
    "script", "style", "iframe", "frameset", "object", "applet", "template", "noscript", "noembed",
    "noframes", "textarea", "title", "xmp", "svg", "math", "select",
];

/// Attributes kept on any allowed tag (URLs and `style` are checked further).
const ALLOWED_ATTRIBUTES: &[&str] = &[
    "align", "alt", "class", "color", "colspan", "height", "href", "rowspan", "src", "start",
    "style", "target", "title", "valign", "width", "open",
];

const VOID_TAGS: &[&str] = &["br", "hr", "img"];

/// Renders a text panel: `mode` `html` sanitizes `content`, `code` shows it verbatim in a
/// `<pre>`, anything else (`markdown`, the default) renders it as CommonMark with tables and
/// strikethrough, then sanitizes.
pub fn render_text_panel(mode: Option<&str>, content: &str) -> String {
    match mode {
        Some("html") => sanitize_html(content),
        Some("code") => format!(
            "<pre><code>{}</code></pre>",
            content
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        ),
        _ => markdown_to_html(content),
    }
}

/// CommonMark (with tables and strikethrough) to sanitized HTML.
pub fn markdown_to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    );
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    sanitize_html(&out)
}

/// Decodes the character references a browser would decode in an attribute value, so that a
/// URL is checked as the browser will read it (`&#106;avascript:` is `javascript:`).
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let body = &rest[1..];
        let (decoded, used) = if let Some(num) = body.strip_prefix('#') {
            let (digits, radix, skip) = match num.strip_prefix(['x', 'X']) {
                Some(hex) => (hex, 16, 2),
                None => (num, 10, 1),
            };
            let len = digits
                .find(|c: char| !c.is_digit(radix))
                .unwrap_or(digits.len());
            let c = u32::from_str_radix(&digits[..len], radix)
                .ok()
                .and_then(char::from_u32);
            let semi = usize::from(digits[len..].starts_with(';'));
            match c {
                Some(c) if len > 0 => (Some(c), 1 + skip + len + semi),
                _ => (None, 1),
            }
        } else {
            let named = [
                ("amp;", '&'),
                ("lt;", '<'),
                ("gt;", '>'),
                ("quot;", '"'),
                ("apos;", '\''),
                ("colon;", ':'),
                ("Tab;", '\t'),
                ("NewLine;", '\n'),
                ("sol;", '/'),
                ("lpar;", '('),
                ("rpar;", ')'),
            ];
            match named.iter().find(|(n, _)| body.starts_with(n)) {
                Some((n, c)) => (Some(*c), 1 + n.len()),
                None => (None, 1),
            }
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push('&'),
        }
        rest = &rest[used..];
    }
    out.push_str(rest);
    out
}

fn escape_attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Whether a (decoded) URL is safe to follow or load: http(s), mailto, or relative; for
/// `src`, also raster `data:image/...`.
fn safe_url(url: &str, is_src: bool) -> bool {
    // Browsers ignore whitespace and control characters inside a scheme.
    let compact: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let scheme_end = compact.find(':');
    let path_start = compact.find(['/', '?', '#']).unwrap_or(compact.len());
    match scheme_end {
        None => true,
        Some(i) if i > path_start => true,
        Some(i) => match &compact[..i] {
            "http" | "https" | "mailto" => true,
            "data" => {
                is_src
                    && [
                        "data:image/png",
                        "data:image/gif",
                        "data:image/jpeg",
                        "data:image/webp",
                    ]
                    .iter()
                    .any(|p| compact.starts_with(p))
            }
            _ => false,
        },
    }
}

/// Whether an inline style is harmless: no URLs, scripts or escapes, and nothing that could
/// lay the panel over the rest of the page.
fn safe_style(style: &str) -> bool {
    let s = style.to_ascii_lowercase();
    ![
        "url(",
        "expression",
        "javascript:",
        "\\",
        "@import",
        "position",
        "behavior",
        "<",
    ]
    .iter()
    .any(|bad| s.contains(bad))
}

/// A tag as read: its lower-case name, its attributes (lower-case names, values undecoded)
/// and its length in bytes up to and including `>`.
struct Tag {
    name: String,
    attributes: Vec<(String, String)>,
    len: usize,
}

/// Reads one tag starting after its `<` (and `/` for a closing tag). `None` when the input
/// ends before the tag does.
fn read_tag(s: &str) -> Option<Tag> {
    let bytes = s.as_bytes();
    let mut i = bytes
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || *b == b'-'))
        .unwrap_or(bytes.len());
    let name = s[..i].to_ascii_lowercase();
    let mut attributes = Vec::new();
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        if bytes[i] == b'>' {
            return Some(Tag {
                name,
                attributes,
                len: i + 1,
            });
        }
        let start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'/' | b'>' | b'=')
        {
            i += 1;
        }
        // A stray `=` with no name before it is skipped like any other character.
        let attr = s[start..i.max(start + 1).min(s.len())].to_ascii_lowercase();
        if i == start {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                let end = bytes[i + 1..].iter().position(|b| *b == quote)? + i + 1;
                value = s[i + 1..end].to_string();
                i = end + 1;
            } else {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                    i += 1;
                }
                value = s[start..i].to_string();
            }
        }
        attributes.push((attr, value));
    }
}

/// Keeps only allowed tags and attributes of `input`; see the module documentation.
pub fn sanitize_html(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt].replace('>', "&gt;"));
        rest = &rest[lt..];
        let after = &rest[1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        if after.starts_with(['!', '?']) {
            rest = after.find('>').map_or("", |end| &after[end + 1..]);
            continue;
        }
        let (closing, tag) = match after.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, after),
        };
        if !tag.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str("&lt;");
            rest = after;
            continue;
        }
        let Some(Tag {
            name,
            attributes,
            len,
        }) = read_tag(tag)
        else {
            // An unfinished tag at the end: drop it.
            rest = "";
            break;
        };
        rest = &tag[len..];
        if !closing && DROPPED_WITH_CONTENT.contains(&name.as_str()) {
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&format!("</{name}")) {
                Some(end) => rest[end..].find('>').map_or("", |gt| &rest[end + gt + 1..]),
                None => "",
            };
            continue;
        }
        if !ALLOWED_TAGS.contains(&name.as_str()) {
            continue;
        }
        if closing {
            if !VOID_TAGS.contains(&name.as_str()) {
                out.push_str(&format!("</{name}>"));
            }
            continue;
        }
        out.push('<');
        out.push_str(&name);
        let mut has_target = false;
        for (attr, raw) in attributes {
            if !ALLOWED_ATTRIBUTES.contains(&attr.as_str()) {
                continue;
            }
            let value = decode_entities(&raw);
            let ok = match attr.as_str() {
                "href" => safe_url(&value, false),
                "src" => safe_url(&value, true),
                "style" => safe_style(&value),
                _ => true,
            };
            if ok {
                has_target |= attr == "target";
                out.push_str(&format!(" {attr}=\"{}\"", escape_attribute(&value)));
            }
        }
        if name == "a" && has_target {
            // A page opened in a new tab must not reach back into this one.
            out.push_str(" rel=\"noopener noreferrer\"");
        }
        out.push('>');
    }
    out.push_str(&rest.replace('>', "&gt;"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders() {
        assert_eq!(
            markdown_to_html("# Title\n\nSome **bold** [link](https://x.io/a?b=1&c=2)."),
            "<h1>Title</h1>\n<p>Some <strong>bold</strong> <a href=\"https://x.io/a?b=1&amp;c=2\">link</a>.</p>\n"
        );
        assert!(markdown_to_html("| a | b |\n|---|---|\n| 1 | 2 |").contains("<td>1</td>"));
        assert_eq!(
            render_text_panel(Some("markdown"), "x <script>alert(1)</script> y"),
            "<p>x  y</p>\n",
            "raw HTML inside markdown is sanitized too"
        );
        assert_eq!(
            render_text_panel(Some("code"), "a < b && <script>"),
            "<pre><code>a &lt; b &amp;&amp; &lt;script&gt;</code></pre>"
        );
        assert_eq!(
            markdown_to_html("[x](javascript:alert(1))"),
            "<p><a>x</a></p>\n"
        );
    }

    #[test]
    fn html_keeps_formatting_and_drops_script() {
        assert_eq!(
            sanitize_html("<div class=\"a\" onclick=\"evil()\"><b>ok</b><br/></div>"),
            "<div class=\"a\"><b>ok</b><br></div>"
        );
        assert_eq!(sanitize_html("a<script>alert('<b>')</script>b"), "ab");
        assert_eq!(sanitize_html("a<SCRIPT src=x></SCRIPT >b"), "ab");
        assert_eq!(
            sanitize_html("a<style>*{}</style><iframe src=x></iframe>b"),
            "ab"
        );
        assert_eq!(sanitize_html("<script>never closed"), "");
        assert_eq!(sanitize_html("<form><input value=1>text</form>"), "text");
        assert_eq!(sanitize_html("<!-- hidden --><p>x</p>"), "<p>x</p>");
        assert_eq!(sanitize_html("1 < 2 > 0"), "1 &lt; 2 &gt; 0");
        assert_eq!(
            sanitize_html("<img src=x onerror=alert(1)>"),
            "<img src=\"x\">"
        );
        assert_eq!(
            sanitize_html("<img/src=x/onerror=alert(1)>"),
            "<img src=\"x/onerror=alert(1)\">"
        );
        assert_eq!(
            sanitize_html("<b title='a\">b'>x</b>"),
            "<b title=\"a&quot;&gt;b\">x</b>"
        );
        assert_eq!(sanitize_html("<p unfinished"), "");
    }

    #[test]
    fn urls_are_checked_as_the_browser_reads_them() {
        for bad in [
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
            "<a href=\"java\tscript:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
            "<a href=\"vbscript:x\">x</a>",
            "<a href=\"data:text/html;base64,xx\">x</a>",
        ] {
            assert_eq!(sanitize_html(bad), "<a>x</a>", "{bad}");
        }
        assert_eq!(
            sanitize_html("<a href=\"/d/abc?x=1:2\" target=\"_blank\">x</a>"),
            "<a href=\"/d/abc?x=1:2\" target=\"_blank\" rel=\"noopener noreferrer\">x</a>"
        );
        assert_eq!(
            sanitize_html("<a href=\"mailto:a@b.c\">m</a>"),
            "<a href=\"mailto:a@b.c\">m</a>"
        );
        assert_eq!(
            sanitize_html(
                "<img src=\"data:image/png;base64,AA\"><img src=\"data:image/svg+xml,x\">"
            ),
            "<img src=\"data:image/png;base64,AA\"><img>"
        );
        assert_eq!(
            sanitize_html(
                "<span style=\"color: red\">a</span><span style=\"background:url(x)\">b</span>"
            ),
            "<span style=\"color: red\">a</span><span>b</span>"
        );
    }
}
