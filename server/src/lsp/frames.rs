//! The client's frames, checked before the transport decodes them. The
//! transport (tower-lsp-server over tokio-util's `FramedRead`) answers a
//! body it cannot decode with -32700 or -32600 and then reads nothing more:
//! one malformed message from a client would end the session although the
//! framing is intact. So each frame is read here first (its
//! `Content-Length`, then its body): a body that is a JSON-RPC message goes
//! on as it came (under a canonical header); any other becomes a request of
//! [`INVALID_MESSAGE`] with id `null`, which the service answers with the
//! JSON-RPC error the body deserves (id `null`, as JSON-RPC prescribes), and
//! the session goes on. Input whose framing is broken (no `Content-Length`,
//! a header past [`MAX_HEADER`] bytes) goes on untouched, as before.

use serde::de::IgnoredAny;
use tower_lsp_server::jsonrpc::{Request, Response};

/// The method of the request that stands for a malformed message.
pub const INVALID_MESSAGE: &str = "$/layergate/invalidMessage";

/// The most a frame's header may take before the framing counts as broken.
const MAX_HEADER: usize = 8 * 1024;

#[derive(Default)]
pub struct Frames {
    /// Bytes of a frame not complete yet.
    buf: Vec<u8>,
    /// The framing broke: everything goes on untouched.
    passthrough: bool,
}

impl Frames {
    /// Takes the next bytes of the input; returns those for the transport.
    pub fn process(&mut self, data: &[u8], eof: bool) -> Vec<u8> {
        self.buf.extend_from_slice(data);
        let mut out = Vec::new();
        while !self.passthrough {
            let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                if self.buf.len() > MAX_HEADER {
                    self.passthrough = true;
                }
                break;
            };
            let Some(h) = header(&self.buf[..end]) else {
                self.passthrough = true;
                break;
            };
            let start = end + 4;
            let Some(total) = start.checked_add(h.length) else {
                self.passthrough = true;
                break;
            };
            if self.buf.len() < total {
                break;
            }
            let body = match h.charset.as_deref() {
                None | Some("utf-8" | "utf8") => checked(&self.buf[start..total]),
                Some(other) => Some(stand_in(
                    -32700,
                    format!("Parse error: the message is in charset {other}; LSP messages are UTF-8; it was ignored"),
                )),
            };
            let body = body.as_deref().unwrap_or(&self.buf[start..total]);
            out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            out.extend_from_slice(body);
            self.buf.drain(..total);
        }
        if self.passthrough || eof {
            out.append(&mut self.buf);
        }
        out
    }
}

/// A frame's header: its `Content-Length` (names are case-insensitive),
/// and the charset its `Content-Type` names, if any.
struct Header {
    length: usize,
    charset: Option<String>,
}

/// `None` when the header has no `Content-Length`, or a malformed one.
fn header(block: &[u8]) -> Option<Header> {
    let text = std::str::from_utf8(block).ok()?;
    let mut length = None;
    let mut charset = None;
    for line in text.split("\r\n") {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = Some(value.trim().parse().ok()?);
        } else if name.eq_ignore_ascii_case("content-type") {
            charset = value
                .split(';')
                .skip(1)
                .filter_map(|p| p.trim().strip_prefix("charset="))
                .map(|c| c.trim_matches('"').to_ascii_lowercase())
                .next();
        }
    }
    Some(Header {
        length: length?,
        charset,
    })
}

/// The request that stands for a malformed message.
fn stand_in(code: i64, message: String) -> Vec<u8> {
    let stand_in = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "method": INVALID_MESSAGE,
        "params": { "code": code, "message": message },
    });
    stand_in.to_string().into_bytes()
}

/// `None` when `body` is a JSON-RPC message the transport decodes; else
/// the body of the request that stands for it.
fn checked(body: &[u8]) -> Option<Vec<u8>> {
    // as the transport's own `Message`: a response, else a request
    if serde_json::from_slice::<Response>(body).is_ok()
        || serde_json::from_slice::<Request>(body).is_ok()
    {
        return None;
    }
    let (code, message) = match serde_json::from_slice::<IgnoredAny>(body) {
        Err(e) => (
            -32700,
            format!("Parse error: the message is not JSON ({e}); it was ignored"),
        ),
        Ok(_) => (
            -32600,
            "Invalid request: the message is JSON but no JSON-RPC request, notification or response; it was ignored".to_string(),
        ),
    };
    Some(stand_in(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The frames `input` becomes, fed in pieces of every size.
    fn through(input: &str) -> Vec<String> {
        let mut whole = None;
        for piece in 1..=input.len().max(1) {
            let mut f = Frames::default();
            let mut out = Vec::new();
            for chunk in input.as_bytes().chunks(piece) {
                out.extend(f.process(chunk, false));
            }
            out.extend(f.process(&[], true));
            let out = String::from_utf8(out).unwrap();
            match &whole {
                None => whole = Some(out),
                Some(w) => assert_eq!(*w, out, "pieces of {piece}"),
            }
        }
        let whole = whole.unwrap();
        let mut frames = Vec::new();
        let mut rest = whole.as_str();
        while let Some((head, tail)) = rest.split_once("\r\n\r\n") {
            let len: usize = head
                .strip_prefix("Content-Length: ")
                .unwrap()
                .parse()
                .unwrap();
            frames.push(tail[..len].to_string());
            rest = &tail[len..];
        }
        assert_eq!(rest, "");
        frames
    }

    #[test]
    fn messages_go_on_and_malformed_ones_are_replaced() {
        let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
        let input = [
            frame(init),
            frame("{not json"),
            frame("[1, 2]"),
            frame(r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
            frame(r#"{"jsonrpc":"2.0","id":2,"result":null}"#),
        ]
        .concat();
        let frames = through(&input);
        assert_eq!(frames.len(), 5);
        assert_eq!(frames[0], init);
        let stand_in = |f: &str| -> (i64, String) {
            let v: serde_json::Value = serde_json::from_str(f).unwrap();
            assert_eq!(v["method"], INVALID_MESSAGE);
            assert!(v["id"].is_null());
            (
                v["params"]["code"].as_i64().unwrap(),
                v["params"]["message"].as_str().unwrap().to_string(),
            )
        };
        assert_eq!(stand_in(&frames[1]).0, -32700);
        assert!(stand_in(&frames[1])
            .1
            .starts_with("Parse error: the message is not JSON"));
        assert_eq!(stand_in(&frames[2]).0, -32600);
        assert_eq!(stand_in(&frames[3]).0, -32600);
        assert_eq!(frames[4], r#"{"jsonrpc":"2.0","id":2,"result":null}"#);
    }

    #[test]
    fn headers_are_read_as_clients_write_them() {
        let body = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!(
            "content-length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(through(&input), [body]);
    }

    #[test]
    fn broken_framing_goes_on_untouched() {
        let mut f = Frames::default();
        let garbage = b"Hello\r\n\r\nContent-Length: 2\r\n\r\n{}";
        assert_eq!(f.process(garbage, false), garbage.to_vec());
        // a frame cut by the end of input goes on as it is
        let mut f = Frames::default();
        assert_eq!(
            f.process(b"Content-Length: 10\r\n\r\n{", true),
            b"Content-Length: 10\r\n\r\n{".to_vec()
        );
    }
}
