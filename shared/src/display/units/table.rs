//! Every unit id of Grafana's unit picker (`@grafana/data` 13.2.3, `getValueFormats()`), in
//! the picker's order: its name, its category, and how it formats ([`Kind`] and its
//! parameters). Written from a black-box survey of Grafana's formatters; see `units.rs` for
//! what each kind does.
//!
//! Time ladders: a value picks the first rung whose bound its magnitude is below.

use crate::display::units::{Kind, Rung, Unit};
use std::borrow::Cow;

/// A rung of a time ladder: below `below` (absolute), scale by `factor` (multiply or divide)
/// and write `label`, plural when `plural` and the scaled magnitude is above 1.
const fn rung(below: f64, multiply: bool, factor: f64, label: &'static str, plural: bool) -> Rung {
    Rung {
        below,
        multiply,
        factor,
        label,
        plural,
    }
}

/// The ladder of `ns`.
const LADDER_NS: &[Rung] = &[
    rung(1000.0, false, 1.0, " ns", false),
    rung(1000000.0, false, 1000.0, " µs", false),
    rung(1000000000.0, false, 1000000.0, " ms", false),
    rung(60000000000.0, false, 1000000000.0, " s", false),
    rung(3600000000000.0, false, 60000000000.0, " min", true),
    rung(86400000000000.0, false, 3600000000000.0, " hour", true),
    rung(f64::INFINITY, false, 86400000000000.0, " day", true),
];

/// The ladder of `µs`.
const LADDER_US: &[Rung] = &[
    rung(1000.0, false, 1.0, " µs", false),
    rung(1000000.0, false, 1000.0, " ms", false),
    rung(f64::INFINITY, false, 1000000.0, " s", false),
];

/// The ladder of `ms`.
const LADDER_MS: &[Rung] = &[
    rung(1000.0, false, 1.0, " ms", false),
    rung(60000.0, false, 1000.0, " s", false),
    rung(3600000.0, false, 60000.0, " min", true),
    rung(86400000.0, false, 3600000.0, " hour", true),
    rung(31536000000.0, false, 86400000.0, " day", true),
    rung(f64::INFINITY, false, 31536000000.0, " year", true),
];

/// The ladder of `s`.
const LADDER_S: &[Rung] = &[
    rung(1e-06, true, 1000000000.0, " ns", false),
    rung(0.001, true, 1000000.0, " µs", false),
    rung(1.0, true, 1000.0, " ms", false),
    rung(60.0, false, 1.0, " s", false),
    rung(3600.0, false, 60.0, " min", true),
    rung(86400.0, false, 3600.0, " hour", true),
    rung(604800.0, false, 86400.0, " day", true),
    rung(31536000.0, false, 604800.0, " week", true),
    rung(f64::INFINITY, false, 31556900.0, " year", true),
];

/// The ladder of `m`.
const LADDER_M: &[Rung] = &[
    rung(60.0, false, 1.0, " min", false),
    rung(1440.0, false, 60.0, " hour", true),
    rung(10080.0, false, 1440.0, " day", true),
    rung(604800.0, false, 10080.0, " week", true),
    rung(f64::INFINITY, false, 525948.0, " year", true),
];

/// The ladder of `h`.
const LADDER_H: &[Rung] = &[
    rung(24.0, false, 1.0, " hour", false),
    rung(168.0, false, 24.0, " day", true),
    rung(8760.0, false, 168.0, " week", true),
    rung(f64::INFINITY, false, 8760.0, " year", true),
];

/// The ladder of `d`.
const LADDER_D: &[Rung] = &[
    rung(7.0, false, 1.0, " day", true),
    rung(365.0, false, 7.0, " week", true),
    rung(f64::INFINITY, false, 365.0, " year", true),
];

