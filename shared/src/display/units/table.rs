//! Every unit id of Grafana's unit picker (`@grafana/data` 13.2.3, `getValueFormats()`), in
//! the picker's order: how it formats ([`SPECS`], read into a `Kind` by `units.rs`), and
//! its name and category ([`PICKER`]). Written from a black-box survey of Grafana's formatters; see `units.rs` for
//! what each kind does.
//!
//! Time ladders: a value picks the first rung whose bound its magnitude is below.

use crate::display::units::Rung;

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
pub(crate) const LADDER_NS: &[Rung] = &[
    rung(1000.0, false, 1.0, " ns", false),
    rung(1000000.0, false, 1000.0, " µs", false),
    rung(1000000000.0, false, 1000000.0, " ms", false),
    rung(60000000000.0, false, 1000000000.0, " s", false),
    rung(3600000000000.0, false, 60000000000.0, " min", true),
    rung(86400000000000.0, false, 3600000000000.0, " hour", true),
    rung(f64::INFINITY, false, 86400000000000.0, " day", true),
];

/// The ladder of `µs`.
pub(crate) const LADDER_US: &[Rung] = &[
    rung(1000.0, false, 1.0, " µs", false),
    rung(1000000.0, false, 1000.0, " ms", false),
    rung(f64::INFINITY, false, 1000000.0, " s", false),
];

/// The ladder of `ms`.
pub(crate) const LADDER_MS: &[Rung] = &[
    rung(1000.0, false, 1.0, " ms", false),
    rung(60000.0, false, 1000.0, " s", false),
    rung(3600000.0, false, 60000.0, " min", true),
    rung(86400000.0, false, 3600000.0, " hour", true),
    rung(31536000000.0, false, 86400000.0, " day", true),
    rung(f64::INFINITY, false, 31536000000.0, " year", true),
];

