//! The Prometheus HTTP API response (`/api/v1/query`, `/api/v1/query_range`) and its
//! conversion into [`Series`].
//!
//! Sample values arrive as strings (`"1.5"`, `"NaN"`, `"+Inf"`) and timestamps as float
//! seconds; both are converted here, once.

pub mod promql;
pub mod query;

use crate::data::frame::Series;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// The envelope of every Prometheus API answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromResponse {
    pub status: String,
    #[serde(default)]
    pub data: Option<PromData>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub error_type: Option<String>,
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `data` of a query answer: the result type and the raw result, read by [`PromResponse::into_series`].
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromData {
    pub result_type: String,
    #[serde(default)]
    pub result: Value,
}

/// Why a Prometheus answer could not be turned into series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromError {
    pub message: String,
}

impl fmt::Display for PromError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PromError {}

fn perr(message: impl Into<String>) -> PromError {
    PromError {
        message: message.into(),
    }
}

/// Reads a Prometheus sample value: a decimal, `NaN`, `+Inf` or `-Inf`.
pub fn parse_sample_value(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ => s.parse().ok(),
    }
}

/// Reads one `[seconds, "value"]` pair.
fn parse_sample(v: &Value) -> Result<(i64, f64), PromError> {
    let pair = v
        .as_array()
        .filter(|a| a.len() == 2)
        .ok_or_else(|| perr(format!("sample must be [time, \"value\"], found {v}")))?;
    let t = pair[0]
        .as_f64()
        .ok_or_else(|| perr(format!("sample time must be a number, found {}", pair[0])))?;
    let s = pair[1]
        .as_str()
        .ok_or_else(|| perr(format!("sample value must be a string, found {}", pair[1])))?;
    let value =
        parse_sample_value(s).ok_or_else(|| perr(format!("sample value `{s}` is not a number")))?;
    Ok(((t * 1000.0).round() as i64, value))
}

fn parse_labels(v: Option<&Value>) -> BTreeMap<String, String> {
    // Inserted one by one rather than collected: `collect` into a map sorts first, with a copy
    // of the sort's code for this one type in the UI's WebAssembly.
    let mut labels = BTreeMap::new();
    for (k, v) in v.and_then(Value::as_object).into_iter().flatten() {
        let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
        labels.insert(k.clone(), text);
    }
    labels
}

impl PromResponse {
    /// Reads a response body; a body that is not Prometheus JSON gives an error naming it.
    pub fn from_json(body: &str) -> Result<PromResponse, PromError> {
        serde_json::from_str(body)
            .map_err(|e| perr(format!("response is not a Prometheus API answer: {e}")))
    }

    /// The answer as series: `matrix` → one series per result, `vector` → one point per
    /// series, `scalar` → one unlabelled point. An `error` status becomes the error, with its
    /// type (`bad_data: parse error ...`).
    pub fn into_series(self) -> Result<Vec<Series>, PromError> {
        if self.status != "success" {
            let message = self
                .error
                .unwrap_or_else(|| format!("status `{}`", self.status));
            return Err(perr(match self.error_type {
                Some(t) if !t.is_empty() => format!("{t}: {message}"),
                _ => message,
            }));
        }
        let data = self
            .data
            .ok_or_else(|| perr("successful answer without `data`"))?;
        let items = || {
            data.result.as_array().ok_or_else(|| {
                perr(format!(
                    "`result` of a {} must be an array",
                    data.result_type
                ))
            })
        };
        match data.result_type.as_str() {
            "matrix" => items()?
                .iter()
                .map(|s| {
                    let values = s
                        .get("values")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    Ok(Series {
                        labels: parse_labels(s.get("metric")),
                        points: values.iter().map(parse_sample).collect::<Result<_, _>>()?,
                    })
                })
                .collect(),
            "vector" => items()?
                .iter()
                .map(|s| {
                    let sample = s
                        .get("value")
                        .ok_or_else(|| perr("vector sample without `value`"))?;
                    Ok(Series {
                        labels: parse_labels(s.get("metric")),
                        points: vec![parse_sample(sample)?],
                    })
                })
                .collect(),
            "scalar" => Ok(vec![Series {
                labels: BTreeMap::new(),
                points: vec![parse_sample(&data.result)?],
            }]),
            "string" => Err(perr("a string result cannot be drawn")),
            other => Err(perr(format!("unknown result type `{other}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_with_special_values() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"up","job":"node"},"values":[[1700000000,"1"],[1700000015.5,"NaN"],[1700000030,"+Inf"],[1700000045,"-Inf"]]},
            {"metric":{},"values":[]}]}}"#;
        let series = PromResponse::from_json(body)
            .unwrap()
            .into_series()
            .unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(
            series[0].labels.get("job").map(String::as_str),
            Some("node")
        );
        let p = &series[0].points;
        assert_eq!(p[0], (1_700_000_000_000, 1.0));
        assert_eq!(p[1].0, 1_700_000_015_500);
        assert!(p[1].1.is_nan());
        assert_eq!(p[2].1, f64::INFINITY);
        assert_eq!(p[3].1, f64::NEG_INFINITY);
        assert!(series[1].points.is_empty());
    }

    #[test]
    fn vector_and_scalar() {
        let body = r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1"},"value":[1700000000.123,"42.5"]}]}}"#;
        let s = PromResponse::from_json(body)
            .unwrap()
            .into_series()
            .unwrap();
        assert_eq!(s[0].points, vec![(1_700_000_000_123, 42.5)]);
        let body =
            r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"3"]}}"#;
        let s = PromResponse::from_json(body)
            .unwrap()
            .into_series()
            .unwrap();
        assert_eq!(s[0].points, vec![(1_700_000_000_000, 3.0)]);
        assert!(s[0].labels.is_empty());
    }

    #[test]
    fn errors_are_named() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#;
        let e = PromResponse::from_json(body)
            .unwrap()
            .into_series()
            .unwrap_err();
        assert_eq!(
            e.message,
            "bad_data: 1:5: parse error: unexpected end of input"
        );
        let e = PromResponse::from_json("<html>").unwrap_err();
        assert!(
            e.message
                .starts_with("response is not a Prometheus API answer"),
            "{e}"
        );
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"abc"]]}]}}"#;
        assert_eq!(
            PromResponse::from_json(body)
                .unwrap()
                .into_series()
                .unwrap_err()
                .message,
            "sample value `abc` is not a number"
        );
        let body = r#"{"status":"success","warnings":["w1"],"data":{"resultType":"string","result":[1,"x"]}}"#;
        let r = PromResponse::from_json(body).unwrap();
        assert_eq!(r.warnings, vec!["w1".to_string()]);
        assert_eq!(
            r.into_series().unwrap_err().message,
            "a string result cannot be drawn"
        );
    }

    #[test]
    fn sample_values() {
        assert_eq!(parse_sample_value("1e3"), Some(1000.0));
        assert_eq!(parse_sample_value("-2.5"), Some(-2.5));
        assert!(parse_sample_value("NaN").unwrap().is_nan());
        assert_eq!(parse_sample_value("x"), None);
    }
}