/// The 273 units, in the order of Grafana's picker (grouped by category).
pub(crate) static UNITS: &[Unit<'static>] = &[
    Unit {
        id: "none",
        name: "Number",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: None,
            scale: None,
        },
    },
    Unit {
        id: "string",
        name: "String",
        category: "Misc",
        kind: Kind::String,
    },
    Unit {
        id: "short",
        name: "short",
        category: "Misc",
        kind: Kind::Scaled {
            factor: 1000.0,
            suffixes: &[
                "", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept",
            ],
            offset: 0,
        },
    },
    Unit {
        id: "sishort",
        name: "SI short",
        category: "Misc",
        kind: Kind::Si {
            unit: "",
            offset: 0,
        },
    },
    Unit {
        id: "percent",
        name: "Percent (0-100)",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed("%")),
            scale: None,
        },
    },
    Unit {
        id: "percentunit",
        name: "Percent (0.0-1.0)",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed("%")),
            scale: Some(100.0),
        },
    },
    Unit {
        id: "humidity",
        name: "Humidity (%H)",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" %H")),
            scale: None,
        },
    },
    Unit {
        id: "dB",
        name: "Decibel",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" dB")),
            scale: None,
        },
    },
    Unit {
        id: "candela",
        name: "Candela (cd)",
        category: "Misc",
        kind: Kind::Si {
            unit: "cd",
            offset: 0,
        },
    },
    Unit {
        id: "hex0x",
        name: "Hexadecimal (0x)",
        category: "Misc",
        kind: Kind::Hex { prefix_0x: true },
    },
    Unit {
        id: "hex",
        name: "Hexadecimal",
        category: "Misc",
        kind: Kind::Hex { prefix_0x: false },
    },
    Unit {
        id: "sci",
        name: "Scientific notation",
        category: "Misc",
        kind: Kind::Sci,
    },
    Unit {
        id: "locale",
        name: "Locale format",
        category: "Misc",
        kind: Kind::Locale,
    },
    Unit {
        id: "pixel",
        name: "Pixels",
        category: "Misc",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" px")),
            scale: None,
        },
    },
    Unit {
        id: "accMS2",
        name: "Meters/sec²",
        category: "Acceleration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" m/sec²")),
            scale: None,
        },
    },
    Unit {
        id: "accFS2",
        name: "Feet/sec²",
        category: "Acceleration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" f/sec²")),
            scale: None,
        },
    },
    Unit {
        id: "accG",
        name: "G unit",
        category: "Acceleration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" g")),
            scale: None,
        },
    },
    Unit {
        id: "degree",
        name: "Degrees (°)",
        category: "Angle",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" °")),
            scale: None,
        },
    },
    Unit {
        id: "radian",
        name: "Radians",
        category: "Angle",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" rad")),
            scale: None,
        },
    },
    Unit {
        id: "grad",
        name: "Gradian",
        category: "Angle",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" grad")),
            scale: None,
        },
    },
    Unit {
        id: "arcmin",
        name: "Arc Minutes",
        category: "Angle",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" arcmin")),
            scale: None,
        },
    },
    Unit {
        id: "arcsec",
        name: "Arc Seconds",
        category: "Angle",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" arcsec")),
            scale: None,
        },
    },
    Unit {
        id: "areaM2",
        name: "Square Meters (m²)",
        category: "Area",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" m²")),
            scale: None,
        },
    },
    Unit {
        id: "areaF2",
        name: "Square Feet (ft²)",
        category: "Area",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ft²")),
            scale: None,
        },
    },
    Unit {
        id: "areaMI2",
        name: "Square Miles (mi²)",
        category: "Area",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mi²")),
            scale: None,
        },
    },
    Unit {
        id: "acres",
        name: "Acres (ac)",
        category: "Area",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ac")),
            scale: None,
        },
    },
    Unit {
        id: "hectares",
        name: "Hectares (ha)",
        category: "Area",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ha")),
            scale: None,
        },
    },
    Unit {
        id: "flops",
        name: "FLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 0,
        },
    },
    Unit {
        id: "mflops",
        name: "MFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 2,
        },
    },
    Unit {
        id: "gflops",
        name: "GFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 3,
        },
    },
    Unit {
        id: "tflops",
        name: "TFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 4,
        },
    },
    Unit {
        id: "pflops",
        name: "PFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 5,
        },
    },
    Unit {
        id: "eflops",
        name: "EFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 6,
        },
    },
    Unit {
        id: "zflops",
        name: "ZFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 7,
        },
    },
    Unit {
        id: "yflops",
        name: "YFLOP/s",
        category: "Computation",
        kind: Kind::Si {
            unit: "FLOPS",
            offset: 8,
        },
    },
    Unit {
        id: "ppm",
        name: "parts-per-million (ppm)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ppm")),
            scale: None,
        },
    },
    Unit {
        id: "conppb",
        name: "parts-per-billion (ppb)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ppb")),
            scale: None,
        },
    },
    Unit {
        id: "conngm3",
        name: "nanogram per cubic meter (ng/m³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ng/m³")),
            scale: None,
        },
    },
    Unit {
        id: "conngNm3",
        name: "nanogram per normal cubic meter (ng/Nm³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ng/Nm³")),
            scale: None,
        },
    },
    Unit {
        id: "conμgm3",
        name: "microgram per cubic meter (μg/m³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" μg/m³")),
            scale: None,
        },
    },
    Unit {
        id: "conμgNm3",
        name: "microgram per normal cubic meter (μg/Nm³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" μg/Nm³")),
            scale: None,
        },
    },
    Unit {
        id: "conmgm3",
        name: "milligram per cubic meter (mg/m³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mg/m³")),
            scale: None,
        },
    },
    Unit {
        id: "conmgNm3",
        name: "milligram per normal cubic meter (mg/Nm³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mg/Nm³")),
            scale: None,
        },
    },
    Unit {
        id: "congm3",
        name: "gram per cubic meter (g/m³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" g/m³")),
            scale: None,
        },
    },
    Unit {
        id: "congNm3",
        name: "gram per normal cubic meter (g/Nm³)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" g/Nm³")),
            scale: None,
        },
    },
    Unit {
        id: "conmgdL",
        name: "milligrams per decilitre (mg/dL)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mg/dL")),
            scale: None,
        },
    },
    Unit {
        id: "conmmolL",
        name: "millimoles per litre (mmol/L)",
        category: "Concentration",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mmol/L")),
            scale: None,
        },
    },
    Unit {
        id: "currencyUSD",
        name: "Dollars ($)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "$",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyGBP",
        name: "Pounds (£)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "£",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyEUR",
        name: "Euro (€)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "€",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyJPY",
        name: "Yen (¥)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "¥",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyRUB",
        name: "Rubles (₽)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₽",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyUAH",
        name: "Hryvnias (₴)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₴",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyBRL",
        name: "Real (R$)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "R$",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyDKK",
        name: "Danish Krone (kr)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "kr",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencyISK",
        name: "Icelandic Króna (kr)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "kr",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencyNOK",
        name: "Norwegian Krone (kr)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "kr",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencySEK",
        name: "Swedish Krona (kr)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "kr",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencyCZK",
        name: "Czech koruna (czk)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "czk",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyCHF",
        name: "Swiss franc (CHF)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "CHF",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyPLN",
        name: "Polish Złoty (PLN)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "PLN",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyBTC",
        name: "Bitcoin (฿)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "฿",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencymBTC",
        name: "Milli Bitcoin (฿)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "mBTC",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyμBTC",
        name: "Micro Bitcoin (฿)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "μBTC",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyZAR",
        name: "South African Rand (R)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "R",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyINR",
        name: "Indian Rupee (₹)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₹",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyKRW",
        name: "South Korean Won (₩)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₩",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyIDR",
        name: "Indonesian Rupiah (Rp)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "Rp",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyPHP",
        name: "Philippine Peso (PHP)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "PHP",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyVND",
        name: "Vietnamese Dong (VND)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "đ",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencyTRY",
        name: "Turkish Lira (₺)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₺",
            suffix_position: true,
        },
    },
    Unit {
        id: "currencyMYR",
        name: "Malaysian Ringgit (RM)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "RM",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyXPF",
        name: "CFP franc (XPF)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "XPF",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyBGN",
        name: "Bulgarian Lev (BGN)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "BGN",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyPYG",
        name: "Guaraní (₲)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₲",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyUYU",
        name: "Uruguay Peso (UYU)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "UYU",
            suffix_position: false,
        },
    },
    Unit {
        id: "currencyILS",
        name: "Israeli New Shekels (₪)",
        category: "Currency",
        kind: Kind::Currency {
            symbol: "₪",
            suffix_position: false,
        },
    },
    Unit {
        id: "bytes",
        name: "bytes(IEC)",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 0,
        },
    },
    Unit {
        id: "decbytes",
        name: "bytes(SI)",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 0,
        },
    },
    Unit {
        id: "bits",
        name: "bits(IEC)",
        category: "Data",
        kind: Kind::Binary {
            unit: "b",
            offset: 0,
        },
    },
    Unit {
        id: "decbits",
        name: "bits(SI)",
        category: "Data",
        kind: Kind::Si {
            unit: "b",
            offset: 0,
        },
    },
    Unit {
        id: "kbytes",
        name: "kibibytes",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 1,
        },
    },
    Unit {
        id: "deckbytes",
        name: "kilobytes",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 1,
        },
    },
    Unit {
        id: "mbytes",
        name: "mebibytes",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 2,
        },
    },
    Unit {
        id: "decmbytes",
        name: "megabytes",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 2,
        },
    },
    Unit {
        id: "gbytes",
        name: "gibibytes",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 3,
        },
    },
    Unit {
        id: "decgbytes",
        name: "gigabytes",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 3,
        },
    },
    Unit {
        id: "tbytes",
        name: "tebibytes",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 4,
        },
    },
    Unit {
        id: "dectbytes",
        name: "terabytes",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 4,
        },
    },
    Unit {
        id: "pbytes",
        name: "pebibytes",
        category: "Data",
        kind: Kind::Binary {
            unit: "B",
            offset: 5,
        },
    },
    Unit {
        id: "decpbytes",
        name: "petabytes",
        category: "Data",
        kind: Kind::Si {
            unit: "B",
            offset: 5,
        },
    },
    Unit {
        id: "pps",
        name: "packets/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "p/s",
            offset: 0,
        },
    },
    Unit {
        id: "binBps",
        name: "bytes/sec(IEC)",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 0,
        },
    },
    Unit {
        id: "Bps",
        name: "bytes/sec(SI)",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 0,
        },
    },
    Unit {
        id: "binbps",
        name: "bits/sec(IEC)",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 0,
        },
    },
    Unit {
        id: "bps",
        name: "bits/sec(SI)",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 0,
        },
    },
    Unit {
        id: "KiBs",
        name: "kibibytes/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 1,
        },
    },
    Unit {
        id: "Kibits",
        name: "kibibits/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 1,
        },
    },
    Unit {
        id: "KBs",
        name: "kilobytes/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 1,
        },
    },
    Unit {
        id: "Kbits",
        name: "kilobits/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 1,
        },
    },
    Unit {
        id: "MiBs",
        name: "mebibytes/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 2,
        },
    },
    Unit {
        id: "Mibits",
        name: "mebibits/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 2,
        },
    },
    Unit {
        id: "MBs",
        name: "megabytes/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 2,
        },
    },
    Unit {
        id: "Mbits",
        name: "megabits/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 2,
        },
    },
    Unit {
        id: "GiBs",
        name: "gibibytes/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 3,
        },
    },
    Unit {
        id: "Gibits",
        name: "gibibits/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 3,
        },
    },
    Unit {
        id: "GBs",
        name: "gigabytes/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 3,
        },
    },
    Unit {
        id: "Gbits",
        name: "gigabits/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 3,
        },
    },
    Unit {
        id: "TiBs",
        name: "tebibytes/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 4,
        },
    },
    Unit {
        id: "Tibits",
        name: "tebibits/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 4,
        },
    },
    Unit {
        id: "TBs",
        name: "terabytes/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 4,
        },
    },
    Unit {
        id: "Tbits",
        name: "terabits/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 4,
        },
    },
    Unit {
        id: "PiBs",
        name: "pebibytes/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "B/s",
            offset: 5,
        },
    },
    Unit {
        id: "Pibits",
        name: "pebibits/sec",
        category: "Data rate",
        kind: Kind::Binary {
            unit: "b/s",
            offset: 5,
        },
    },
    Unit {
        id: "PBs",
        name: "petabytes/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "B/s",
            offset: 5,
        },
    },
    Unit {
        id: "Pbits",
        name: "petabits/sec",
        category: "Data rate",
        kind: Kind::Si {
            unit: "b/s",
            offset: 5,
        },
    },
    Unit {
        id: "dateTimeAsIso",
        name: "Datetime ISO",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("YYYY-MM-DD HH:mm:ss"),
            today_format: None,
        },
    },
    Unit {
        id: "dateTimeAsIsoNoDateIfToday",
        name: "Datetime ISO (No date if today)",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("YYYY-MM-DD HH:mm:ss"),
            today_format: Some("HH:mm:ss"),
        },
    },
    Unit {
        id: "dateTimeAsUS",
        name: "Datetime US",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("MM/DD/YYYY h:mm:ss a"),
            today_format: None,
        },
    },
    Unit {
        id: "dateTimeAsUSNoDateIfToday",
        name: "Datetime US (No date if today)",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("MM/DD/YYYY h:mm:ss a"),
            today_format: Some("h:mm:ss a"),
        },
    },
    Unit {
        id: "dateTimeAsLocal",
        name: "Datetime local",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("MM/DD/YYYY, hh:mm:ss A"),
            today_format: None,
        },
    },
    Unit {
        id: "dateTimeAsLocalNoDateIfToday",
        name: "Datetime local (No date if today)",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("MM/DD/YYYY, hh:mm:ss A"),
            today_format: Some("hh:mm:ss A"),
        },
    },
    Unit {
        id: "dateTimeAsSystem",
        name: "Datetime default",
        category: "Date & time",
        kind: Kind::DateTime {
            format: Some("YYYY-MM-DD HH:mm:ss"),
            today_format: None,
        },
    },
    Unit {
        id: "dateTimeFromNow",
        name: "From Now",
        category: "Date & time",
        kind: Kind::FromNow,
    },
    Unit {
        id: "watt",
        name: "Watt (W)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W",
            offset: 0,
        },
    },
    Unit {
        id: "kwatt",
        name: "Kilowatt (kW)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W",
            offset: 1,
        },
    },
    Unit {
        id: "megwatt",
        name: "Megawatt (MW)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W",
            offset: 2,
        },
    },
    Unit {
        id: "gwatt",
        name: "Gigawatt (GW)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W",
            offset: 3,
        },
    },
    Unit {
        id: "mwatt",
        name: "Milliwatt (mW)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W",
            offset: -1,
        },
    },
    Unit {
        id: "Wm2",
        name: "Watt per square meter (W/m²)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W/m²",
            offset: 0,
        },
    },
    Unit {
        id: "voltamp",
        name: "Volt-Ampere (VA)",
        category: "Energy",
        kind: Kind::Si {
            unit: "VA",
            offset: 0,
        },
    },
    Unit {
        id: "kvoltamp",
        name: "Kilovolt-Ampere (kVA)",
        category: "Energy",
        kind: Kind::Si {
            unit: "VA",
            offset: 1,
        },
    },
    Unit {
        id: "voltampreact",
        name: "Volt-Ampere reactive (VAr)",
        category: "Energy",
        kind: Kind::Si {
            unit: "VAr",
            offset: 0,
        },
    },
    Unit {
        id: "kvoltampreact",
        name: "Kilovolt-Ampere reactive (kVAr)",
        category: "Energy",
        kind: Kind::Si {
            unit: "VAr",
            offset: 1,
        },
    },
    Unit {
        id: "watth",
        name: "Watt-hour (Wh)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Wh",
            offset: 0,
        },
    },
    Unit {
        id: "watthperkg",
        name: "Watt-hour per Kilogram (Wh/kg)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Wh/kg",
            offset: 0,
        },
    },
    Unit {
        id: "kwatth",
        name: "Kilowatt-hour (kWh)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Wh",
            offset: 1,
        },
    },
    Unit {
        id: "kwattm",
        name: "Kilowatt-min (kWm)",
        category: "Energy",
        kind: Kind::Si {
            unit: "W-Min",
            offset: 1,
        },
    },
    Unit {
        id: "mwatth",
        name: "Megawatt-hour (MWh)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Wh",
            offset: 2,
        },
    },
    Unit {
        id: "amph",
        name: "Ampere-hour (Ah)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ah",
            offset: 0,
        },
    },
    Unit {
        id: "kamph",
        name: "Kiloampere-hour (kAh)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ah",
            offset: 1,
        },
    },
    Unit {
        id: "mamph",
        name: "Milliampere-hour (mAh)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ah",
            offset: -1,
        },
    },
    Unit {
        id: "joule",
        name: "Joule (J)",
        category: "Energy",
        kind: Kind::Si {
            unit: "J",
            offset: 0,
        },
    },
    Unit {
        id: "ev",
        name: "Electron volt (eV)",
        category: "Energy",
        kind: Kind::Si {
            unit: "eV",
            offset: 0,
        },
    },
    Unit {
        id: "amp",
        name: "Ampere (A)",
        category: "Energy",
        kind: Kind::Si {
            unit: "A",
            offset: 0,
        },
    },
    Unit {
        id: "kamp",
        name: "Kiloampere (kA)",
        category: "Energy",
        kind: Kind::Si {
            unit: "A",
            offset: 1,
        },
    },
    Unit {
        id: "mamp",
        name: "Milliampere (mA)",
        category: "Energy",
        kind: Kind::Si {
            unit: "A",
            offset: -1,
        },
    },
    Unit {
        id: "volt",
        name: "Volt (V)",
        category: "Energy",
        kind: Kind::Si {
            unit: "V",
            offset: 0,
        },
    },
    Unit {
        id: "kvolt",
        name: "Kilovolt (kV)",
        category: "Energy",
        kind: Kind::Si {
            unit: "V",
            offset: 1,
        },
    },
    Unit {
        id: "mvolt",
        name: "Millivolt (mV)",
        category: "Energy",
        kind: Kind::Si {
            unit: "V",
            offset: -1,
        },
    },
    Unit {
        id: "dBm",
        name: "Decibel-milliwatt (dBm)",
        category: "Energy",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" dbm")),
            scale: None,
        },
    },
    Unit {
        id: "mohm",
        name: "Milliohm (mΩ)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ω",
            offset: -1,
        },
    },
    Unit {
        id: "ohm",
        name: "Ohm (Ω)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ω",
            offset: 0,
        },
    },
    Unit {
        id: "kohm",
        name: "Kiloohm (kΩ)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ω",
            offset: 1,
        },
    },
    Unit {
        id: "Mohm",
        name: "Megaohm (MΩ)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Ω",
            offset: 2,
        },
    },
    Unit {
        id: "farad",
        name: "Farad (F)",
        category: "Energy",
        kind: Kind::Si {
            unit: "F",
            offset: 0,
        },
    },
    Unit {
        id: "µfarad",
        name: "Microfarad (µF)",
        category: "Energy",
        kind: Kind::Si {
            unit: "F",
            offset: -2,
        },
    },
    Unit {
        id: "nfarad",
        name: "Nanofarad (nF)",
        category: "Energy",
        kind: Kind::Si {
            unit: "F",
            offset: -3,
        },
    },
    Unit {
        id: "pfarad",
        name: "Picofarad (pF)",
        category: "Energy",
        kind: Kind::Si {
            unit: "F",
            offset: -4,
        },
    },
    Unit {
        id: "ffarad",
        name: "Femtofarad (fF)",
        category: "Energy",
        kind: Kind::Si {
            unit: "F",
            offset: -5,
        },
    },
    Unit {
        id: "henry",
        name: "Henry (H)",
        category: "Energy",
        kind: Kind::Si {
            unit: "H",
            offset: 0,
        },
    },
    Unit {
        id: "mhenry",
        name: "Millihenry (mH)",
        category: "Energy",
        kind: Kind::Si {
            unit: "H",
            offset: -1,
        },
    },
    Unit {
        id: "µhenry",
        name: "Microhenry (µH)",
        category: "Energy",
        kind: Kind::Si {
            unit: "H",
            offset: -2,
        },
    },
    Unit {
        id: "lumens",
        name: "Lumens (Lm)",
        category: "Energy",
        kind: Kind::Si {
            unit: "Lm",
            offset: 0,
        },
    },
    Unit {
        id: "flowgpm",
        name: "Gallons/min (gpm)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" gpm")),
            scale: None,
        },
    },
    Unit {
        id: "flowcms",
        name: "Cubic meters/sec (cms)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" cms")),
            scale: None,
        },
    },
    Unit {
        id: "flowcfs",
        name: "Cubic feet/sec (cfs)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" cfs")),
            scale: None,
        },
    },
    Unit {
        id: "flowcfm",
        name: "Cubic feet/min (cfm)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" cfm")),
            scale: None,
        },
    },
    Unit {
        id: "litreh",
        name: "Litre/hour",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" L/h")),
            scale: None,
        },
    },
    Unit {
        id: "flowlpm",
        name: "Litre/min (L/min)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" L/min")),
            scale: None,
        },
    },
    Unit {
        id: "flowmlpm",
        name: "milliLitre/min (mL/min)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mL/min")),
            scale: None,
        },
    },
    Unit {
        id: "lux",
        name: "Lux (lx)",
        category: "Flow",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" lux")),
            scale: None,
        },
    },
    Unit {
        id: "forceNm",
        name: "Newton-meters (Nm)",
        category: "Force",
        kind: Kind::Si {
            unit: "Nm",
            offset: 0,
        },
    },
    Unit {
        id: "forcekNm",
        name: "Kilonewton-meters (kNm)",
        category: "Force",
        kind: Kind::Si {
            unit: "Nm",
            offset: 1,
        },
    },
    Unit {
        id: "forceN",
        name: "Newtons (N)",
        category: "Force",
        kind: Kind::Si {
            unit: "N",
            offset: 0,
        },
    },
    Unit {
        id: "forcekN",
        name: "Kilonewtons (kN)",
        category: "Force",
        kind: Kind::Si {
            unit: "N",
            offset: 1,
        },
    },
    Unit {
        id: "Hs",
        name: "hashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 0,
        },
    },
    Unit {
        id: "KHs",
        name: "kilohashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 1,
        },
    },
    Unit {
        id: "MHs",
        name: "megahashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 2,
        },
    },
    Unit {
        id: "GHs",
        name: "gigahashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 3,
        },
    },
    Unit {
        id: "THs",
        name: "terahashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 4,
        },
    },
    Unit {
        id: "PHs",
        name: "petahashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 5,
        },
    },
    Unit {
        id: "EHs",
        name: "exahashes/sec",
        category: "Hash rate",
        kind: Kind::Si {
            unit: "H/s",
            offset: 6,
        },
    },
    Unit {
        id: "massmg",
        name: "milligram (mg)",
        category: "Mass",
        kind: Kind::Si {
            unit: "g",
            offset: -1,
        },
    },
    Unit {
        id: "massg",
        name: "gram (g)",
        category: "Mass",
        kind: Kind::Si {
            unit: "g",
            offset: 0,
        },
    },
    Unit {
        id: "masslb",
        name: "pound (lb)",
        category: "Mass",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" lb")),
            scale: None,
        },
    },
    Unit {
        id: "masskg",
        name: "kilogram (kg)",
        category: "Mass",
        kind: Kind::Si {
            unit: "g",
            offset: 1,
        },
    },
    Unit {
        id: "masst",
        name: "metric ton (t)",
        category: "Mass",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" t")),
            scale: None,
        },
    },
    Unit {
        id: "lengthmm",
        name: "millimeter (mm)",
        category: "Length",
        kind: Kind::Si {
            unit: "m",
            offset: -1,
        },
    },
    Unit {
        id: "lengthcm",
        name: "centimeter (cm)",
        category: "Length",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" cm")),
            scale: None,
        },
    },
    Unit {
        id: "lengthin",
        name: "inch (in)",
        category: "Length",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" in")),
            scale: None,
        },
    },
    Unit {
        id: "lengthft",
        name: "feet (ft)",
        category: "Length",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" ft")),
            scale: None,
        },
    },
    Unit {
        id: "lengthm",
        name: "meter (m)",
        category: "Length",
        kind: Kind::Si {
            unit: "m",
            offset: 0,
        },
    },
    Unit {
        id: "lengthkm",
        name: "kilometer (km)",
        category: "Length",
        kind: Kind::Si {
            unit: "m",
            offset: 1,
        },
    },
    Unit {
        id: "lengthmi",
        name: "mile (mi)",
        category: "Length",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mi")),
            scale: None,
        },
    },
    Unit {
        id: "pressurembar",
        name: "Millibars",
        category: "Pressure",
        kind: Kind::Si {
            unit: "bar",
            offset: -1,
        },
    },
    Unit {
        id: "pressurebar",
        name: "Bars",
        category: "Pressure",
        kind: Kind::Si {
            unit: "bar",
            offset: 0,
        },
    },
    Unit {
        id: "pressurekbar",
        name: "Kilobars",
        category: "Pressure",
        kind: Kind::Si {
            unit: "bar",
            offset: 1,
        },
    },
    Unit {
        id: "pressurepa",
        name: "Pascals",
        category: "Pressure",
        kind: Kind::Si {
            unit: "Pa",
            offset: 0,
        },
    },
    Unit {
        id: "pressurehpa",
        name: "Hectopascals",
        category: "Pressure",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" hPa")),
            scale: None,
        },
    },
    Unit {
        id: "pressurekpa",
        name: "Kilopascals",
        category: "Pressure",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" kPa")),
            scale: None,
        },
    },
    Unit {
        id: "pressurehg",
        name: "Inches of mercury",
        category: "Pressure",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" \"Hg")),
            scale: None,
        },
    },
    Unit {
        id: "pressurepsi",
        name: "PSI",
        category: "Pressure",
        kind: Kind::Scaled {
            factor: 1000.0,
            suffixes: &["psi", "ksi", "Mpsi"],
            offset: 0,
        },
    },
    Unit {
        id: "radbq",
        name: "Becquerel (Bq)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Bq",
            offset: 0,
        },
    },
    Unit {
        id: "radci",
        name: "curie (Ci)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Ci",
            offset: 0,
        },
    },
    Unit {
        id: "radgy",
        name: "Gray (Gy)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Gy",
            offset: 0,
        },
    },
    Unit {
        id: "radrad",
        name: "rad",
        category: "Radiation",
        kind: Kind::Si {
            unit: "rad",
            offset: 0,
        },
    },
    Unit {
        id: "radsv",
        name: "Sievert (Sv)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv",
            offset: 0,
        },
    },
    Unit {
        id: "radmsv",
        name: "milliSievert (mSv)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv",
            offset: -1,
        },
    },
    Unit {
        id: "radusv",
        name: "microSievert (µSv)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv",
            offset: -2,
        },
    },
    Unit {
        id: "radrem",
        name: "rem",
        category: "Radiation",
        kind: Kind::Si {
            unit: "rem",
            offset: 0,
        },
    },
    Unit {
        id: "radexpckg",
        name: "Exposure (C/kg)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "C/kg",
            offset: 0,
        },
    },
    Unit {
        id: "radr",
        name: "roentgen (R)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "R",
            offset: 0,
        },
    },
    Unit {
        id: "radsvh",
        name: "Sievert/hour (Sv/h)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv/h",
            offset: 0,
        },
    },
    Unit {
        id: "radmsvh",
        name: "milliSievert/hour (mSv/h)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv/h",
            offset: -1,
        },
    },
    Unit {
        id: "radusvh",
        name: "microSievert/hour (µSv/h)",
        category: "Radiation",
        kind: Kind::Si {
            unit: "Sv/h",
            offset: -2,
        },
    },
    Unit {
        id: "rotrpm",
        name: "Revolutions per minute (rpm)",
        category: "Rotational Speed",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" rpm")),
            scale: None,
        },
    },
    Unit {
        id: "rothz",
        name: "Hertz (Hz)",
        category: "Rotational Speed",
        kind: Kind::Si {
            unit: "Hz",
            offset: 0,
        },
    },
    Unit {
        id: "rotkhz",
        name: "Kilohertz (kHz)",
        category: "Rotational Speed",
        kind: Kind::Si {
            unit: "Hz",
            offset: 1,
        },
    },
    Unit {
        id: "rotmhz",
        name: "Megahertz (MHz)",
        category: "Rotational Speed",
        kind: Kind::Si {
            unit: "Hz",
            offset: 2,
        },
    },
    Unit {
        id: "rotghz",
        name: "Gigahertz (GHz)",
        category: "Rotational Speed",
        kind: Kind::Si {
            unit: "Hz",
            offset: 3,
        },
    },
    Unit {
        id: "rotrads",
        name: "Radians per second (rad/s)",
        category: "Rotational Speed",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" rad/s")),
            scale: None,
        },
    },
    Unit {
        id: "rotdegs",
        name: "Degrees per second (°/s)",
        category: "Rotational Speed",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" °/s")),
            scale: None,
        },
    },
    Unit {
        id: "celsius",
        name: "Celsius (°C)",
        category: "Temperature",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" °C")),
            scale: None,
        },
    },
    Unit {
        id: "fahrenheit",
        name: "Fahrenheit (°F)",
        category: "Temperature",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" °F")),
            scale: None,
        },
    },
    Unit {
        id: "kelvin",
        name: "Kelvin (K)",
        category: "Temperature",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" K")),
            scale: None,
        },
    },
    Unit {
        id: "hertz",
        name: "Hertz (1/s)",
        category: "Time",
        kind: Kind::Si {
            unit: "Hz",
            offset: 0,
        },
    },
    Unit {
        id: "ns",
        name: "nanoseconds (ns)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_NS,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "µs",
        name: "microseconds (µs)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_US,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "ms",
        name: "milliseconds (ms)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_MS,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "s",
        name: "seconds (s)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_S,
            divide: None,
            zero_suffix: Some(" s"),
        },
    },
    Unit {
        id: "m",
        name: "minutes (m)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_M,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "h",
        name: "hours (h)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_H,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "d",
        name: "days (d)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_D,
            divide: None,
            zero_suffix: None,
        },
    },
    Unit {
        id: "dtdurationms",
        name: "duration (ms)",
        category: "Time",
        kind: Kind::Duration {
            unit: "millisecond",
            unit_ms: 1.0,
        },
    },
    Unit {
        id: "dtdurations",
        name: "duration (s)",
        category: "Time",
        kind: Kind::Duration {
            unit: "second",
            unit_ms: 1000.0,
        },
    },
    Unit {
        id: "dthms",
        name: "duration (hh:mm:ss)",
        category: "Time",
        kind: Kind::Hms { days: false },
    },
    Unit {
        id: "dtdhms",
        name: "duration (d hh:mm:ss)",
        category: "Time",
        kind: Kind::Hms { days: true },
    },
    Unit {
        id: "timeticks",
        name: "Timeticks (s/100)",
        category: "Time",
        kind: Kind::Time {
            ladder: LADDER_S,
            divide: Some(100.0),
            zero_suffix: Some(" s"),
        },
    },
    Unit {
        id: "clockms",
        name: "clock (ms)",
        category: "Time",
        kind: Kind::Clock { multiply: 1.0 },
    },
    Unit {
        id: "clocks",
        name: "clock (s)",
        category: "Time",
        kind: Kind::Clock { multiply: 1000.0 },
    },
    Unit {
        id: "cps",
        name: "counts/sec (cps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "c/s" },
    },
    Unit {
        id: "ops",
        name: "ops/sec (ops)",
        category: "Throughput",
        kind: Kind::Count { symbol: "ops/s" },
    },
    Unit {
        id: "reqps",
        name: "requests/sec (rps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "req/s" },
    },
    Unit {
        id: "rps",
        name: "reads/sec (rps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rd/s" },
    },
    Unit {
        id: "wps",
        name: "writes/sec (wps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "wr/s" },
    },
    Unit {
        id: "iops",
        name: "I/O ops/sec (iops)",
        category: "Throughput",
        kind: Kind::Count { symbol: "io/s" },
    },
    Unit {
        id: "eps",
        name: "events/sec (eps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "evt/s" },
    },
    Unit {
        id: "mps",
        name: "messages/sec (mps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "msg/s" },
    },
    Unit {
        id: "recps",
        name: "records/sec (rps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rec/s" },
    },
    Unit {
        id: "rowsps",
        name: "rows/sec (rps)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rows/s" },
    },
    Unit {
        id: "cpm",
        name: "counts/min (cpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "c/m" },
    },
    Unit {
        id: "opm",
        name: "ops/min (opm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "ops/m" },
    },
    Unit {
        id: "reqpm",
        name: "requests/min (rpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "req/m" },
    },
    Unit {
        id: "rpm",
        name: "reads/min (rpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rd/m" },
    },
    Unit {
        id: "wpm",
        name: "writes/min (wpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "wr/m" },
    },
    Unit {
        id: "epm",
        name: "events/min (epm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "evts/m" },
    },
    Unit {
        id: "mpm",
        name: "messages/min (mpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "msgs/m" },
    },
    Unit {
        id: "recpm",
        name: "records/min (rpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rec/m" },
    },
    Unit {
        id: "rowspm",
        name: "rows/min (rpm)",
        category: "Throughput",
        kind: Kind::Count { symbol: "rows/m" },
    },
    Unit {
        id: "velocityms",
        name: "meters/second (m/s)",
        category: "Velocity",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" m/s")),
            scale: None,
        },
    },
    Unit {
        id: "velocitykmh",
        name: "kilometers/hour (km/h)",
        category: "Velocity",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" km/h")),
            scale: None,
        },
    },
    Unit {
        id: "velocitymph",
        name: "miles/hour (mph)",
        category: "Velocity",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" mph")),
            scale: None,
        },
    },
    Unit {
        id: "velocityknot",
        name: "knot (kn)",
        category: "Velocity",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" kn")),
            scale: None,
        },
    },
    Unit {
        id: "mlitre",
        name: "millilitre (mL)",
        category: "Volume",
        kind: Kind::Si {
            unit: "L",
            offset: -1,
        },
    },
    Unit {
        id: "litre",
        name: "litre (L)",
        category: "Volume",
        kind: Kind::Si {
            unit: "L",
            offset: 0,
        },
    },
    Unit {
        id: "m3",
        name: "cubic meter",
        category: "Volume",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" m³")),
            scale: None,
        },
    },
    Unit {
        id: "Nm3",
        name: "Normal cubic meter",
        category: "Volume",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" Nm³")),
            scale: None,
        },
    },
    Unit {
        id: "dm3",
        name: "cubic decimeter",
        category: "Volume",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" dm³")),
            scale: None,
        },
    },
    Unit {
        id: "gallons",
        name: "gallons",
        category: "Volume",
        kind: Kind::Fixed {
            prefix: None,
            suffix: Some(Cow::Borrowed(" gal")),
            scale: None,
        },
    },
    Unit {
        id: "bool",
        name: "True / False",
        category: "Boolean",
        kind: Kind::Bool {
            yes: "True",
            no: "False",
        },
    },
    Unit {
        id: "bool_yes_no",
        name: "Yes / No",
        category: "Boolean",
        kind: Kind::Bool {
            yes: "Yes",
            no: "No",
        },
    },
    Unit {
        id: "bool_on_off",
        name: "On / Off",
        category: "Boolean",
        kind: Kind::Bool {
            yes: "On",
            no: "Off",
        },
    },
];

