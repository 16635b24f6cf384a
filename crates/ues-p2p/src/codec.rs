//! The `/ues/sync/1` wire format: a request and a response are each a list
//! of sync-layer frames (`ues_sync::proto::Msg` encodings):
//!
//! ```text
//! count: u32 BE, then count × (len: u32 BE, len bytes)
//! ```
//!
//! Every length is checked against the caps before a byte is allocated: a
//! frame longer than `max_frame`, more than `max_frames` frames, or a total
//! above the request/response cap fails the stream with `InvalidData`
//! (the swarm reports an inbound/outbound failure; the connection and the
//! node carry on).

use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libp2p::request_response;
use libp2p::StreamProtocol;
use std::io;

/// The sync protocol's name.
pub const SYNC_PROTOCOL: StreamProtocol = StreamProtocol::new("/ues/sync/1");

/// Largest frame: the sync layer's limit (1 MiB).
pub const MAX_FRAME: usize = 1 << 20;

/// A request or a response: sync-layer frames.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frames(pub Vec<Vec<u8>>);

/// A request as read off the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncRequest {
    /// The frames the peer sent.
    Frames(Frames),
    /// The peer broke a limit (an oversized frame, too many frames, a
    /// request over the cap): the stream was dropped unread past that
    /// point and the host should count it against the peer. (The
    /// request-response behaviour does not report inbound read errors as
    /// events, so the codec turns them into this.) Never written.
    Refused(String),
}

/// The length-prefixed codec with hard caps.
#[derive(Debug, Clone, Copy)]
pub struct SyncCodec {
    /// Largest single frame.
    pub max_frame: usize,
    /// Most frames in one message.
    pub max_frames: usize,
    /// Largest request, all frames together.
    pub max_request: usize,
    /// Largest response, all frames together (a CAR slice in chunks).
    pub max_response: usize,
}

impl Default for SyncCodec {
    fn default() -> Self {
        SyncCodec {
            max_frame: MAX_FRAME,
            max_frames: 4096,
            max_request: 4 << 20,
            max_response: 64 << 20,
        }
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

async fn read_u32<T: AsyncRead + Unpin>(io: &mut T) -> io::Result<usize> {
    let mut b = [0u8; 4];
    io.read_exact(&mut b).await?;
    usize::try_from(u32::from_be_bytes(b)).map_err(|_| invalid("length overflow".into()))
}

impl SyncCodec {
    /// Reads a message of at most `cap` bytes of frames.
    pub async fn read_frames<T: AsyncRead + Unpin>(
        &self,
        io: &mut T,
        cap: usize,
    ) -> io::Result<Frames> {
        let count = read_u32(io).await?;
        if count > self.max_frames {
            return Err(invalid(format!(
                "{count} frames, the limit is {}",
                self.max_frames
            )));
        }
        let mut total = 0usize;
        let mut frames = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            let len = read_u32(io).await?;
            if len > self.max_frame {
                return Err(invalid(format!(
                    "frame of {len} bytes, the limit is {}",
                    self.max_frame
                )));
            }
            total = total.saturating_add(len);
            if total > cap {
                return Err(invalid(format!("message over {cap} bytes")));
            }
            let mut f = vec![0u8; len];
            io.read_exact(&mut f).await?;
            frames.push(f);
        }
        Ok(Frames(frames))
    }

    /// Writes a message, refusing one the peer would reject.
    pub async fn write_frames<T: AsyncWrite + Unpin>(
        &self,
        io: &mut T,
        frames: &Frames,
        cap: usize,
    ) -> io::Result<()> {
        let total: usize = frames.0.iter().map(Vec::len).sum();
        if frames.0.len() > self.max_frames || total > cap {
            return Err(invalid(format!(
                "{} frames / {total} bytes exceed the limits",
                frames.0.len()
            )));
        }
        let count = u32::try_from(frames.0.len()).map_err(|_| invalid("too many frames".into()))?;
        io.write_all(&count.to_be_bytes()).await?;
        for f in &frames.0 {
            if f.len() > self.max_frame {
                return Err(invalid(format!("frame of {} bytes", f.len())));
            }
            let len = u32::try_from(f.len()).map_err(|_| invalid("frame too long".into()))?;
            io.write_all(&len.to_be_bytes()).await?;
            io.write_all(f).await?;
        }
        io.close().await
    }
}

impl request_response::Codec for SyncCodec {
    type Protocol = StreamProtocol;
    type Request = SyncRequest;
    type Response = Frames;