/// The ladder of `s`.
pub(crate) const LADDER_S: &[Rung] = &[
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
pub(crate) const LADDER_M: &[Rung] = &[
    rung(60.0, false, 1.0, " min", false),
    rung(1440.0, false, 60.0, " hour", true),
    rung(10080.0, false, 1440.0, " day", true),
    rung(604800.0, false, 10080.0, " week", true),
    rung(f64::INFINITY, false, 525948.0, " year", true),
];

/// The ladder of `h`.
pub(crate) const LADDER_H: &[Rung] = &[
    rung(24.0, false, 1.0, " hour", false),
    rung(168.0, false, 24.0, " day", true),
    rung(8760.0, false, 168.0, " week", true),
    rung(f64::INFINITY, false, 8760.0, " year", true),
];

/// The ladder of `d`.
pub(crate) const LADDER_D: &[Rung] = &[
    rung(7.0, false, 1.0, " day", true),
    rung(365.0, false, 7.0, " week", true),
    rung(f64::INFINITY, false, 365.0, " year", true),
];

/// Every unit, one line each in the picker's order: the id, a tab, and how it formats:
///
/// | spec | kind |
/// |---|---|
/// | `n` | a plain number |
/// | `=S`, `*F=S` | the number (times `F`) followed by `S`, taken literally (`= %H`) |
/// | `iO:U`, `bO:U` | SI (`i`) or binary (`b`) prefixes on `U`, the value's own prefix at offset `O` |
/// | `$S`, `$>S` | a currency, its symbol `S` before the number, or after it with `>` |
/// | `c:S` | a count of `S` (`1.50K req/s`) |
/// | `t:L`, `ticks` | a time ladder (`ns` `µs` `ms` `s` `m` `h` `d`); `ticks` is hundredths of seconds |
/// | `D:F`, `D:F\|T` | a date in moment format `F`, and `T` when it is today |
/// | `?Y/N` | `Y` for a truthy value, else `N` |
/// | a word | `short`, `psi`, `string`, `hex`, `hex0x`, `sci`, `locale`, `fromnow`, `hms`, `dhms`, `dur:ms`, `dur:s`, `clock:ms`, `clock:s` |
///
/// One string rather than a table of structs: it is a third of the size in the UI's bundle.
pub(crate) const SPECS: &str = r#"none	n
string	string
short	short
sishort	i0:
percent	=%
percentunit	*100=%
humidity	= %H
dB	= dB
candela	i0:cd
hex0x	hex0x
hex	hex
sci	sci
locale	locale
pixel	= px
accMS2	= m/sec²
accFS2	= f/sec²
accG	= g
degree	= °
radian	= rad
grad	= grad
arcmin	= arcmin
arcsec	= arcsec
areaM2	= m²
areaF2	= ft²
areaMI2	= mi²
acres	= ac
hectares	= ha
flops	i0:FLOPS
mflops	i2:FLOPS
gflops	i3:FLOPS
tflops	i4:FLOPS
pflops	i5:FLOPS
eflops	i6:FLOPS
zflops	i7:FLOPS
yflops	i8:FLOPS
ppm	= ppm
conppb	= ppb
conngm3	= ng/m³
conngNm3	= ng/Nm³
conμgm3	= μg/m³
conμgNm3	= μg/Nm³
conmgm3	= mg/m³
conmgNm3	= mg/Nm³
congm3	= g/m³
congNm3	= g/Nm³
conmgdL	= mg/dL
conmmolL	= mmol/L
currencyUSD	$$
currencyGBP	$£
currencyEUR	$€
currencyJPY	$¥
currencyRUB	$₽
currencyUAH	$₴
currencyBRL	$R$
currencyDKK	$>kr
currencyISK	$>kr
currencyNOK	$>kr
currencySEK	$>kr
currencyCZK	$czk
currencyCHF	$CHF
currencyPLN	$PLN
currencyBTC	$฿
currencymBTC	$mBTC
currencyμBTC	$μBTC
currencyZAR	$R
currencyINR	$₹
currencyKRW	$₩
currencyIDR	$Rp
currencyPHP	$PHP
currencyVND	$>đ
currencyTRY	$>₺
currencyMYR	$RM
currencyXPF	$XPF
currencyBGN	$BGN
currencyPYG	$₲
currencyUYU	$UYU
currencyILS	$₪
bytes	b0:B
decbytes	i0:B
bits	b0:b
decbits	i0:b
kbytes	b1:B
deckbytes	i1:B
mbytes	b2:B
decmbytes	i2:B
gbytes	b3:B
decgbytes	i3:B
tbytes	b4:B
dectbytes	i4:B
pbytes	b5:B
decpbytes	i5:B
pps	i0:p/s
binBps	b0:B/s
Bps	i0:B/s
binbps	b0:b/s
bps	i0:b/s
KiBs	b1:B/s
Kibits	b1:b/s
KBs	i1:B/s
Kbits	i1:b/s
MiBs	b2:B/s
Mibits	b2:b/s
MBs	i2:B/s
Mbits	i2:b/s
GiBs	b3:B/s
Gibits	b3:b/s
GBs	i3:B/s
Gbits	i3:b/s
TiBs	b4:B/s
Tibits	b4:b/s
TBs	i4:B/s
Tbits	i4:b/s
PiBs	b5:B/s
Pibits	b5:b/s
PBs	i5:B/s
Pbits	i5:b/s
dateTimeAsIso	D:YYYY-MM-DD HH:mm:ss
dateTimeAsIsoNoDateIfToday	D:YYYY-MM-DD HH:mm:ss|HH:mm:ss
dateTimeAsUS	D:MM/DD/YYYY h:mm:ss a
dateTimeAsUSNoDateIfToday	D:MM/DD/YYYY h:mm:ss a|h:mm:ss a
dateTimeAsLocal	D:MM/DD/YYYY, hh:mm:ss A
dateTimeAsLocalNoDateIfToday	D:MM/DD/YYYY, hh:mm:ss A|hh:mm:ss A
dateTimeAsSystem	D:YYYY-MM-DD HH:mm:ss
dateTimeFromNow	fromnow
watt	i0:W
kwatt	i1:W
megwatt	i2:W
gwatt	i3:W
mwatt	i-1:W
Wm2	i0:W/m²
voltamp	i0:VA
kvoltamp	i1:VA
voltampreact	i0:VAr
kvoltampreact	i1:VAr
watth	i0:Wh
watthperkg	i0:Wh/kg
kwatth	i1:Wh
kwattm	i1:W-Min
mwatth	i2:Wh
amph	i0:Ah
kamph	i1:Ah
mamph	i-1:Ah
joule	i0:J
ev	i0:eV
amp	i0:A
kamp	i1:A
mamp	i-1:A
volt	i0:V
kvolt	i1:V
mvolt	i-1:V
dBm	= dbm
mohm	i-1:Ω
ohm	i0:Ω
kohm	i1:Ω
Mohm	i2:Ω
farad	i0:F
µfarad	i-2:F
nfarad	i-3:F
pfarad	i-4:F
ffarad	i-5:F
henry	i0:H
mhenry	i-1:H
µhenry	i-2:H
lumens	i0:Lm
flowgpm	= gpm
flowcms	= cms
flowcfs	= cfs
flowcfm	= cfm
litreh	= L/h
flowlpm	= L/min
flowmlpm	= mL/min
lux	= lux
forceNm	i0:Nm
forcekNm	i1:Nm
forceN	i0:N
forcekN	i1:N
Hs	i0:H/s
KHs	i1:H/s
MHs	i2:H/s
GHs	i3:H/s
THs	i4:H/s
PHs	i5:H/s
EHs	i6:H/s
massmg	i-1:g
massg	i0:g
masslb	= lb
masskg	i1:g
masst	= t
lengthmm	i-1:m
lengthcm	= cm
lengthin	= in
lengthft	= ft
lengthm	i0:m
lengthkm	i1:m
lengthmi	= mi
pressurembar	i-1:bar
pressurebar	i0:bar
pressurekbar	i1:bar
pressurepa	i0:Pa
pressurehpa	= hPa
pressurekpa	= kPa
pressurehg	= "Hg
pressurepsi	psi
radbq	i0:Bq
radci	i0:Ci
radgy	i0:Gy
radrad	i0:rad
radsv	i0:Sv
radmsv	i-1:Sv
radusv	i-2:Sv
radrem	i0:rem
radexpckg	i0:C/kg
radr	i0:R
radsvh	i0:Sv/h
radmsvh	i-1:Sv/h
radusvh	i-2:Sv/h
rotrpm	= rpm
rothz	i0:Hz
rotkhz	i1:Hz
rotmhz	i2:Hz
rotghz	i3:Hz
rotrads	= rad/s
rotdegs	= °/s
celsius	= °C
fahrenheit	= °F
kelvin	= K
hertz	i0:Hz
ns	t:ns
µs	t:µs
ms	t:ms
s	t:s
m	t:m
h	t:h
d	t:d
dtdurationms	dur:ms
dtdurations	dur:s
dthms	hms
dtdhms	dhms
timeticks	ticks
clockms	clock:ms
clocks	clock:s
cps	c:c/s
ops	c:ops/s
reqps	c:req/s
rps	c:rd/s
wps	c:wr/s
iops	c:io/s
eps	c:evt/s
mps	c:msg/s
recps	c:rec/s
rowsps	c:rows/s
cpm	c:c/m
opm	c:ops/m
reqpm	c:req/m
rpm	c:rd/m
wpm	c:wr/m
epm	c:evts/m
mpm	c:msgs/m
recpm	c:rec/m
rowspm	c:rows/m
velocityms	= m/s
velocitykmh	= km/h
velocitymph	= mph
velocityknot	= kn
mlitre	i-1:L
litre	i0:L
m3	= m³
Nm3	= Nm³
dm3	= dm³
gallons	= gal
bool	?True/False
bool_yes_no	?Yes/No
bool_on_off	?On/Off"#;

/// The unit picker: `[Category]` lines, each followed by its units as `id`, a tab and
/// Grafana's name for it; the same ids in the same order as [`SPECS`]. Apart so that only a
/// build that shows the picker carries the names.
pub(crate) const PICKER: &str = r#"[Misc]
none	Number
string	String
short	short
sishort	SI short
percent	Percent (0-100)
percentunit	Percent (0.0-1.0)
humidity	Humidity (%H)
dB	Decibel
candela	Candela (cd)
hex0x	Hexadecimal (0x)
hex	Hexadecimal
sci	Scientific notation
locale	Locale format
pixel	Pixels
[Acceleration]
accMS2	Meters/sec²
accFS2	Feet/sec²
accG	G unit
[Angle]
degree	Degrees (°)
radian	Radians
grad	Gradian
arcmin	Arc Minutes
arcsec	Arc Seconds
[Area]
areaM2	Square Meters (m²)
areaF2	Square Feet (ft²)
areaMI2	Square Miles (mi²)
acres	Acres (ac)
hectares	Hectares (ha)
[Computation]
flops	FLOP/s
mflops	MFLOP/s
gflops	GFLOP/s
tflops	TFLOP/s
pflops	PFLOP/s
eflops	EFLOP/s
zflops	ZFLOP/s
yflops	YFLOP/s
[Concentration]
ppm	parts-per-million (ppm)
conppb	parts-per-billion (ppb)
conngm3	nanogram per cubic meter (ng/m³)
conngNm3	nanogram per normal cubic meter (ng/Nm³)
conμgm3	microgram per cubic meter (μg/m³)
conμgNm3	microgram per normal cubic meter (μg/Nm³)
conmgm3	milligram per cubic meter (mg/m³)
conmgNm3	milligram per normal cubic meter (mg/Nm³)
congm3	gram per cubic meter (g/m³)
congNm3	gram per normal cubic meter (g/Nm³)
conmgdL	milligrams per decilitre (mg/dL)
conmmolL	millimoles per litre (mmol/L)
[Currency]
currencyUSD	Dollars ($)
currencyGBP	Pounds (£)
currencyEUR	Euro (€)
currencyJPY	Yen (¥)
currencyRUB	Rubles (₽)
currencyUAH	Hryvnias (₴)
currencyBRL	Real (R$)
currencyDKK	Danish Krone (kr)
currencyISK	Icelandic Króna (kr)
currencyNOK	Norwegian Krone (kr)
currencySEK	Swedish Krona (kr)
currencyCZK	Czech koruna (czk)
currencyCHF	Swiss franc (CHF)
currencyPLN	Polish Złoty (PLN)
currencyBTC	Bitcoin (฿)
currencymBTC	Milli Bitcoin (฿)
currencyμBTC	Micro Bitcoin (฿)
currencyZAR	South African Rand (R)
currencyINR	Indian Rupee (₹)
currencyKRW	South Korean Won (₩)
currencyIDR	Indonesian Rupiah (Rp)
currencyPHP	Philippine Peso (PHP)
currencyVND	Vietnamese Dong (VND)
currencyTRY	Turkish Lira (₺)
currencyMYR	Malaysian Ringgit (RM)
currencyXPF	CFP franc (XPF)
currencyBGN	Bulgarian Lev (BGN)
currencyPYG	Guaraní (₲)
currencyUYU	Uruguay Peso (UYU)
currencyILS	Israeli New Shekels (₪)
[Data]
bytes	bytes(IEC)
decbytes	bytes(SI)
bits	bits(IEC)
decbits	bits(SI)
kbytes	kibibytes
deckbytes	kilobytes
mbytes	mebibytes
decmbytes	megabytes
gbytes	gibibytes
decgbytes	gigabytes
tbytes	tebibytes
dectbytes	terabytes
pbytes	pebibytes
decpbytes	petabytes
[Data rate]
pps	packets/sec
binBps	bytes/sec(IEC)
Bps	bytes/sec(SI)
binbps	bits/sec(IEC)
bps	bits/sec(SI)
KiBs	kibibytes/sec
Kibits	kibibits/sec
KBs	kilobytes/sec
Kbits	kilobits/sec
MiBs	mebibytes/sec
Mibits	mebibits/sec
MBs	megabytes/sec
Mbits	megabits/sec
GiBs	gibibytes/sec
Gibits	gibibits/sec
GBs	gigabytes/sec
Gbits	gigabits/sec
TiBs	tebibytes/sec
Tibits	tebibits/sec
TBs	terabytes/sec
Tbits	terabits/sec
PiBs	pebibytes/sec
Pibits	pebibits/sec
PBs	petabytes/sec
Pbits	petabits/sec
[Date & time]
dateTimeAsIso	Datetime ISO
dateTimeAsIsoNoDateIfToday	Datetime ISO (No date if today)
dateTimeAsUS	Datetime US
dateTimeAsUSNoDateIfToday	Datetime US (No date if today)
dateTimeAsLocal	Datetime local
dateTimeAsLocalNoDateIfToday	Datetime local (No date if today)
dateTimeAsSystem	Datetime default
dateTimeFromNow	From Now
[Energy]
watt	Watt (W)
kwatt	Kilowatt (kW)
megwatt	Megawatt (MW)
gwatt	Gigawatt (GW)
mwatt	Milliwatt (mW)
Wm2	Watt per square meter (W/m²)
voltamp	Volt-Ampere (VA)
kvoltamp	Kilovolt-Ampere (kVA)
voltampreact	Volt-Ampere reactive (VAr)
kvoltampreact	Kilovolt-Ampere reactive (kVAr)
watth	Watt-hour (Wh)
watthperkg	Watt-hour per Kilogram (Wh/kg)
kwatth	Kilowatt-hour (kWh)
kwattm	Kilowatt-min (kWm)
mwatth	Megawatt-hour (MWh)
amph	Ampere-hour (Ah)
kamph	Kiloampere-hour (kAh)
mamph	Milliampere-hour (mAh)
joule	Joule (J)
ev	Electron volt (eV)
amp	Ampere (A)
kamp	Kiloampere (kA)
mamp	Milliampere (mA)
volt	Volt (V)
kvolt	Kilovolt (kV)
mvolt	Millivolt (mV)
dBm	Decibel-milliwatt (dBm)
mohm	Milliohm (mΩ)
ohm	Ohm (Ω)
kohm	Kiloohm (kΩ)
Mohm	Megaohm (MΩ)
farad	Farad (F)
µfarad	Microfarad (µF)
nfarad	Nanofarad (nF)
pfarad	Picofarad (pF)
ffarad	Femtofarad (fF)
henry	Henry (H)
mhenry	Millihenry (mH)
µhenry	Microhenry (µH)
lumens	Lumens (Lm)
[Flow]
flowgpm	Gallons/min (gpm)
flowcms	Cubic meters/sec (cms)
flowcfs	Cubic feet/sec (cfs)
flowcfm	Cubic feet/min (cfm)
litreh	Litre/hour
flowlpm	Litre/min (L/min)
flowmlpm	milliLitre/min (mL/min)
lux	Lux (lx)
[Force]
forceNm	Newton-meters (Nm)
forcekNm	Kilonewton-meters (kNm)
forceN	Newtons (N)
forcekN	Kilonewtons (kN)
[Hash rate]
Hs	hashes/sec
KHs	kilohashes/sec
MHs	megahashes/sec
GHs	gigahashes/sec
THs	terahashes/sec
PHs	petahashes/sec
EHs	exahashes/sec
[Mass]
massmg	milligram (mg)
massg	gram (g)
masslb	pound (lb)
masskg	kilogram (kg)
masst	metric ton (t)
[Length]
lengthmm	millimeter (mm)
lengthcm	centimeter (cm)
lengthin	inch (in)
lengthft	feet (ft)
lengthm	meter (m)
lengthkm	kilometer (km)
lengthmi	mile (mi)
[Pressure]
pressurembar	Millibars
pressurebar	Bars
pressurekbar	Kilobars
pressurepa	Pascals
pressurehpa	Hectopascals
pressurekpa	Kilopascals
pressurehg	Inches of mercury
pressurepsi	PSI
[Radiation]
radbq	Becquerel (Bq)
radci	curie (Ci)
radgy	Gray (Gy)
radrad	rad
radsv	Sievert (Sv)
radmsv	milliSievert (mSv)
radusv	microSievert (µSv)
radrem	rem
radexpckg	Exposure (C/kg)
radr	roentgen (R)
radsvh	Sievert/hour (Sv/h)
radmsvh	milliSievert/hour (mSv/h)
radusvh	microSievert/hour (µSv/h)
[Rotational Speed]
rotrpm	Revolutions per minute (rpm)
rothz	Hertz (Hz)
rotkhz	Kilohertz (kHz)
rotmhz	Megahertz (MHz)
rotghz	Gigahertz (GHz)
rotrads	Radians per second (rad/s)
rotdegs	Degrees per second (°/s)
[Temperature]
celsius	Celsius (°C)
fahrenheit	Fahrenheit (°F)
kelvin	Kelvin (K)
[Time]
hertz	Hertz (1/s)
ns	nanoseconds (ns)
µs	microseconds (µs)
ms	milliseconds (ms)
s	seconds (s)
m	minutes (m)
h	hours (h)
d	days (d)
dtdurationms	duration (ms)
dtdurations	duration (s)
dthms	duration (hh:mm:ss)
dtdhms	duration (d hh:mm:ss)
timeticks	Timeticks (s/100)
clockms	clock (ms)
clocks	clock (s)
[Throughput]
cps	counts/sec (cps)
ops	ops/sec (ops)
reqps	requests/sec (rps)
rps	reads/sec (rps)
wps	writes/sec (wps)
iops	I/O ops/sec (iops)
eps	events/sec (eps)
mps	messages/sec (mps)
recps	records/sec (rps)
rowsps	rows/sec (rps)
cpm	counts/min (cpm)
opm	ops/min (opm)
reqpm	requests/min (rpm)
rpm	reads/min (rpm)
wpm	writes/min (wpm)
epm	events/min (epm)
mpm	messages/min (mpm)
recpm	records/min (rpm)
rowspm	rows/min (rpm)
[Velocity]
velocityms	meters/second (m/s)
velocitykmh	kilometers/hour (km/h)
velocitymph	miles/hour (mph)
velocityknot	knot (kn)
[Volume]
mlitre	millilitre (mL)
litre	litre (L)
m3	cubic meter
Nm3	Normal cubic meter
dm3	cubic decimeter
gallons	gallons
[Boolean]
bool	True / False
bool_yes_no	Yes / No
bool_on_off	On / Off"#;