/// Indexes of [`UNITS`] sorted by id (byte order), for a binary search.
pub(crate) static BY_ID: &[u16] = &[
    93, 182, 106, 179, 107, 104, 105, 176, 98, 177, 99, 96, 97, 102, 178, 103, 100, 101, 154, 267,
    114, 181, 115, 112, 113, 110, 180, 111, 108, 109, 129, 15, 16, 14, 25, 144, 139, 20, 21, 23,
    22, 24, 92, 94, 79, 270, 272, 271, 95, 77, 8, 223, 239, 240, 44, 43, 42, 45, 41, 46, 38, 37,
    36, 40, 39, 251, 241, 73, 53, 61, 59, 58, 54, 49, 48, 67, 76, 65, 55, 50, 66, 71, 56, 68, 60,
    74, 51, 57, 70, 52, 47, 75, 69, 72, 64, 62, 63, 233, 7, 150, 116, 117, 120, 121, 122, 118, 119,
    123, 80, 78, 86, 82, 84, 90, 88, 17, 268, 237, 234, 235, 236, 32, 256, 247, 143, 224, 155, 159,
    27, 167, 166, 165, 164, 169, 170, 174, 172, 175, 173, 269, 85, 29, 19, 127, 232, 26, 160, 226,
    10, 9, 6, 246, 142, 145, 140, 81, 225, 153, 148, 131, 133, 125, 136, 137, 189, 191, 190, 193,
    192, 194, 188, 265, 168, 12, 163, 171, 231, 266, 146, 141, 184, 186, 185, 183, 187, 83, 126,
    28, 161, 264, 151, 257, 248, 229, 149, 128, 138, 157, 0, 227, 152, 252, 242, 89, 4, 5, 158, 31,
    13, 35, 91, 196, 201, 199, 197, 200, 195, 198, 202, 203, 204, 211, 205, 18, 208, 214, 212, 206,
    210, 207, 213, 209, 215, 258, 249, 253, 243, 222, 220, 217, 218, 219, 221, 216, 259, 250, 254,
    244, 230, 11, 2, 3, 1, 87, 30, 238, 261, 263, 262, 260, 147, 130, 132, 124, 134, 135, 255, 245,
    34, 33, 156, 162, 228,
];
