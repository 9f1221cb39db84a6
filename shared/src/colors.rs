//! Series and threshold colours: Grafana's classic palette and its named colours.

/// Grafana's classic palette, in the order series take their colours.
pub const CLASSIC_PALETTE: &[&str] = &[
    "#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#705DA0",
    "#37872D", "#FADE2A", "#447EBC", "#C15C17", "#890F02", "#0A437C", "#6D1F62", "#584477",
    "#B7DBAB", "#F4D598", "#70DBED", "#F9BA8F", "#F29191", "#82B5D8", "#E5A8E2", "#AEA2E0",
];

/// The colour of the `index`-th series.
pub fn series_color(index: usize) -> &'static str {
    CLASSIC_PALETTE[index % CLASSIC_PALETTE.len()]
}

/// A colour as CSS: Grafana's named colours (`green`, `semi-dark-red`, `dark-orange`, ...)
/// become their hex value; anything else (`#FF0000`, `rgb(...)`) is passed through.
pub fn css_color(name: &str) -> String {
    let hex = match name {
        "green" => "#73BF69",
        "dark-green" => "#37872D",
        "semi-dark-green" => "#56A64B",
        "light-green" => "#96D98D",
        "super-light-green" => "#C8F2C2",
        "red" => "#F2495C",
        "dark-red" => "#C4162A",
        "semi-dark-red" => "#E02F44",
        "light-red" => "#FF7383",
        "super-light-red" => "#FFA6B0",
        "yellow" => "#FADE2A",
        "dark-yellow" => "#E0B400",
        "semi-dark-yellow" => "#F2CC0C",
        "light-yellow" => "#FFEE52",
        "super-light-yellow" => "#FFF899",
        "orange" => "#FF9830",
        "dark-orange" => "#FA6400",
        "semi-dark-orange" => "#FF780A",
        "light-orange" => "#FFB357",
        "super-light-orange" => "#FFCB7D",
        "blue" => "#5794F2",
        "dark-blue" => "#1F60C4",
        "semi-dark-blue" => "#3274D9",
        "light-blue" => "#8AB8FF",
        "super-light-blue" => "#C0D8FF",
        "purple" => "#B877D9",
        "dark-purple" => "#8F3BB8",
        "semi-dark-purple" => "#A352CC",
        "light-purple" => "#CA95E5",
        "super-light-purple" => "#DEB6F2",
        "transparent" => "transparent",
        "text" => "inherit",
        other => return other.to_string(),
    };
    hex.to_string()
}

/// Parses `#RRGGBB` into its components (for the canvas); `None` for other forms.
pub fn hex_rgb(color: &str) -> Option<(u8, u8, u8)> {
    let h = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).ok();
    Some((c(0)?, c(2)?, c(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_and_names() {
        assert_eq!(series_color(0), "#73BF69");
        assert_eq!(series_color(1), "#F2CC0C");
        assert_eq!(series_color(CLASSIC_PALETTE.len()), "#73BF69");
        assert_eq!(css_color("red"), "#F2495C");
        assert_eq!(css_color("semi-dark-orange"), "#FF780A");
        assert_eq!(css_color("#123456"), "#123456");
        assert_eq!(hex_rgb("#73BF69"), Some((0x73, 0xBF, 0x69)));
        assert_eq!(hex_rgb("red"), None);
    }
}