    async fn read_request<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<SyncRequest>
    where
        T: AsyncRead + Unpin + Send,
    {
        match self.read_frames(io, self.max_request).await {
            Ok(f) => Ok(SyncRequest::Frames(f)),
            Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                Ok(SyncRequest::Refused(e.to_string()))
            }
            Err(e) => Err(e),
        }
    }

    async fn read_response<T>(&mut self, _: &StreamProtocol, io: &mut T) -> io::Result<Frames>
    where
        T: AsyncRead + Unpin + Send,
    {
        self.read_frames(io, self.max_response).await
    }

    async fn write_request<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: SyncRequest,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        match req {
            SyncRequest::Frames(f) => self.write_frames(io, &f, self.max_request).await,
            SyncRequest::Refused(_) => Err(invalid("a refused request is not sent".into())),
        }
    }

    async fn write_response<T>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        res: Frames,
    ) -> io::Result<()>
    where
        T: AsyncWrite + Unpin + Send,
    {
        self.write_frames(io, &res, self.max_response).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;
    use futures::io::Cursor;

    fn roundtrip(c: &SyncCodec, f: &Frames) -> io::Result<Frames> {
        let mut buf = Cursor::new(Vec::new());
        block_on(c.write_frames(&mut buf, f, c.max_request))?;
        let mut rd = Cursor::new(buf.into_inner());
        block_on(c.read_frames(&mut rd, c.max_request))
    }

    #[test]
    fn frames_roundtrip() {
        let c = SyncCodec::default();
        let f = Frames(vec![vec![1, 2, 3], vec![], vec![9; 1000]]);
        assert_eq!(roundtrip(&c, &f).ok(), Some(f));
        assert_eq!(
            roundtrip(&c, &Frames::default()).ok(),
            Some(Frames::default())
        );
    }

    #[test]
    fn oversized_frame_rejected_before_allocation() {
        let c = SyncCodec::default();
        // One frame claiming 4 GiB - 1 bytes, with no body.
        let mut wire = 1u32.to_be_bytes().to_vec();
        wire.extend_from_slice(&u32::MAX.to_be_bytes());
        let e = block_on(c.read_frames(&mut Cursor::new(wire), c.max_request));
        assert_eq!(
            e.map_err(|e| e.kind()).err(),
            Some(io::ErrorKind::InvalidData)
        );
    }

    #[test]
    fn too_many_frames_and_total_cap() {
        let c = SyncCodec {
            max_frames: 2,
            max_request: 10,
            ..SyncCodec::default()
        };
        let wire = 3u32.to_be_bytes().to_vec();
        assert!(block_on(c.read_frames(&mut Cursor::new(wire), 10)).is_err());
        let f = Frames(vec![vec![0; 6], vec![0; 6]]);
        assert!(roundtrip(&c, &f).is_err(), "12 bytes over a 10-byte cap");
        let mut wire = 2u32.to_be_bytes().to_vec();
        for _ in 0..2 {
            wire.extend_from_slice(&6u32.to_be_bytes());
            wire.extend_from_slice(&[0; 6]);
        }
        assert!(block_on(c.read_frames(&mut Cursor::new(wire), 10)).is_err());
    }

    #[test]
    fn a_broken_limit_is_a_refused_request_not_a_silent_drop() {
        use libp2p::request_response::Codec as _;
        let mut c = SyncCodec::default();
        let mut wire = 1u32.to_be_bytes().to_vec();
        wire.extend_from_slice(&(2u32 << 20).to_be_bytes());
        let r = block_on(c.read_request(&SYNC_PROTOCOL, &mut Cursor::new(wire)));
        assert!(
            matches!(r, Ok(SyncRequest::Refused(ref m)) if m.contains("limit")),
            "{r:?}"
        );
        let mut sink = Cursor::new(Vec::new());
        let req = SyncRequest::Refused("x".into());
        assert!(block_on(c.write_request(&SYNC_PROTOCOL, &mut sink, req)).is_err());
    }

    #[test]
    fn truncated_stream_is_an_error() {
        let c = SyncCodec::default();
        let mut wire = 1u32.to_be_bytes().to_vec();
        wire.extend_from_slice(&10u32.to_be_bytes());
        wire.extend_from_slice(&[1, 2, 3]);
        assert!(block_on(c.read_frames(&mut Cursor::new(wire), 100)).is_err());
    }
}
