//! Wire format of the request-response protocols: the raw payload, bounded.
//!
//! Each request and each response is one frame: a 4-byte big-endian length,
//! then that many payload bytes. The length prefix tells an empty answer from
//! none at all (a peer that declines to answer closes the stream, which reads
//! as an error here). A length over the protocol's limit is refused before
//! anything is allocated and reported as [`OversizedPayload`] (the sender
//! misbehaved).

use std::io;

use futures::prelude::*;
use libp2p::{request_response, StreamProtocol};

/// Marker error inside an `io::Error`: the remote sent more than the limit.
#[derive(Debug, thiserror::Error)]
#[error("payload exceeds the limit of {limit} bytes")]
pub(crate) struct OversizedPayload {
    pub(crate) limit: usize,
}

/// Returns the limit if `error` is our oversize marker.
pub(crate) fn oversized_limit(error: &io::Error) -> Option<usize> {
    error.get_ref().and_then(|e| e.downcast_ref::<OversizedPayload>()).map(|e| e.limit)
}

/// Bytes-in, bytes-out codec with per-direction size limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoundedBytesCodec {
    pub(crate) max_request: usize,
    pub(crate) max_response: usize,
}

async fn read_bounded<T: AsyncRead + Unpin + Send>(io: &mut T, limit: usize) -> io::Result<Vec<u8>> {
    let mut prefix = [0u8; 4];
    io.read_exact(&mut prefix).await?;
    let len = u32::from_be_bytes(prefix) as usize;
    // Checked before allocating or reading: an oversized claim costs us nothing.
    if len > limit {
        return Err(io::Error::new(io::ErrorKind::InvalidData, OversizedPayload { limit }));
    }
    let mut buf = vec![0u8; len];
    io.read_exact(&mut buf).await?;
    Ok(buf)
}

async fn write_bounded<T: AsyncWrite + Unpin + Send>(io: &mut T, data: &[u8], limit: usize) -> io::Result<()> {
    // Never send what the remote would reject and ban us for.
    // Deliberately not the `OversizedPayload` marker: that one blames the remote.
    let len = u32::try_from(data.len()).ok().filter(|len| *len as usize <= limit).ok_or_else(|| {
        io::Error::other(format!("refusing to send {} bytes: over the {limit}-byte limit", data.len()))
    })?;
    io.write_all(&len.to_be_bytes()).await?;
    io.write_all(data).await?;
    io.flush().await
}

#[async_trait::async_trait]
impl request_response::Codec for BoundedBytesCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_bounded(io, self.max_request).await
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Vec<u8>>
    where
        T: AsyncRead + Unpin + Send,
    {
        read_bounded(io, self.max_response).await
    }

    async fn write_request<T>(&mut self, _: &StreamProtocol, io: &mut T, req: Vec<u8>) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bounded(io, &req, self.max_request).await
    }

    async fn write_response<T>(&mut self, _: &StreamProtocol, io: &mut T, res: Vec<u8>) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        write_bounded(io, &res, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use request_response::Codec;

    fn codec() -> BoundedBytesCodec {
        BoundedBytesCodec { max_request: 4, max_response: 8 }
    }

    fn frame(len: u32, payload: &[u8]) -> futures::io::Cursor<Vec<u8>> {
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend_from_slice(payload);
        futures::io::Cursor::new(bytes)
    }

    #[tokio::test]
    async fn round_trips_payloads_up_to_the_limit() {
        let proto = StreamProtocol::new("/t");
        for payload in [vec![], vec![7u8; 8]] {
            let mut io = futures::io::Cursor::new(Vec::new());
            codec().write_response(&proto, &mut io, payload.clone()).await.unwrap();
            let mut io = futures::io::Cursor::new(io.into_inner());
            assert_eq!(codec().read_response(&proto, &mut io).await.unwrap(), payload);
        }
    }

    #[tokio::test]
    async fn rejects_declared_length_over_the_limit_as_oversized() {
        let proto = StreamProtocol::new("/t");
        let err = codec().read_request(&proto, &mut frame(5, &[0; 5])).await.unwrap_err();
        assert_eq!(oversized_limit(&err), Some(4));
        // The claim alone is enough: no 4 GiB allocation for a lying prefix.
        let err = codec().read_response(&proto, &mut frame(u32::MAX, &[])).await.unwrap_err();
        assert_eq!(oversized_limit(&err), Some(8));
    }

    #[tokio::test]
    async fn missing_or_truncated_frame_is_an_error_but_not_oversized() {
        let proto = StreamProtocol::new("/t");
        let err = codec().read_response(&proto, &mut futures::io::Cursor::new(vec![])).await.unwrap_err();
        assert_eq!(oversized_limit(&err), None);
        let err = codec().read_response(&proto, &mut frame(3, &[1])).await.unwrap_err();
        assert_eq!(oversized_limit(&err), None);
    }

    #[tokio::test]
    async fn refuses_to_write_oversized_payload() {
        let proto = StreamProtocol::new("/t");
        let mut io = futures::io::Cursor::new(Vec::new());
        let err = codec().write_response(&proto, &mut io, vec![0; 9]).await.unwrap_err();
        assert_eq!(oversized_limit(&err), None, "our own refusal must not blame the remote");
        assert!(io.into_inner().is_empty());
    }
}
